/**
 * `samsa topics:partitions NAME N`: grows a topic to N partitions (Kafka cannot shrink them). Keys
 * hash to new partitions afterwards, so per-key order only holds for records written after.
 */

import { UsageError } from '../args.ts';
import { defineCommand } from '../command.ts';
import { formatJson } from '../output.ts';

export const topicsPartitionsCommand = defineCommand({
  name: 'topics:partitions',
  summary: 'increase the number of partitions of a topic',
  args: [{ name: 'NAME' }, { name: 'COUNT' }],
  description:
    'Grows a topic to COUNT partitions. Partitions cannot be removed. Records with the same key may land in a different partition afterwards.',
  examples: ['samsa topics:partitions orders 6'],
  async run(ctx) {
    const [name, countText] = [ctx.args[0]!, ctx.args[1]!];
    const count = Number(countText);
    if (!/^\d+$/.test(countText) || count < 1)
      throw new UsageError(`COUNT must be a positive integer, got "${countText}"`);
    await ctx.admin().createPartitions({ topics: [{ name: ctx.prefix.add(name), count }] });
    ctx.out(ctx.json ? formatJson({ name, partitions: count }) : `Topic ${name} now has ${count} partitions`);
    return 0;
  },
});
