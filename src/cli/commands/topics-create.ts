/**
 * `samsa topics:create NAME`: creates a topic with a partition count, replication factor,
 * retention (`--retention-time 7d`), compaction and any Kafka topic config (`--config k=v`).
 */
import { UsageError } from '../args.ts';
import { defineCommand } from '../command.ts';
import { formatDuration, parseRetention } from '../duration.ts';
import { assertSendableName } from '../names.ts';
import { formatJson } from '../output.ts';
import { parsePairs } from '../pairs.ts';

/** Topic configs from the create flags, in Kafka's names. */
export function createConfigs(options: {
  retention?: string;
  compaction: boolean;
  configs: readonly string[];
}): Record<string, string> {
  const configs = Object.fromEntries(parsePairs(options.configs, '--config'));
  if (options.retention !== undefined) {
    if ('retention.ms' in configs)
      throw new UsageError('give retention once: --retention-time or --config retention.ms');
    configs['retention.ms'] = String(parseRetention(options.retention, '--retention-time'));
  }
  if (options.compaction) {
    if ('cleanup.policy' in configs)
      throw new UsageError('give the cleanup policy once: --compaction or --config cleanup.policy');
    // With an explicit retention as well, old records are both compacted and deleted by age.
    configs['cleanup.policy'] = options.retention !== undefined ? 'compact,delete' : 'compact';
  }
  return configs;
}

export const topicsCreateCommand = defineCommand({
  name: 'topics:create',
  summary: 'create a topic',
  args: [{ name: 'NAME' }],
  description:
    "Creates a topic. Unset options take the cluster's defaults (num.partitions, default.replication.factor, log.retention.ms).",
  options: [
    { name: 'partitions', short: 'p', type: 'string', placeholder: 'N', description: 'number of partitions' },
    {
      name: 'replication-factor',
      short: 'r',
      type: 'string',
      placeholder: 'N',
      description: 'copies of each partition',
    },
    {
      name: 'retention-time',
      type: 'string',
      placeholder: 'DURATION',
      description: 'how long to keep records: 7d, 36h, 90m, or "disable" to keep them forever',
    },
    {
      name: 'compaction',
      type: 'boolean',
      description: 'keep only the latest record per key (cleanup.policy=compact)',
    },
    {
      name: 'config',
      short: 'c',
      type: 'string',
      repeatable: true,
      placeholder: 'KEY=VALUE',
      description: 'any topic config, e.g. max.message.bytes=2097152 (repeatable)',
    },
  ],
  examples: [
    'samsa topics:create orders --partitions 3 --retention-time 7d',
    'samsa topics:create user-profiles --compaction',
    'samsa topics:create audit --retention-time disable --config max.message.bytes=2097152',
  ],
  async run(ctx) {
    const name = ctx.args[0]!;
    assertSendableName(name, 'topic');
    const partitions = ctx.integer('partitions', 1);
    const replicas = ctx.integer('replication-factor', 1);
    const retention = ctx.string('retention-time');
    const configs = createConfigs({
      ...(retention !== undefined ? { retention } : {}),
      compaction: ctx.flag('compaction'),
      configs: ctx.list('config'),
    });
    const [created] = await ctx.admin().createTopics({
      topics: [ctx.prefix.add(name)],
      ...(partitions !== undefined ? { partitions } : {}),
      ...(replicas !== undefined ? { replicas } : {}),
      configs: Object.entries(configs).map(([key, value]) => ({ name: key, value })),
    });
    const result = {
      name,
      id: created?.id ?? null,
      partitions: created && created.partitions > 0 ? created.partitions : (partitions ?? null),
      replicationFactor: created && created.replicas > 0 ? created.replicas : (replicas ?? null),
      configs,
    };
    if (ctx.json) {
      ctx.out(formatJson(result));
      return 0;
    }
    const details = [
      result.partitions !== null
        ? `${result.partitions} partition${result.partitions === 1 ? '' : 's'}`
        : undefined,
      configs['retention.ms'] !== undefined
        ? `retention ${formatDuration(Number(configs['retention.ms']))}`
        : undefined,
      configs['cleanup.policy']?.includes('compact') ? 'compaction' : undefined,
    ].filter((d) => d !== undefined);
    ctx.out(`Created topic ${name}${details.length > 0 ? ` (${details.join(', ')})` : ''}`);
    return 0;
  },
});
