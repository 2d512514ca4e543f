/**
 * The scripted CLI session (test/cli/session.ts) in-process, with the connection and the prefix
 * from KAFKA_URL and KAFKA_PREFIX: topics and groups are prefixed on the wire and plain in the
 * output. The same session with --bootstrap, its stdin and stdout steps through the executable, is
 * test/cli/session.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin } from '@platformatic/kafka';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { samsaInProcess } from './run-cli.ts';
import { scriptedSession } from './session.ts';

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker?.stop();
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
