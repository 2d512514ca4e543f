/**
 * `samsa consumer-groups:info GROUP`: the group's state and members, and per partition the
 * committed offset, the log end offset and the lag between them. Groups of another protocol type
 * than "consumer" (Kafka Connect workers: "connect") are shown with their members but without
 * assignments, which only the consumer protocol defines.
 */
import { type DescribedGroup, describeGroups } from '../../client/describe-groups.ts';
import { type CommandContext, defineCommand } from '../command.ts';
import { CliError } from '../errors.ts';
import { groupLag, type PartitionLag } from '../group-offsets.ts';
import { formatFields, formatJson, formatTable } from '../output.ts';

/** Describes a group; a missing group is a CliError with a hint. */
export async function describeGroup(ctx: CommandContext, group: string): Promise<DescribedGroup> {
  const id = ctx.prefix.add(group);
  const clients = { admin: ctx.admin(), connection: ctx.connection };
  const described = (await describeGroups(clients, [id], 'samsa-cli')).get(id);
  if (described) return described;
  throw new CliError(`consumer group ${group} not found`, '"samsa consumer-groups" lists the groups');
}

/** topic → partitions assigned to the group's members. */
export function assignedPartitions(group: DescribedGroup): Map<string, number[]> {
  const assigned = new Map<string, number[]>();
  for (const member of group.members) {
    for (const a of member.assignments) {
      assigned.set(a.topic, [...(assigned.get(a.topic) ?? []), ...a.partitions]);
    }
  }
  return assigned;
}

function ownerOf(group: DescribedGroup, topic: string, partition: number): string | null {
  for (const member of group.members) {
    if (member.assignments.some((a) => a.topic === topic && a.partitions.includes(partition)))
      return member.memberId;
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
    if (group.state === 'Dead' && group.members.length === 0 && lags.length === 0) {
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
    const members = group.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      host: m.host,
      assignments: m.assignments.map((a) => ({ topic: show(a.topic), partitions: a.partitions })),
    }));
    // Only the consumer protocol's assignments are readable; others (Connect's "connect") are opaque.
    const opaque = group.protocolType !== '' && group.protocolType !== 'consumer';
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
        ['Protocol type', opaque ? group.protocolType : undefined],
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
                opaque
                  ? `(${group.protocolType} protocol)`
                  : m.assignments.map((a) => `${a.topic}[${a.partitions.join(',')}]`).join(' ') || '-',
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
