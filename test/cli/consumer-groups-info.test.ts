/**
 * `samsa consumer-groups:info` on a group that is not a consumer group: a Kafka Connect worker
 * group (protocol type "connect", joined by the Connect runtime's GroupMembership) is shown with
 * its members and its protocol type, without decoding Connect's metadata as consumer
 * subscriptions (which crashed the process in @platformatic/kafka's describeGroups).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { createAdmin } from '../../src/client/clients.ts';
import { GroupMembership } from '../../src/connect/runtime/membership.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { json, samsaInProcess } from './run-cli.ts';

let broker: TestBroker;
before(async () => {
  broker = await startBroker({ groupInitialRebalanceDelayMs: 0 });
});
after(async () => {
  await broker?.stop();
});

test('a Connect worker group (protocol type "connect") is described without consumer assignments', async () => {
  const connection = { bootstrapBrokers: [broker.bootstrap] };
  const admin = createAdmin(connection, { clientId: 'connect-test' });
  let assigned!: () => void;
  const joined = new Promise<void>((resolve) => {
    assigned = resolve;
  });
  const membership = new GroupMembership({
    connection,
    admin,
    groupId: 'workers',
    url: 'http://127.0.0.1:8083',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    heartbeatIntervalMs: 1_000,
    clientId: 'connect-worker',
    logger: pino({ level: 'silent' }),
    hooks: {
      assign: async (members, _generation, leaderId) =>
        new Map(
          members.map((m) => [
            m.memberId,
            {
              error: 0,
              leader: leaderId,
              leaderUrl: 'http://127.0.0.1:8083',
              configOffset: 0n,
              assignment: new Map([['files', [-1, 0]]]),
            },
          ]),
        ),
      onRevoke: async () => {},
      onAssigned: async () => assigned(),
      configOffset: () => 0n,
    },
  });
  membership.start();
  try {
    await joined;
    const text = await samsaInProcess(['consumer-groups:info', 'workers', '-b', broker.bootstrap]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Group: +workers\nState: +Stable\nProtocol type: +connect\n/);
    assert.match(text.stdout, /\nconnect-worker-\S+ +connect-worker +\S+ +\(connect protocol\)\n/);

    const result = await samsaInProcess([
      'consumer-groups:info',
      'workers',
      '--json',
      '-b',
      broker.bootstrap,
    ]);
    assert.equal(result.code, 0, result.stderr);
    const described = json<{
      protocolType: string;
      members: { clientId: string; assignments: unknown[] }[];
    }>(result);
    assert.equal(described.protocolType, 'connect');
    assert.deepEqual(
      described.members.map((m) => [m.clientId, m.assignments]),
      [['connect-worker', []]],
    );
  } finally {
    await membership.stop();
    await admin.close();
  }
});
