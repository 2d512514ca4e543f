/**
 * Changing topics after creation: retention, compaction, any config, partition count. Needs the
 * broker's IncrementalAlterConfigs (key 44) and CreatePartitions (key 37).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { type CliResult, json, samsaInProcess } from './run-cli.ts';

let broker: TestBroker;
let run: (...args: string[]) => Promise<CliResult>;
before(async () => {
  broker = await startBroker();
  run = (...args) => samsaInProcess([...args, '-b', broker.bootstrap]);
  assert.equal(
    (await run('topics:create', 'settings', '--compaction', '--config', 'max.message.bytes=2097152')).code,
    0,
  );
});
after(async () => {
  await broker?.stop();
});

function ok(result: CliResult): CliResult {
  assert.equal(result.code, 0, result.stderr);
  return result;
}

async function configs(): Promise<Record<string, string>> {
  return json<{ configs: Record<string, string> }>(ok(await run('topics:info', 'settings', '--json')))
    .configs;
}

test('create applied --compaction and --config', async () => {
  const c = await configs();
  assert.equal(c['cleanup.policy'], 'compact');
  assert.equal(c['max.message.bytes'], '2097152');
});

test('topics:retention-time sets retention.ms from a duration, disable keeps forever', async () => {
  assert.match(
    ok(await run('topics:retention-time', 'settings', '36h')).stdout,
    /set to 1d12h \(retention.ms=129600000\)/,
  );
  assert.equal((await configs())['retention.ms'], '129600000');
  ok(await run('topics:retention-time', 'settings', 'disable'));
  assert.equal((await configs())['retention.ms'], '-1');
});

test('topics:compaction toggles cleanup.policy', async () => {
  ok(await run('topics:compaction', 'settings', 'disable'));
  assert.equal((await configs())['cleanup.policy'], 'delete');
  ok(await run('topics:compaction', 'settings', 'enable'));
  assert.equal((await configs())['cleanup.policy'], 'compact');
  assert.equal((await run('topics:compaction', 'settings', 'maybe')).code, 2);
});

test('topics:config lists, sets and unsets configs', async () => {
  const listed = ok(await run('topics:config', 'settings')).stdout;
  assert.match(listed, /\nmax\.message\.bytes +2097152 +topic\n/);
  ok(await run('topics:config', 'settings', 'segment.ms=3600000', '--unset', 'max.message.bytes'));
  const c = await configs();
  assert.equal(c['segment.ms'], '3600000');
  assert.notEqual(c['max.message.bytes'], '2097152');
  const bad = await run('topics:config', 'settings', 'retention.ms=soon');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /INVALID_CONFIG/);
});

test('topics:partitions grows a topic and refuses to shrink it', async () => {
  assert.match(ok(await run('topics:partitions', 'settings', '4')).stdout, /now has 4 partitions/);
  assert.equal(
    json<{ partitions: unknown[] }>(ok(await run('topics:info', 'settings', '--json'))).partitions.length,
    4,
  );
  const shrink = await run('topics:partitions', 'settings', '2');
  assert.equal(shrink.code, 1);
  assert.match(shrink.stderr, /INVALID_PARTITIONS/);
});
