/**
 * Changing a topic's configs: `topics:retention-time NAME 7d`, `topics:compaction NAME enable`,
 * and the general `topics:config NAME [k=v ...] [--unset k]`, which lists every config when given
 * nothing to change. Changes go through IncrementalAlterConfigs, so other configs stay as they are.
 */
import { UsageError } from '../args.ts';
import { type CommandContext, defineCommand } from '../command.ts';
import { formatDuration, parseRetention } from '../duration.ts';
import { formatJson, formatTable } from '../output.ts';
import { parsePairs } from '../pairs.ts';
import { alterTopicConfigs, describeTopicConfigs, type TopicConfig } from '../topic-configs.ts';

async function apply(
  ctx: CommandContext,
  name: string,
  changes: [string, string | null][],
): Promise<TopicConfig[]> {
  const wire = ctx.prefix.add(name);
  await alterTopicConfigs(ctx.admin(), wire, changes);
  const changed = new Set(changes.map(([key]) => key));
  return (await describeTopicConfigs(ctx.admin(), wire)).filter((c) => changed.has(c.name));
}

function printChanged(ctx: CommandContext, name: string, configs: TopicConfig[], summary: string): void {
  if (ctx.json) {
    ctx.out(formatJson({ name, configs: Object.fromEntries(configs.map((c) => [c.name, c.value])) }));
  } else {
    ctx.out(summary);
  }
}

export const topicsRetentionTimeCommand = defineCommand({
  name: 'topics:retention-time',
  summary: 'set how long a topic keeps records',
  args: [{ name: 'NAME' }, { name: 'DURATION' }],
  description:
    'Sets retention.ms: records older than DURATION (7d, 36h, 90m) are deleted. "disable" keeps records forever.',
  examples: ['samsa topics:retention-time orders 7d', 'samsa topics:retention-time audit disable'],
  async run(ctx) {
    const [name, value] = [ctx.args[0]!, ctx.args[1]!];
    const ms = parseRetention(value, 'DURATION');
    const configs = await apply(ctx, name, [['retention.ms', String(ms)]]);
    printChanged(
      ctx,
      name,
      configs,
      `Retention of ${name} set to ${formatDuration(ms)} (retention.ms=${ms})`,
    );
    return 0;
  },
});

export const topicsCompactionCommand = defineCommand({
  name: 'topics:compaction',
  summary: 'turn log compaction of a topic on or off',
  args: [{ name: 'NAME' }, { name: 'enable|disable' }],
  description:
    'With compaction on (cleanup.policy=compact) a topic keeps at least the latest record of every key; off (cleanup.policy=delete) it deletes records by age and size.',
  examples: ['samsa topics:compaction user-profiles enable', 'samsa topics:compaction user-profiles disable'],
  async run(ctx) {
    const [name, state] = [ctx.args[0]!, ctx.args[1]!.toLowerCase()];
    if (!['enable', 'disable', 'on', 'off'].includes(state)) {
      throw new UsageError(`expected enable or disable, got "${ctx.args[1]}"`);
    }
    const on = state === 'enable' || state === 'on';
    const configs = await apply(ctx, name, [['cleanup.policy', on ? 'compact' : 'delete']]);
    printChanged(ctx, name, configs, `Compaction ${on ? 'enabled' : 'disabled'} on ${name}`);
    return 0;
  },
});

export const topicsConfigCommand = defineCommand({
  name: 'topics:config',
  summary: "show or change a topic's configs",
  args: [{ name: 'NAME' }, { name: 'KEY=VALUE', optional: true, variadic: true }],
  description:
    "With only NAME, lists every config with its value and where it comes from. With KEY=VALUE pairs (Kafka's config names), sets them; --unset KEY returns a config to the default.",
  options: [
    {
      name: 'unset',
      type: 'string',
      repeatable: true,
      placeholder: 'KEY',
      description: 'return a config to its default (repeatable)',
    },
  ],
  examples: [
    'samsa topics:config orders',
    'samsa topics:config orders max.message.bytes=2097152 segment.ms=3600000',
    'samsa topics:config orders --unset retention.ms',
  ],
  async run(ctx) {
    const name = ctx.args[0]!;
    const changes: [string, string | null][] = [
      ...parsePairs(ctx.args.slice(1), 'config'),
      ...ctx.list('unset').map((key): [string, null] => [key, null]),
    ];
    if (changes.length > 0) {
      const configs = await apply(ctx, name, changes);
      const lines = configs.map((c) => `  ${c.name}=${c.value ?? ''}${c.isDefault ? ' (default)' : ''}`);
      printChanged(ctx, name, configs, [`Updated ${name}:`, ...lines].join('\n'));
      return 0;
    }
    const configs = await describeTopicConfigs(ctx.admin(), ctx.prefix.add(name));
    if (ctx.json) {
      ctx.out(formatJson({ name, configs }));
      return 0;
    }
    ctx.out(
      formatTable(
        [
          { header: 'config', value: (c: TopicConfig) => c.name },
          { header: 'value', value: (c) => (c.sensitive ? '(sensitive)' : c.value) },
          { header: 'source', value: (c) => (c.isDefault ? `default (${c.source})` : 'topic') },
        ],
        configs,
      ),
    );
    return 0;
  },
});
