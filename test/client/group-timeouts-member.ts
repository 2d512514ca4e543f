/**
 * Child process for group-timeouts.test.ts: a consumer made by createConsumer with a 6 s session
 * joins group argv[3], then rejoins the way @platformatic/kafka does on its own after a commit
 * fails with a rebalance error (`joinGroup({})`), prints `rejoined` and idles until SIGKILLed
 * (so it never sends LeaveGroup).
 */
import { createConsumer } from '../../src/client/clients.ts';

const [bootstrap, groupId] = process.argv.slice(2) as [string, string];
const timeouts = { sessionTimeout: 6_000, rebalanceTimeout: 300_000, heartbeatInterval: 500 };
const consumer = createConsumer(
  { bootstrapBrokers: [bootstrap] },
  { clientId: 'doomed', groupId, ...timeouts },
);
consumer.topics.trackAll('group-timeouts');
await consumer.joinGroup(timeouts);
await consumer.joinGroup({});
console.log('rejoined');
setInterval(() => {}, 60_000);
