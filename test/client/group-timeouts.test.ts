/**
 * createConsumer's group timeouts reach every JoinGroup the library sends, including the rejoin
 * it makes on its own after a failed commit: a member killed after such a rejoin leaves the group
 * one 6 s session later, not after the library's 60 s default session (the Connect sink stall).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createConsumer } from '../../src/client/clients.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { track } from '../helpers/children.ts';
import { createTopic } from '../helpers/produce.ts';

const CHILD = fileURLToPath(new URL('./group-timeouts-member.ts', import.meta.url));
let broker: TestBroker;

before(async () => {
  broker = await startBroker({ numPartitions: 1, groupInitialRebalanceDelayMs: 0 });
  await createTopic(broker.bootstrap, 'group-timeouts', 2);
});
after(async () => {
  await broker?.stop();
});

test('a member killed after a library-initiated rejoin is expired after its own session timeout', async () => {
  const child = track(
    spawn(process.execPath, [CHILD, broker.bootstrap, 'timeouts-group'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const exited = once(child, 'close');
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, 'line')) as [string];
  assert.equal(line, 'rejoined');
  child.kill('SIGKILL');
  await exited;

  const timeouts = { sessionTimeout: 6_000, rebalanceTimeout: 300_000, heartbeatInterval: 500 };
  const survivor = createConsumer(
    { bootstrapBrokers: [broker.bootstrap] },
    { clientId: 'survivor', groupId: 'timeouts-group', ...timeouts },
  );
  try {
    survivor.topics.trackAll('group-timeouts');
    // The dead member holds the join phase until its session (6 s, or 60 s if the rejoin had sent
    // the library default) runs out; well before 60 s the survivor must be in alone.
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the dead member was kept past 40 s')), 40_000);
    });
    await Promise.race([survivor.joinGroup(timeouts), bound]).finally(() => clearTimeout(timer));
  } finally {
    await survivor.close(true);
  }
});
