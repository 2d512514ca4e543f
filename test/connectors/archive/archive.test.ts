/**
 * The archive sink and replay against a real broker and real files: records over 3 partitions with
 * keys, binary values and headers, archived in Parquet and in jsonl.gz, read back by DuckDB (an
 * independent reader: Debian has no python3-pyarrow) with the same content, order and layout;
 * `samsa archive:ls` and `samsa archive:replay` (in-process, `samsaInProcess`: the process is not
 * what is tested) into a new topic that then holds the same records per partition in the same
 * order with the same keys, headers and timestamps; a task crash in the middle of archiving leaves
 * each offset in exactly one file after the restart; bad input.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import pino from 'pino';
import { ConnectorConfig, type SinkTaskContext } from '../../../src/connect/api/index.ts';
import { ARCHIVE_SINK_CONFIG } from '../../../src/connectors/archive/config.ts';
import { ArchiveSinkTask } from '../../../src/connectors/archive/index.ts';
import { listFiles } from '../../../src/connectors/archive/layout.ts';
import { describeFiles } from '../../../src/connectors/archive/reader.ts';
import { startBroker, type TestBroker } from '../../../src/testing/index.ts';
import { samsaInProcess } from '../../cli/run-cli.ts';
import { createTopic, produce, type TestRecord } from '../../helpers/produce.ts';
import { readTopic, runSinkTask } from '../../helpers/sink-harness.ts';
import { volume } from '../../helpers/soak.ts';

let broker: TestBroker;
const dir = mkdtempSync(join(tmpdir(), 'samsa-archive-test-'));
const TOTAL = volume(15_000, 1_000_000);
/** CLI runs over a full-size archive take minutes. */
const CLI = { timeoutMs: volume(60_000, 1_200_000) };
const BASE = Date.UTC(2026, 2, 9, 13, 30);
const topic = 'events';

before(async () => {
  broker = await startBroker({
    numPartitions: 1,
    // The records carry timestamps months old: under the default retention (7 days) the broker's
    // first retention pass, 30 s after its start, would roll and delete them while the file runs.
    retentionMs: -1,
  });
  await createTopic(broker.bootstrap, topic, 3);
  // Timestamps over two hours, so files are cut at hour directories too; binary values; null keys.
  const records: TestRecord[] = Array.from({ length: TOTAL }, (_, i) => ({
    key: i % 10 === 0 ? null : `k${i % 97}`,
    value: i % 7 === 0 ? Buffer.from([0xff, 0xfe, i & 0xff]) : JSON.stringify({ id: i, pad: 'x'.repeat(60) }),
    partition: i % 3,
    headers: { id: String(i), ...(i % 2 ? { parity: 'odd' } : {}) },
    timestamp: BASE + Math.floor((i * 7_200_000) / TOTAL),
  }));
  await produce(broker.bootstrap, topic, records, 2000);
});
after(async () => {
  await broker.stop();
});

async function waitFor(
  what: string,
  check: () => boolean,
  timeoutMs = volume(60_000, 1_200_000),
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function archive(
  path: string,
  format: string,
  group: string,
  extra: Record<string, string> = {},
): Promise<void> {
  const task = new ArchiveSinkTask();
  const harness = await runSinkTask({
    bootstrap: broker.bootstrap,
    task,
    config: { topics: topic, 'archive.path': path, 'format.class': format, 'flush.size': '2500', ...extra },
    topics: [topic],
    groupId: group,
    keyConverter: 'bytes',
    valueConverter: 'bytes',
  });
  await waitFor('archived', () => task.stats.records >= TOTAL - 3 * 2500);
  await harness.stop();
}

async function duck(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
  }
}

/** What the topic holds, as comparable rows. */
async function topicRows(name: string) {
  return (await readTopic(broker.bootstrap, name)).map((r) => ({
    partition: r.partition,
    offset: r.offset,
    timestamp: Number(r.timestamp),
    key: r.key?.toString('hex') ?? null,
    value: r.value?.toString('hex') ?? null,
    headers: r.headers.map(([k, v]) => `${k}=${v?.toString()}`).join('&'),
  }));
}

test('Parquet: archived, read back by DuckDB, listed and replayed into a new topic with the same records', async () => {
  const path = join(dir, 'parquet');
  await archive(path, 'parquet', 'g-parquet', { 'rotate.interval.ms': '3600000' });
  const files = await listFiles(path, topic);
  assert.ok(files.length >= 6, `${files.length} files`);
  assert.match(
    files[0]!.path,
    new RegExp(`${topic}/partition=0/year=2026/month=03/day=09/hour=13/${topic}\\+0\\+0000000000\\.parquet$`),
  );
  assert.ok(files.some((f) => f.path.includes('hour=14')));

  const source = await topicRows(topic);
  // DuckDB reads every file; what it reads is exactly the topic's first records of each partition.
  const rows = await duck(
    `select "partition", "offset", epoch_ms("timestamp") as ts, hex(key) as key, hex(value) as value,
            list_transform(headers, h -> h.key || '=' || decode(h.value)) as headers
     from read_parquet('${path}/${topic}/*/*/*/*/*/*.parquet', hive_partitioning = false)
     order by "partition", "offset"`,
  );
  const sorted = (list: typeof source) =>
    [...list].sort(
      (a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0),
    );
  // Each partition's archived records are its first ones (the open file is not written yet).
  const archivedPerPartition = new Map<number, number>();
  for (const r of rows)
    archivedPerPartition.set(Number(r.partition), (archivedPerPartition.get(Number(r.partition)) ?? 0) + 1);
  const expected = sorted(
    source.filter((r) => r.offset < BigInt(archivedPerPartition.get(r.partition) ?? 0)),
  );
  assert.equal(rows.length, expected.length);
  assert.ok(rows.length >= TOTAL - 3 * 2500);
  rows.forEach((row, i) => {
    const want = expected[i]!;
    assert.equal(Number(row.partition), want.partition);
    assert.equal(BigInt(row.offset as bigint), want.offset);
    assert.equal(Number(row.ts), want.timestamp);
    assert.equal(row.key === null ? null : String(row.key).toLowerCase(), want.key);
    assert.equal(String(row.value).toLowerCase(), want.value);
    assert.equal((row.headers as string[]).join('&'), want.headers);
  });

  const ls = await samsaInProcess(['archive:ls', '--path', path, '--json'], CLI);
  assert.equal(ls.code, 0, ls.stderr);
  const listed = JSON.parse(ls.stdout) as {
    partition: number;
    records: number;
    firstOffset: number;
    from: string;
  }[];
  assert.deepEqual(
    listed.map((p) => p.partition),
    [0, 1, 2],
  );
  assert.equal(
    listed.reduce((n, p) => n + p.records, 0),
    rows.length,
  );
  assert.equal(listed[0]!.from, new Date(BASE).toISOString());

  const replay = await samsaInProcess(
    ['archive:replay', '--path', path, '--topic', topic, '--to', 'events-replayed', '-b', broker.bootstrap],
    CLI,
  );
  assert.equal(replay.code, 0, replay.stderr);
  assert.match(
    replay.stdout,
    new RegExp(`Replayed ${rows.length} records of events from .* into events-replayed \\(3 partitions\\)`),
  );
  const replayed = await topicRows('events-replayed');
  assert.deepEqual(
    sorted(replayed).map(({ offset: _o, ...rest }) => rest),
    expected.map(({ offset: _o, ...rest }) => rest),
    'same records, same partitions, same order, keys, values, headers and timestamps',
  );
});

test('jsonl.gz: archived and read back by DuckDB; a time window replays only its records', async () => {
  const path = join(dir, 'jsonl');
  await archive(path, 'jsonl.gz', 'g-jsonl');
  const rows = await duck(
    `select "partition", "offset", "timestamp", key, value, value_base64, headers
     from read_json('${path}/${topic}/*/*/*/*/*/*.jsonl.gz', format = 'newline_delimited', compression = 'gzip')
     order by "partition", "offset"`,
  );
  const source = await topicRows(topic);
  assert.ok(rows.length >= TOTAL - 3 * 2500);
  for (const row of rows.slice(0, 2000)) {
    const want = source.find(
      (r) => r.partition === Number(row.partition) && r.offset === BigInt(Number(row.offset)),
    )!;
    const value = row.value_base64
      ? Buffer.from(String(row.value_base64), 'base64')
      : Buffer.from(String(row.value));
    assert.equal(value.toString('hex'), want.value);
    assert.equal(row.key === null ? null : Buffer.from(String(row.key)).toString('hex'), want.key);
    assert.equal(Number(row.timestamp), want.timestamp);
    assert.equal(
      (row.headers as { key: string; value: string }[]).map((h) => `${h.key}=${h.value}`).join('&'),
      want.headers,
    );
  }
  const from = new Date(BASE + 30 * 60_000).toISOString();
  const until = new Date(BASE + 60 * 60_000).toISOString();
  const replay = await samsaInProcess(
    [
      'archive:replay',
      '--path',
      path,
      '--topic',
      topic,
      '--to',
      'events-window',
      '--from',
      from,
      '--until',
      until,
      '--partition',
      '1',
      '-b',
      broker.bootstrap,
      '--json',
    ],
    CLI,
  );
  assert.equal(replay.code, 0, replay.stderr);
  const window = await topicRows('events-window');
  const expected = source.filter(
    (r) =>
      r.partition === 1 &&
      r.timestamp >= Date.parse(from) &&
      r.timestamp < Date.parse(until) &&
      rows.some((x) => Number(x.partition) === 1 && BigInt(Number(x.offset)) === r.offset),
  );
  assert.equal(window.length, expected.length);
  assert.ok(window.length > 0 && window.every((r) => r.partition === 1));
  assert.deepEqual(
    window.map((r) => r.value),
    expected.map((r) => r.value),
  );
});

test('a crash while archiving leaves every offset in exactly one file after the restart', async () => {
  for (const [format, extra] of [
    ['parquet', {}],
    ['jsonl.gz', { 'rotate.schedule.interval.ms': '150', 'flush.size': '100000' }],
  ] as const) {
    const path = join(dir, `crash-${format}`);
    const config = {
      topics: topic,
      'archive.path': path,
      'format.class': format,
      'flush.size': '2000',
      ...extra,
    };
    const first = new ArchiveSinkTask();
    let harness = await runSinkTask({
      bootstrap: broker.bootstrap,
      task: first,
      config,
      topics: [topic],
      groupId: `g-crash-${format}`,
      commitIntervalMs: 1000,
    });
    await waitFor('some files', () => first.stats.files >= 3);
    await harness.crash();
    const second = new ArchiveSinkTask();
    harness = await runSinkTask({
      bootstrap: broker.bootstrap,
      task: second,
      config: { ...config, 'rotate.schedule.interval.ms': '150' },
      topics: [topic],
      groupId: `g-crash-${format}`,
    });
    // Counted from file summaries while the second task writes (and removes stale files); a file
    // that vanishes meanwhile counts 0. The exact check below reads every file.
    const complete = async () => {
      try {
        return (await describeFiles(path, topic)).reduce((n, f) => n + f.count, 0);
      } catch {
        return 0;
      }
    };
    const deadline = Date.now() + volume(60_000, 1_200_000);
    while ((await complete()) < TOTAL && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, volume(200, 3_000)));
    await harness.stop();
    // Every offset once across all files (readPartition would hide duplicates, so read files raw).
    const seen = new Map<string, number>();
    const { FORMATS } = await import('../../../src/connectors/archive/formats.ts');
    for (const f of await listFiles(path, topic))
      for (const r of await FORMATS[f.format].decode(f.path))
        seen.set(`${r.partition}/${r.offset}`, (seen.get(`${r.partition}/${r.offset}`) ?? 0) + 1);
    assert.equal(seen.size, TOTAL, `${format}: every record archived`);
    assert.deepEqual(
      [...seen.values()].filter((n) => n > 1),
      [],
      `${format}: no record in two files`,
    );
    assert.deepEqual(
      readdirSync(path, { recursive: true }).filter((p) => String(p).includes('.tmp')),
      [],
      'no temporary files left',
    );
  }
});

test('bad input: an unwritable archive.path, unknown formats and path patterns', async () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const context = { logger: pino({ level: 'silent' }) } as unknown as SinkTaskContext;
  await assert.rejects(
    new ArchiveSinkTask().start({ 'archive.path': join(file, 'sub') }, context),
    (err: Error) => {
      assert.equal(err.name, 'ConnectError');
      assert.match(
        err.message,
        new RegExp(`archive.path ${join(file, 'sub')} is not a writable directory: .*(ENOTDIR|EEXIST)`),
      );
      return true;
    },
  );
  const bad = new ConnectorConfig(ARCHIVE_SINK_CONFIG, {
    'archive.path': dir,
    'format.class': 'avro',
    'path.format': "'day'=DDD",
    timezone: 'Europe/Paris',
  });
  assert.match(bad.errors.get('format.class')![0]!, /Use parquet or jsonl.gz/);
  assert.match(bad.errors.get('path.format')![0]!, /"DDD" is not supported in path.format/);
  assert.match(bad.errors.get('timezone')![0]!, /Only UTC/);
  assert.equal(
    new ConnectorConfig(ARCHIVE_SINK_CONFIG, {
      'archive.path': dir,
      'format.class': 'io.confluent.connect.s3.format.parquet.ParquetFormat',
    }).errors.size,
    0,
  );
  const missing = await samsaInProcess(
    ['archive:replay', '--path', join(dir, 'nothing'), '--topic', topic, '-b', broker.bootstrap],
    CLI,
  );
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no archive of topic events under/);
  await createTopic(broker.bootstrap, 'narrow', 1);
  const narrow = await samsaInProcess(
    [
      'archive:replay',
      '--path',
      join(dir, 'parquet'),
      '--topic',
      topic,
      '--to',
      'narrow',
      '-b',
      broker.bootstrap,
    ],
    CLI,
  );
  assert.equal(narrow.code, 1);
  assert.match(narrow.stderr, /topic narrow has 1 partition but the archive has records for partition 2/);
});
