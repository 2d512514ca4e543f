/**
 * The scripted session from the CLI issue: create a 3-partition
 * topic with 2 days of retention, write 10,000 lines from stdin and one keyed JSON record, list and
 * describe it, tail every record, consume it as a group (lag 0), reset the group to the earliest
 * offsets (lag 10,001), destroy the topic. `run` decides how the CLI runs (the executable or
 * in-process) and finds the broker.
 */
import assert from 'node:assert/strict';
import type { CliResult, CliRunOptions } from './run-cli.ts';
import { json } from './run-cli.ts';

export type Run = (args: readonly string[], options?: CliRunOptions) => Promise<CliResult>;

const LINES = 10_000;
const KEYED = '{"id":42,"name":"keyed record","tags":["a","b"]}';

function ok(result: CliResult, what: string): CliResult {
  assert.equal(
    result.code,
    0,
    `${what} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
  );
  return result;
}

interface PartitionLag {
  topic: string;
  partition: number;
  committedOffset: number | null;
  logEndOffset: number | null;
  lag: number | null;
}

interface GroupInfo {
  group: string;
  state: string;
  partitions: PartitionLag[];
  totalLag: number;
}

interface TailRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  headers: { key: string; value: string | null }[];
  value: string | null;
}

/** Hooks to look at the cluster directly while the topic and group exist. */
export interface SessionHooks {
  afterGroupConsumed?(): Promise<void>;
}

export async function scriptedSession(
  run: Run,
  topic: string,
  group: string,
  hooks: SessionHooks = {},
): Promise<void> {
  const created = ok(
    await run(['topics:create', topic, '--partitions', '3', '--retention-time', '2d']),
    'create',
  );
  assert.match(created.stdout, new RegExp(`Created topic ${topic} \\(3 partitions, retention 2d\\)`));

  const lines = Array.from({ length: LINES }, (_, i) => `line ${i + 1}`);
  const written = ok(await run(['topics:write', topic], { input: `${lines.join('\n')}\n` }), 'write stdin');
  assert.match(written.stdout, new RegExp(`Wrote ${LINES} records to ${topic}`));
  const keyed = ok(await run(['topics:write', topic, KEYED, '--key', 'user-42', '--json']), 'write keyed');
  assert.equal(json<{ records: number }>(keyed).records, 1);

  const topics = json<{ name: string; partitions: number }[]>(ok(await run(['topics', '--json']), 'topics'));
  assert.deepEqual(
    topics.find((t) => t.name === topic),
    { name: topic, partitions: 3, replicationFactor: 1, internal: false },
  );

  const info = json<{
    name: string;
    partitions: { highWatermark: number }[];
    configs: Record<string, string>;
    records: number;
  }>(ok(await run(['topics:info', topic, '--json']), 'topics:info'));
  assert.equal(info.name, topic);
  assert.equal(info.partitions.length, 3);
  assert.equal(info.configs['retention.ms'], '172800000');
  assert.equal(info.records, LINES + 1);

  const tail = ok(
    await run(['topics:tail', topic, '--from-beginning', '--json', '--max-messages', String(LINES + 1)]),
    'tail',
  );
  const records = tail.stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as TailRecord);
  assert.equal(records.length, LINES + 1);
  assert.deepEqual(
    records.map((r) => r.value).sort(),
    [...lines, KEYED].sort(),
    'exactly the written records',
  );
  assert.ok(records.every((r) => r.topic === topic));
  const keyedRecord = records.find((r) => r.key !== null);
  assert.deepEqual({ key: keyedRecord?.key, value: keyedRecord?.value }, { key: 'user-42', value: KEYED });
  assert.equal(records.filter((r) => r.key !== null).length, 1);
  assert.equal(new Set(records.map((r) => `${r.partition}/${r.offset}`)).size, LINES + 1, 'no duplicates');

  const asGroup = ok(
    await run([
      'topics:tail',
      topic,
      '--from-beginning',
      '--json',
      '--max-messages',
      String(LINES + 1),
      '--group',
      group,
    ]),
    'tail --group',
  );
  assert.equal(asGroup.stdout.trimEnd().split('\n').length, LINES + 1);

  const consumed = json<GroupInfo>(ok(await run(['consumer-groups:info', group, '--json']), 'group info'));
  assert.equal(consumed.group, group);
  assert.equal(consumed.partitions.length, 3);
  assert.ok(consumed.partitions.every((p) => p.topic === topic && p.lag === 0));
  assert.equal(consumed.totalLag, 0);
  const groups = json<{ group: string }[]>(ok(await run(['consumer-groups', '--json']), 'groups'));
  assert.ok(groups.some((g) => g.group === group));
  await hooks.afterGroupConsumed?.();

  const dryRun = ok(
    await run(['consumer-groups:reset-offsets', group, '--topic', topic, '--to-earliest']),
    'dry run',
  );
  assert.match(dryRun.stdout, /Dry run: nothing changed/);
  const unchanged = json<GroupInfo>(ok(await run(['consumer-groups:info', group, '--json']), 'group info'));
  assert.equal(unchanged.totalLag, 0, 'a dry run changes nothing');

  const reset = ok(
    await run([
      'consumer-groups:reset-offsets',
      group,
      '--topic',
      topic,
      '--to-earliest',
      '--execute',
      '--json',
    ]),
    'reset',
  );
  assert.equal(json<{ executed: boolean; totalLag: number }>(reset).totalLag, LINES + 1);
  const replay = json<GroupInfo>(ok(await run(['consumer-groups:info', group, '--json']), 'group info'));
  assert.equal(replay.totalLag, LINES + 1);
  assert.ok(replay.partitions.every((p) => p.committedOffset === 0));

  const destroyed = ok(await run(['topics:destroy', topic, '--confirm', topic]), 'destroy');
  assert.match(destroyed.stdout, new RegExp(`Deleted topic ${topic}`));
  const after = json<{ name: string }[]>(ok(await run(['topics', '--json']), 'topics'));
  assert.ok(!after.some((t) => t.name === topic), 'topic gone');
}
