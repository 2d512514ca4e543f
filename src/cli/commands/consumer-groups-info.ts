/**
 * `samsa consumer-groups:info GROUP`: the group's state and members, and per partition the
 * committed offset, the log end offset and the lag between them.
 */
import type { Group } from '@platformatic/kafka';
import { type CommandContext, defineCommand } from '../command.ts';
import { CliError, kafkaErrorNames } from '../errors.ts';
import { groupLag, type PartitionLag } from '../group-offsets.ts';
import { formatFields, formatJson, formatTable } from '../output.ts';

/** Describes a group; a missing group is a CliError with a hint. */
export async function describeGroup(ctx: CommandContext, group: string): Promise<Group> {
  try {
    const described = (await ctx.admin().describeGroups({ groups: [ctx.prefix.add(group)] })).get(
      ctx.prefix.add(group),
    );
    if (described) return described;
  } catch (err) {
    if (!kafkaErrorNames(err).includes('GROUP_ID_NOT_FOUND')) throw err;
  }
  throw new CliError(`consumer group ${group} not found`, '"samsa consumer-groups" lists the groups');
}

/** topic → partitions assigned to the group's members. */
export function assignedPartitions(group: Group): Map<string, number[]> {
  const assigned = new Map<string, number[]>();
  for (const member of group.members.values()) {
    for (const [topic, assignment] of member.assignments ?? []) {
      assigned.set(topic, [...(assigned.get(topic) ?? []), ...assignment.partitions]);
    }
  }
  return assigned;
}

function ownerOf(group: Group, topic: string, partition: number): string | null {
  for (const member of group.members.values()) {
    if (member.assignments?.get(topic)?.partitions.includes(partition)) return member.id;
  }
  return null;
}

export const consumerGroupsInfoCommand = defineCommand({
  name: 'consumer-groups:info',
  summary: 'show state, members, committed offsets and lag of a consumer group',
  args: [{ name: 'GROUP' }],
  description:
    "Shows a consumer group: its state, its members and what they are assigned, and per partition the group's committed offset, the log end offset and the lag (log end minus committed).",
  examples: [
    'samsa consumer-groups:info billing',
    'samsa consumer-groups:info billing --json | jq .totalLag',
  ],
  async run(ctx) {
    const name = ctx.args[0]!;
    const group = await describeGroup(ctx, name);
    const lags = await groupLag(ctx.admin(), ctx.prefix.add(name), assignedPartitions(group));
    if (group.state === 'Dead' && group.members.size === 0 && lags.length === 0) {
      throw new CliError(`consumer group ${name} not found`, '"samsa consumer-groups" lists the groups');
    }
    const show = (topic: string): string => ctx.prefix.strip(topic) ?? topic;
    const partitions = lags.map((l: PartitionLag) => ({
      topic: show(l.topic),
      partition: l.partition,
      committedOffset: l.committed,
      logEndOffset: l.logEnd,
      lag: l.lag,
      memberId: ownerOf(group, l.topic, l.partition),
    }));
    const totalLag = lags.reduce((sum, l) => sum + (l.lag ?? 0n), 0n);
    const members = [...group.members.values()].map((m) => ({
      memberId: m.id,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      host: m.clientHost,
      assignments: [...(m.assignments?.values() ?? [])].map((a) => ({
        topic: show(a.topic),
        partitions: a.partitions,
      })),
    }));
    if (ctx.json) {
      ctx.out(
        formatJson({
          group: name,
          state: group.state,
          protocolType: group.protocolType,
          protocol: group.protocol,
          members,
          partitions,
          totalLag,
        }),
      );
      return 0;
    }
    ctx.out(
      formatFields([
        ['Group', name],
        ['State', group.state],
        ['Protocol', group.protocol || undefined],
        ['Members', members.length],
        ['Total lag', totalLag],
      ]),
    );
    if (members.length > 0) {
      ctx.out('');
      ctx.out(
        formatTable(
          [
            { header: 'member', value: (m: (typeof members)[number]) => m.memberId },
            { header: 'client', value: (m) => m.clientId },
            { header: 'host', value: (m) => m.host },
            {
              header: 'assigned',
              value: (m) =>
                m.assignments.map((a) => `${a.topic}[${a.partitions.join(',')}]`).join(' ') || '-',
            },
          ],
          members,
        ),
      );
    }
    ctx.out('');
    ctx.out(
      formatTable(
        [
          { header: 'topic', value: (p: (typeof partitions)[number]) => p.topic },
          { header: 'partition', value: (p) => p.partition, right: true },
          { header: 'committed', value: (p) => p.committedOffset, right: true },
          { header: 'log end', value: (p) => p.logEndOffset, right: true },
          { header: 'lag', value: (p) => p.lag, right: true },
          { header: 'member', value: (p) => p.memberId },
        ],
        partitions,
        'No committed offsets.',
      ),
    );
    return 0;
  },
});
