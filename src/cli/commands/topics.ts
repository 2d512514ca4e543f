/** `samsa topics`: lists topics with partition count and replication; internal topics only with `--all`. */
import { describeTopicShapes } from '../../client/topic-metadata.ts';
import { CLIENT_ID, defineCommand } from '../command.ts';
import { formatJson, formatTable } from '../output.ts';

interface TopicRow {
  name: string;
  partitions: number;
  replicationFactor: number;
  internal: boolean;
}

export const topicsCommand = defineCommand({
  name: 'topics',
  summary: 'list topics',
  options: [
    { name: 'all', type: 'boolean', description: 'include internal topics (like __consumer_offsets)' },
  ],
  examples: ['samsa topics', 'samsa topics --all', 'samsa topics --json | jq -r ".[].name"'],
  async run(ctx) {
    const admin = ctx.admin();
    const all = ctx.flag('all');
    const external = new Set(await admin.listTopics({ includeInternals: false }));
    const names = all ? await admin.listTopics({ includeInternals: true }) : [...external];
    const visible = names
      .filter((wire) => all || !wire.startsWith('__'))
      .map((wire) => ({ wire, name: ctx.prefix.strip(wire) }))
      .filter((t): t is { wire: string; name: string } => t.name !== undefined);
    // Metadata straight from the broker: the client library's cache leaves out internal topics.
    const shapes = new Map(
      (
        await describeTopicShapes(
          ctx.connection,
          CLIENT_ID,
          visible.map((t) => t.wire),
        )
      ).map((t) => [t.name, t]),
    );
    const rows: TopicRow[] = visible
      .map(({ wire, name }) => {
        const shape = shapes.get(wire);
        return {
          name,
          partitions: shape?.partitions ?? 0,
          replicationFactor: shape?.replicationFactor ?? 0,
          internal: shape?.internal === true || !external.has(wire) || wire.startsWith('__'),
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    if (ctx.json) {
      ctx.out(formatJson(rows));
      return 0;
    }
    ctx.out(
      formatTable(
        [
          { header: 'name', value: (r: TopicRow) => r.name + (r.internal ? ' (internal)' : '') },
          { header: 'partitions', value: (r) => r.partitions, right: true },
          { header: 'replication', value: (r) => r.replicationFactor, right: true },
        ],
        rows,
        'No topics. Create one with "samsa topics:create NAME".',
      ),
    );
    return 0;
  },
});
