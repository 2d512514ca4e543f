import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin } from '@platformatic/kafka';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { samsa, samsaInProcess } from './run-cli.ts';
import { scriptedSession } from './session.ts';

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker?.stop();
});

// The session once through the real executable (stdin piped, exit codes of the process), once
// in-process, where what differs is how the connection and prefix come from the environment.
test('scripted session with --bootstrap', async () => {
  await scriptedSession((args, options) => samsa([...args, '-b', broker.bootstrap], options), 'orders', 'g1');
});

test('scripted session with KAFKA_URL and KAFKA_PREFIX: prefixed on the wire, plain in output', async () => {
  const prefix = 'tenant-7.';
  const env = { KAFKA_URL: `kafka://${broker.bootstrap}`, KAFKA_PREFIX: prefix };
  const admin = new Admin({ clientId: 'session-test', bootstrapBrokers: [broker.bootstrap] });
  try {
    await scriptedSession(
      (args, options) => samsaInProcess(args, { ...options, env: { ...options?.env, ...env } }),
      'payments',
      'billing',
      {
        async afterGroupConsumed() {
          const topics = await admin.listTopics();
          assert.ok(topics.includes(`${prefix}payments`), `wire topics: ${topics.join(', ')}`);
          assert.ok(!topics.includes('payments'));
          const groups = [...(await admin.listGroups()).keys()];
          assert.ok(groups.includes(`${prefix}billing`), `wire groups: ${groups.join(', ')}`);
          assert.ok(!groups.includes('billing'));
        },
      },
    );
  } finally {
    await admin.close();
  }
});
