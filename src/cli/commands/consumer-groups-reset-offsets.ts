/**
 * `samsa consumer-groups:reset-offsets GROUP --topic T (--to-earliest|--to-latest|--to-datetime T|
 * --to-offset N|--shift-by N) [--execute]`: moves a group's committed offsets, which is how users
 * replay or skip records. Dry run by default (prints the plan); `--execute` commits it, and only
 * while the group has no active members.
 */
import { listOffsets, partitionsOf } from '../../client/offsets.ts';
import { UsageError } from '../args.ts';
import { type CommandContext, defineCommand } from '../command.ts';
import { parseTimePoint } from '../duration.ts';
import { CliError } from '../errors.ts';
import { committedOffsets } from '../group-offsets.ts';
import { formatJson, formatTable } from '../output.ts';
import {
  lagAfter,
  type PartitionState,
  type PlannedReset,
  planReset,
  type ResetMode,
} from '../reset-plan.ts';
import { describeGroup } from './consumer-groups-info.ts';

const MODES = ['to-earliest', 'to-latest', 'to-datetime', 'to-offset', 'shift-by'] as const;

function resetMode(ctx: CommandContext): ResetMode {
  const given = MODES.filter((m) => ctx.options[m] !== undefined);
  if (given.length !== 1) {
    throw new UsageError(
      given.length === 0
        ? `say where to move the offsets: --${MODES.join(', --')}`
        : `choose one of --${given.join(', --')}`,
    );
  }
  const integer = (name: string): bigint => {
    const text = ctx.string(name)!;
    if (!/^[-+]?\d+$/.test(text.trim())) throw new UsageError(`--${name} must be an integer, got "${text}"`);
    return BigInt(text.trim());
  };
  switch (given[0]!) {
    case 'to-earliest':
      return { kind: 'earliest' };
    case 'to-latest':
      return { kind: 'latest' };
    case 'to-datetime':
      return { kind: 'time', ms: parseTimePoint(ctx.string('to-datetime')!, '--to-datetime') };
    case 'to-offset':
      return { kind: 'offset', offset: integer('to-offset') };
    case 'shift-by':
      return { kind: 'shift', by: integer('shift-by') };
  }
}

/** `--topic orders` or `--topic orders:0,2` → topic → partitions (undefined: all). */
export function parseTopicSelection(items: readonly string[]): Map<string, number[] | undefined> {
  const selection = new Map<string, number[] | undefined>();
  for (const item of items) {
    const colon = item.lastIndexOf(':');
    if (colon <= 0) {
      selection.set(item, undefined);
      continue;
    }
    const list = item.slice(colon + 1).split(',');
    if (!list.every((p) => /^\d+$/.test(p)))
      throw new UsageError(`--topic ${item}: expected TOPIC or TOPIC:P,P,...`);
    selection.set(item.slice(0, colon), list.map(Number));
  }
  return selection;
}

/** On-the-wire topic → partitions to reset. */
async function chosenPartitions(ctx: CommandContext, group: string): Promise<Map<string, number[]>> {
  const admin = ctx.admin();
  const topics = ctx.list('topic');
  if (ctx.flag('all-topics')) {
    if (topics.length > 0) throw new UsageError('give either --topic or --all-topics');
    const committed = await committedOffsets(admin, ctx.prefix.add(group));
    if (committed.size === 0) throw new CliError(`consumer group ${group} has no committed offsets to reset`);
    return partitionsOf(admin, [...committed.keys()]);
  }
  if (topics.length === 0) throw new UsageError('missing --topic TOPIC (or --all-topics)');
  const selection = parseTopicSelection(topics);
  const wire = [...selection.keys()].map((t) => ctx.prefix.add(t));
  const existing = await partitionsOf(admin, wire);
  const chosen = new Map<string, number[]>();
  for (const [topic, wanted] of selection) {
    const all = existing.get(ctx.prefix.add(topic));
    if (!all) throw new CliError(`topic ${topic} not found`, '"samsa topics" lists the topics');
    const missing = wanted?.filter((p) => !all.includes(p)) ?? [];
    if (missing.length > 0) throw new CliError(`topic ${topic} has no partition ${missing.join(', ')}`);
    chosen.set(ctx.prefix.add(topic), wanted ?? all);
  }
  return chosen;
}

export const consumerGroupsResetOffsetsCommand = defineCommand({
  name: 'consumer-groups:reset-offsets',
  summary: "move a consumer group's committed offsets (replay or skip records)",
  args: [{ name: 'GROUP' }],
  description: [
    "Moves a group's committed offsets so its consumers replay (or skip) records. Without --execute this",
    'is a dry run that prints the plan. The group must have no active members when executing: stop its',
    'consumers first. Targets outside a partition are moved to its first or next offset.',
  ].join('\n'),
  options: [
    {
      name: 'topic',
      short: 't',
      type: 'string',
      repeatable: true,
      placeholder: 'TOPIC[:P,..]',
      description: 'topic to reset, optionally only some partitions (repeatable)',
    },
    { name: 'all-topics', type: 'boolean', description: 'every topic the group has committed offsets for' },
    { name: 'to-earliest', type: 'boolean', description: 'to the oldest record (replay everything)' },
    { name: 'to-latest', type: 'boolean', description: 'to the end (skip everything)' },
    {
      name: 'to-datetime',
      type: 'string',
      placeholder: 'TIME',
      description: 'to the first record at or after TIME (ISO date, epoch ms, or a duration ago like 2h)',
    },
    { name: 'to-offset', type: 'string', placeholder: 'N', description: 'to offset N' },
    {
      name: 'shift-by',
      type: 'string',
      placeholder: 'N',
      description: 'by N from the committed offset (negative: back)',
    },
    { name: 'execute', type: 'boolean', description: 'apply the plan (default: only show it)' },
  ],
  examples: [
    'samsa consumer-groups:reset-offsets billing --topic orders --to-earliest',
    'samsa consumer-groups:reset-offsets billing --topic orders --to-datetime 2024-05-01T00:00:00Z --execute',
    'samsa consumer-groups:reset-offsets billing --topic orders:0,1 --shift-by -100 --execute',
    'samsa consumer-groups:reset-offsets billing --all-topics --to-datetime 2h --execute',
  ],
  async run(ctx) {
    const group = ctx.args[0]!;
    const mode = resetMode(ctx);
    const execute = ctx.flag('execute');
    const admin = ctx.admin();
    const described = await describeGroup(ctx, group).catch((err: unknown) => {
      if (err instanceof CliError) return undefined; // a group that does not exist yet can be given offsets
      throw err;
    });
    const active = described?.members.length ?? 0;
    if (active > 0 && execute) {
      throw new CliError(
        `consumer group ${group} has ${active} active member${active === 1 ? '' : 's'} (state ${described?.state})`,
        'stop its consumers first; Kafka only accepts offset resets for groups without members',
      );
    }
    const wireGroup = ctx.prefix.add(group);
    const partitions = await chosenPartitions(ctx, group);
    const [committed, earliest, latest, atTime] = await Promise.all([
      committedOffsets(admin, wireGroup, partitions),
      listOffsets(admin, partitions, 'earliest'),
      listOffsets(admin, partitions, 'latest'),
      mode.kind === 'time' ? listOffsets(admin, partitions, { timestamp: mode.ms }) : undefined,
    ]);
    const states: PartitionState[] = [];
    for (const [topic, list] of partitions) {
      for (const partition of list) {
        const at = atTime?.get(topic)?.get(partition);
        states.push({
          topic,
          partition,
          current: committed.get(topic)?.get(partition) ?? null,
          earliest: earliest.get(topic)?.get(partition) ?? 0n,
          latest: latest.get(topic)?.get(partition) ?? 0n,
          ...(at !== undefined ? { atTime: at } : {}),
        });
      }
    }
    const plan = planReset(states, mode);
    const moves = plan.filter((p): p is PlannedReset & { target: bigint } => p.target !== null);
    if (execute && moves.length > 0) {
      const byTopic = new Map<string, { partition: number; offset: bigint }[]>();
      for (const p of moves)
        byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), { partition: p.partition, offset: p.target }]);
      await admin.alterConsumerGroupOffsets({
        groupId: wireGroup,
        topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })),
      });
    }
    const show = (topic: string): string => ctx.prefix.strip(topic) ?? topic;
    const rows = plan.map((p) => ({
      topic: show(p.topic),
      partition: p.partition,
      currentOffset: p.current,
      newOffset: p.target,
      logEndOffset: p.logEnd,
      lag: p.target !== null ? p.logEnd - p.target : p.current !== null ? p.logEnd - p.current : null,
    }));
    const totalLag = lagAfter(plan);
    if (ctx.json) {
      ctx.out(formatJson({ group, executed: execute, partitions: rows, totalLag }));
      return 0;
    }
    ctx.out(
      formatTable(
        [
          { header: 'topic', value: (r: (typeof rows)[number]) => r.topic },
          { header: 'partition', value: (r) => r.partition, right: true },
          { header: 'current', value: (r) => r.currentOffset, right: true },
          { header: 'new', value: (r) => r.newOffset ?? '(unchanged: nothing committed)', right: true },
          { header: 'log end', value: (r) => r.logEndOffset, right: true },
          { header: 'lag after', value: (r) => r.lag, right: true },
        ],
        rows,
      ),
    );
    ctx.out('');
    if (execute)
      ctx.out(`Reset ${moves.length} partition offsets of group ${group}. Total lag is now ${totalLag}.`);
    else {
      if (active > 0)
        ctx.note(`Note: group ${group} has ${active} active members; stop them before --execute.`);
      ctx.out(`Dry run: nothing changed. Add --execute to apply (total lag would be ${totalLag}).`);
    }
    return 0;
  },
});
