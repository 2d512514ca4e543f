/**
 * `samsa topics:info NAME`: partitions (leader, replicas, in-sync replicas, low and high
 * watermarks), the record count they imply, and the topic's configs.
 */
import { listOffsets } from '../../client/offsets.ts';
import { defineCommand } from '../command.ts';
import { formatDuration } from '../duration.ts';
import { CliError } from '../errors.ts';
import { formatFields, formatJson, formatTable } from '../output.ts';
import { describeTopicConfigs } from '../topic-configs.ts';

interface PartitionRow {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  lowWatermark: bigint;
  highWatermark: bigint;
}

export const topicsInfoCommand = defineCommand({
  name: 'topics:info',
  summary: 'show partitions, watermarks and configs of a topic',
  args: [{ name: 'NAME' }],
  description:
    'Shows a topic: its partitions with leader, replicas, in-sync replicas and low/high watermarks (first and next offset), and its configs.',
  examples: [
    'samsa topics:info orders',
    'samsa topics:info orders --json | jq ".configs[\\"retention.ms\\"]"',
  ],
  async run(ctx) {
    const name = ctx.args[0]!;
    const wire = ctx.prefix.add(name);
    const admin = ctx.admin();
    const metadata = await admin.metadata({ topics: [wire], forceUpdate: true });
    const topic = metadata.topics.get(wire);
    if (!topic) throw new CliError(`topic ${name} not found`, '"samsa topics" lists the topics');
    const indexes = [...Array(topic.partitionsCount).keys()];
    const request = new Map([[wire, indexes]]);
    const [low, high, configs] = await Promise.all([
      listOffsets(admin, request, 'earliest'),
      listOffsets(admin, request, 'latest'),
      describeTopicConfigs(admin, wire),
    ]);
    const partitions: PartitionRow[] = indexes.map((partition) => {
      const p = topic.partitions[partition];
      return {
        partition,
        leader: p?.leader ?? -1,
        replicas: p?.replicas ?? [],
        isr: p?.isr ?? [],
        lowWatermark: low.get(wire)?.get(partition) ?? -1n,
        highWatermark: high.get(wire)?.get(partition) ?? -1n,
      };
    });
    const records = partitions.reduce((sum, p) => sum + (p.highWatermark - p.lowWatermark), 0n);
    const configMap = Object.fromEntries(configs.map((c) => [c.name, c.value]));
    if (ctx.json) {
      ctx.out(
        formatJson({
          name,
          id: topic.id,
          partitions,
          replicationFactor: partitions[0]?.replicas.length ?? 0,
          records,
          configs: configMap,
        }),
      );
      return 0;
    }
    const retention = configMap['retention.ms'];
    ctx.out(
      formatFields([
        ['Name', name],
        ['ID', topic.id],
        ['Partitions', partitions.length],
        ['Replication factor', partitions[0]?.replicas.length ?? 0],
        ['Records', `${records} (high minus low watermark; approximate when compacted)`],
        [
          'Retention',
          retention ? `${formatDuration(Number(retention))} (retention.ms=${retention})` : undefined,
        ],
        ['Cleanup policy', configMap['cleanup.policy']],
      ]),
    );
    ctx.out('');
    ctx.out(
      formatTable(
        [
          { header: 'partition', value: (p: PartitionRow) => p.partition, right: true },
          { header: 'leader', value: (p) => p.leader, right: true },
          { header: 'replicas', value: (p) => p.replicas.join(',') },
          { header: 'isr', value: (p) => p.isr.join(',') },
          { header: 'low', value: (p) => p.lowWatermark, right: true },
          { header: 'high', value: (p) => p.highWatermark, right: true },
        ],
        partitions,
      ),
    );
    const overrides = configs.filter((c) => !c.isDefault);
    ctx.out('');
    ctx.out(
      overrides.length === 0
        ? 'No configs set on this topic (all defaults; "samsa topics:config NAME" lists them).'
        : `Configs set on this topic:\n${formatTable(
            [
              { header: 'config', value: (c: (typeof overrides)[number]) => c.name },
              { header: 'value', value: (c) => c.value },
            ],
            overrides,
          )}`,
    );
    return 0;
  },
});
