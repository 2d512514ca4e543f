/** `samsa topics`: lists topics with partition count and replication; internal topics only with `--all`. */
import { defineCommand } from '../command.ts';
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
    const metadata =
      visible.length > 0 ? await admin.metadata({ topics: visible.map((t) => t.wire) }) : undefined;
    const rows: TopicRow[] = visible
      .map(({ wire, name }) => {
        const topic = metadata?.topics.get(wire);
        return {
          name,
          partitions: topic?.partitionsCount ?? 0,
          replicationFactor: topic?.partitions[0]?.replicas.length ?? 0,
          internal: !external.has(wire) || wire.startsWith('__'),
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
