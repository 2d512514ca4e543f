/**
 * `samsa topics:destroy NAME --confirm NAME`: deletes a topic and all its records. Without
 * `--confirm`, asks for the name on a terminal and refuses otherwise.
 */
import { UsageError } from '../args.ts';
import { defineCommand } from '../command.ts';
import { confirmName } from '../confirm.ts';
import { formatJson } from '../output.ts';

export const topicsDestroyCommand = defineCommand({
  name: 'topics:destroy',
  summary: 'delete a topic and its records',
  args: [{ name: 'NAME' }],
  description: 'Deletes a topic and all its records. This cannot be undone.',
  options: [
    { name: 'confirm', type: 'string', placeholder: 'NAME', description: 'the topic name again, to confirm' },
  ],
  examples: ['samsa topics:destroy orders --confirm orders'],
  async run(ctx) {
    const name = ctx.args[0]!;
    if (!(await confirmName(name, ctx.string('confirm'), 'topic'))) {
      throw new UsageError(`not confirmed: pass --confirm ${name} to delete topic ${name}`);
    }
    await ctx.admin().deleteTopics({ topics: [ctx.prefix.add(name)] });
    ctx.out(ctx.json ? formatJson({ name, deleted: true }) : `Deleted topic ${name}`);
    return 0;
  },
});
