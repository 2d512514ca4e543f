/**
 * The commands beyond the scripted session, run in-process (`samsaInProcess`; the terminal case
 * through the real executable under a pseudo-terminal): targeted writes with
 * headers, tail's text output and filters (partition, offset, time, grep), human tables, and
 * group deletion.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { type CliResult, json, samsaInProcess } from './run-cli.ts';

let broker: TestBroker;
let run: (args: string[], input?: string) => Promise<CliResult>;
before(async () => {
  broker = await startBroker();
  run = async (args, input) => {
    const result = await samsaInProcess(
      [...args, '-b', broker.bootstrap],
      input === undefined ? {} : { input },
    );
    assert.equal(result.code, 0, `${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return result;
  };
  await run(['topics:create', 'events', '--partitions', '2']);
});
after(async () => {
  await broker?.stop();
});

interface Written {
  partition: number;
  offset: number;
}

test('write to a partition with headers; tail shows key, headers and pretty JSON', async () => {
  const written = json<Written>(
    await run([
      'topics:write',
      'events',
      '{"kind":"signup","user":7}',
      '-k',
      'u7',
      '-p',
      '1',
      '-H',
      'source=web',
      '-H',
      'v=2',
      '--json',
    ]),
  );
  assert.deepEqual(written, { topic: 'events', records: 1, partition: 1, offset: 0 });
  const text = await run([
    'topics:tail',
    'events',
    '--from-beginning',
    '--partition',
    '1',
    '--max-messages',
    '1',
  ]);
  assert.match(
    text.stdout,
    /^partition 1 {2}offset 0 {2}\d{4}-\d\d-\d\dT[\d:.]+Z {2}key u7 {2}source=web {2}v=2\n\{\n {2}"kind": "signup",\n {2}"user": 7\n\}\n$/,
  );
  const line = JSON.parse(
    (await run(['topics:tail', 'events', '--from-beginning', '-p', '1', '-n', '1', '--json'])).stdout,
  );
  assert.deepEqual(line.headers, [
    { key: 'source', value: 'web' },
    { key: 'v', value: '2' },
  ]);
});

test('tail filters: --from-offset, --from-time, --grep, --max-length', async () => {
  const before = Date.now();
  await run(['topics:write', 'events', '-p', '0'], ['alpha', 'beta', 'gamma', '', 'delta'].join('\n'));
  const fromOffset = await run([
    'topics:tail',
    'events',
    '--from-offset',
    '2',
    '-p',
    '0',
    '-n',
    '2',
    '--json',
  ]);
  assert.deepEqual(
    fromOffset.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l).value),
    ['gamma', 'delta'],
    'blank lines are skipped when writing',
  );
  const fromTime = await run([
    'topics:tail',
    'events',
    '--from-time',
    String(before - 1000),
    '-p',
    '0',
    '-n',
    '1',
    '--json',
  ]);
  assert.equal(JSON.parse(fromTime.stdout).value, 'alpha');
  const grep = await run([
    'topics:tail',
    'events',
    '--from-beginning',
    '--grep',
    '^(be|de)',
    '-n',
    '2',
    '--json',
  ]);
  assert.deepEqual(
    grep.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l).value)
      .sort(),
    ['beta', 'delta'],
  );
  const cut = await run([
    'topics:tail',
    'events',
    '--from-beginning',
    '-p',
    '0',
    '-n',
    '1',
    '--max-length',
    '3',
  ]);
  assert.match(cut.stdout, /\nalp… \(2 more characters\)\n$/);
});

test('human output of info, topics, topics:info, consumer-groups', async () => {
  const info = await run(['info']);
  assert.match(info.stdout, /^Cluster ID: +\S+\nController: +1\nBrokers: +1\nTopics: +1\nPartitions: +2\n/);
  assert.match(info.stdout, /\n1 \(controller\) +127\.0\.0\.1 +\d+ +-\n/);
  assert.equal(json<{ topics: number }>(await run(['info', '--json'])).topics, 1);
  assert.match((await run(['topics'])).stdout, /^NAME +PARTITIONS +REPLICATION\nevents +2 +1\n$/);
  const topicInfo = (await run(['topics:info', 'events'])).stdout;
  assert.match(topicInfo, /^Name: +events\n/);
  assert.match(
    topicInfo,
    /\nPARTITION +LEADER +REPLICAS +ISR +LOW +HIGH\n +0 +1 +1 +1 +0 +4\n +1 +1 +1 +1 +0 +1\n/,
  );
  assert.match((await run(['consumer-groups'])).stdout, /^No consumer groups\.\n$/);
});

test('consumer group lifecycle: consume part, see lag, shift back, destroy', async () => {
  await run(['topics:tail', 'events', '--group', 'readers', '--from-beginning', '-n', '5', '--json']);
  const info = (await run(['consumer-groups:info', 'readers'])).stdout;
  assert.match(info, /^Group: +readers\nState: +Empty\n/);
  assert.match(info, /\nTotal lag: +0\n/);
  const shifted = await run([
    'consumer-groups:reset-offsets',
    'readers',
    '--topic',
    'events:0',
    '--shift-by',
    '-3',
    '--execute',
  ]);
  assert.match(shifted.stdout, /\nevents +0 +4 +1 +4 +3\n/);
  assert.match(shifted.stdout, /Total lag is now 3\./);
  assert.match((await run(['consumer-groups'])).stdout, /\nreaders +Empty +consumer\n/);
  await run(['consumer-groups:destroy', 'readers', '--confirm', 'readers']);
  assert.match((await run(['consumer-groups'])).stdout, /^No consumer groups\./);
});

test('topics --all lists internal topics with their real partition and replica counts', async () => {
  await run(['topics:tail', 'events', '--group', 'counters', '--from-beginning', '-n', '1', '--json']);
  const all = json<{ name: string; partitions: number; replicationFactor: number; internal: boolean }[]>(
    await run(['topics', '--all', '--json']),
  );
  const offsets = all.find((t) => t.name === '__consumer_offsets');
  assert.ok(offsets, 'topics --all lists __consumer_offsets');
  assert.ok(offsets.partitions >= 1, `__consumer_offsets has ${offsets.partitions} partitions`);
  assert.equal(offsets.replicationFactor, 1);
  assert.equal(offsets.internal, true);
  assert.match((await run(['topics', '--all'])).stdout, /\n__consumer_offsets \(internal\) +\d+ +1\n/);
});

test('topics:retention-time takes -1 (keep forever), as the docs list it', async () => {
  const out = json<{ configs: Record<string, string> }>(
    await run(['topics:retention-time', 'events', '-1', '--json']),
  );
  assert.equal(out.configs['retention.ms'], '-1');
});

test('tail says what it waits for on a terminal, and nothing in a pipe', async () => {
  await run(['topics:write', 'events', 'waiting']);
  const piped = await run(['topics:tail', 'events', '--group', 'quiet', '--from-beginning', '-n', '1']);
  assert.equal(piped.stderr, '');
  // util-linux `script` gives the command a pseudo-terminal, as a user's shell would.
  const bin = fileURLToPath(new URL('../../bin/samsa.js', import.meta.url));
  const command = [process.execPath, bin, 'topics:tail', 'events', '--group', 'loud', '--from-beginning']
    .concat(['-n', '1', '-b', broker.bootstrap])
    .join(' ');
  // Not spawnSync: the broker runs in this process and must keep serving meanwhile.
  const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const tty = { status, stdout: output };
  assert.equal(tty.status, 0, tty.stdout);
  assert.match(tty.stdout, /Joining consumer group loud \(the first join can take a few seconds\)\.\.\./);
  assert.match(tty.stdout, /Joined loud; waiting for records on events \(Ctrl-C to stop\)\.\.\./);
});
