/**
 * Distributed mode: an in-process worker and a `samsa connect` child process with the same group
 * id form one cluster over the Kafka group protocol; a request to either worker is served (or
 * forwarded to the leader); the internal topics hold Kafka Connect's record formats; and when the
 * child is killed with SIGKILL its task moves to the surviving worker and continues from the
 * committed source offset (no line lost, none repeated).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import {
  allRunning,
  connectClient,
  startConnect,
  type TestConnect,
  topicRecords,
  topicValues,
} from '../helpers/connect.ts';

const BIN = fileURLToPath(new URL('../../bin/samsa.js', import.meta.url));
const GROUP = 'dist-test';
const SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';
const dir = mkdtempSync(join(tmpdir(), 'samsa-connect-dist-'));

let broker: TestBroker;
let local: TestConnect;
let child: ChildProcess | null = null;
let remote: ReturnType<typeof connectClient<{ restUrl: string }>>;

function startChildWorker(): Promise<{ process: ChildProcess; url: string }> {
  const config = join(dir, 'worker.properties');
  writeFileSync(
    config,
    [
      `group.id=${GROUP}`,
      `config.storage.topic=${GROUP}-configs`,
      `offset.storage.topic=${GROUP}-offsets`,
      `status.storage.topic=${GROUP}-status`,
      'offset.storage.partitions=3',
      'status.storage.partitions=1',
      'offset.flush.interval.ms=200',
      'session.timeout.ms=6000',
      'heartbeat.interval.ms=500',
      'rebalance.timeout.ms=10000',
    ].join('\n'),
  );
  const p = spawn(
    process.execPath,
    [BIN, 'connect', '--bootstrap-server', broker.bootstrap, '--rest-port', '0', '--config', config],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SAMSA_CONNECT_LOG_LEVEL: 'error' },
    },
  );
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`child worker did not start:\n${err}`)), 60_000);
    p.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ process: p, url: m[1]! });
      }
    });
    p.on('exit', (code) => reject(new Error(`child worker exited ${code}:\n${err}`)));
  });
}

before(async () => {
  broker = await startBroker();
  local = await startConnect({ bootstrap: broker.bootstrap, groupId: GROUP });
  const started = await startChildWorker();
  child = started.process;
  remote = connectClient({ restUrl: started.url });
});

after(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await local?.stop();
  await broker?.stop();
});

test('two workers share connectors; SIGKILL of one moves its task, which resumes from committed offsets', async () => {
  const files = ['a', 'b'].map((n) => join(dir, `${n}.txt`));
  files.forEach((f, i) => {
    writeFileSync(f, `${i}-1\n${i}-2\n`);
  });
  // One request to each worker: whichever is not the leader forwards it.
  for (const [i, worker] of [local, remote].entries()) {
    const r = await worker.call('POST', '/connectors', {
      name: `src-${i}`,
      config: { 'connector.class': SOURCE, file: files[i], topic: `dist-${i}` },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  // Both workers see both connectors, and the eager round robin gave each worker one task.
  for (const i of [0, 1]) await local.waitForStatus(`src-${i}`, allRunning(), 30_000);
  assert.deepEqual((await remote.call('GET', '/connectors')).body, ['src-0', 'src-1']);
  const owners = await Promise.all(
    [0, 1].map(
      async (i) =>
        (await local.call<{ tasks: { worker_id: string }[] }>('GET', `/connectors/src-${i}/status`)).body
          .tasks[0]!.worker_id,
    ),
  );
  const remoteId = remote.restUrl.replace('http://', '');
  assert.deepEqual([...owners].sort(), [local.workerId, remoteId].sort());
  const onChild = owners.indexOf(remoteId);

  // The child's task flushed its offset for both lines before it dies.
  const deadline = Date.now() + 10_000;
  let position = 0;
  while (Date.now() < deadline && position !== 8) {
    const o = await local.call<{ offsets: { offset: { position: number } }[] }>(
      'GET',
      `/connectors/src-${onChild}/offsets`,
    );
    position = o.body.offsets[0]?.offset.position ?? 0;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(position, 8);
  child!.kill('SIGKILL');
  appendFileSync(files[onChild]!, `${onChild}-3\n`);

  const moved = await local.waitForStatus(
    `src-${onChild}`,
    (s) =>
      s.tasks[0]?.state === 'RUNNING' &&
      s.tasks[0]?.worker_id === local.workerId &&
      s.connector.worker_id === local.workerId,
    40_000,
  );
  assert.equal(moved.connector.state, 'RUNNING');
  const lineDeadline = Date.now() + 20_000;
  let values: string[] = [];
  while (Date.now() < lineDeadline) {
    values = await topicValues(broker.bootstrap, `dist-${onChild}`);
    if (values.length >= 3) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const lines = values.map((v) => (JSON.parse(v) as { payload: string }).payload);
  assert.deepEqual(lines, [`${onChild}-1`, `${onChild}-2`, `${onChild}-3`], 'every line once, in order');
});

test("the internal topics hold Kafka Connect's record formats", async () => {
  const configs = new Map(
    (await topicRecords(broker.bootstrap, `${GROUP}-configs`)).map((r) => [r.key, r.value]),
  );
  assert.deepEqual(JSON.parse(configs.get('connector-src-0')!), {
    properties: { 'connector.class': SOURCE, file: join(dir, 'a.txt'), topic: 'dist-0', name: 'src-0' },
  });
  assert.deepEqual(JSON.parse(configs.get('task-src-0-0')!), JSON.parse(configs.get('connector-src-0')!));
  assert.deepEqual(JSON.parse(configs.get('commit-src-0')!), { tasks: 1 });
  const offsets = await topicRecords(broker.bootstrap, `${GROUP}-offsets`);
  const offset = offsets.find((r) => r.key === JSON.stringify(['src-0', { filename: join(dir, 'a.txt') }]));
  // 8 bytes (two lines), or the whole file when src-0's task was the one that moved.
  const position = (JSON.parse(offset?.value ?? 'null') as { position: number }).position;
  assert.ok([8, statSync(join(dir, 'a.txt')).size].includes(position), `position ${position}`);
  const statuses = new Map(
    (await topicRecords(broker.bootstrap, `${GROUP}-status`)).map((r) => [r.key, r.value]),
  );
  const status = JSON.parse(statuses.get('status-task-src-0-0') ?? 'null') as Record<string, unknown>;
  assert.deepEqual(Object.keys(status).sort(), ['generation', 'state', 'trace', 'worker_id']);
  assert.ok(statuses.has('status-connector-src-1'));
  assert.ok(statuses.has('status-topic-dist-0:connector-src-0'));
});
