/** `samsa info`: the cluster at a glance: id, controller, brokers, topic, partition and group counts. */
import { defineCommand } from '../command.ts';
import { formatFields, formatJson, formatTable } from '../output.ts';

interface BrokerRow {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export const infoCommand = defineCommand({
  name: 'info',
  summary: 'show the cluster: brokers, topic, partition and group counts',
  description:
    'Shows the cluster id, controller and brokers, and how many topics, partitions and consumer groups it has (internal topics excluded, and with KAFKA_PREFIX only those under the prefix).',
  examples: ['samsa info', 'KAFKA_URL=kafka+ssl://broker-1.example.com:9096 samsa info --json'],
  async run(ctx) {
    const admin = ctx.admin();
    const topics = (await admin.listTopics({ includeInternals: false })).filter(
      (t) => !t.startsWith('__') && ctx.prefix.strip(t) !== undefined,
    );
    const metadata = await admin.metadata({ topics, forceUpdate: true });
    const partitions = topics.reduce((sum, t) => sum + (metadata.topics.get(t)?.partitionsCount ?? 0), 0);
    const groups = await admin.listGroups().then(
      (all) => [...all.keys()].filter((g) => ctx.prefix.strip(g) !== undefined).length,
      () => null,
    );
    const brokers: BrokerRow[] = [...metadata.brokers]
      .map(([nodeId, b]) => ({ nodeId, host: b.host, port: b.port, rack: b.rack ?? null }))
      .sort((a, b) => a.nodeId - b.nodeId);
    const result = {
      clusterId: metadata.id,
      controllerId: metadata.controllerId,
      brokers,
      topics: topics.length,
      partitions,
      consumerGroups: groups,
      prefix: ctx.prefix.value || null,
    };
    if (ctx.json) {
      ctx.out(formatJson(result));
      return 0;
    }
    ctx.out(
      formatFields([
        ['Cluster ID', result.clusterId],
        ['Controller', result.controllerId],
        ['Brokers', brokers.length],
        ['Topics', result.topics],
        ['Partitions', result.partitions],
        ['Consumer groups', result.consumerGroups ?? '(unavailable)'],
        ...(ctx.prefix.value ? [['Prefix', ctx.prefix.value] as const] : []),
      ]),
    );
    ctx.out('');
    ctx.out(
      formatTable(
        [
          {
            header: 'id',
            value: (b: BrokerRow) =>
              b.nodeId === result.controllerId ? `${b.nodeId} (controller)` : b.nodeId,
          },
          { header: 'host', value: (b) => b.host },
          { header: 'port', value: (b) => b.port, right: true },
          { header: 'rack', value: (b) => b.rack },
        ],
        brokers,
      ),
    );
    return 0;
  },
});
