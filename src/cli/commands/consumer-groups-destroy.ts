/** `samsa consumer-groups:destroy GROUP --confirm GROUP`: deletes an inactive group and its committed offsets. */
import { UsageError } from '../args.ts';
import { defineCommand } from '../command.ts';
import { confirmName } from '../confirm.ts';
import { formatJson } from '../output.ts';

export const consumerGroupsDestroyCommand = defineCommand({
  name: 'consumer-groups:destroy',
  summary: 'delete a consumer group and its committed offsets',
  args: [{ name: 'GROUP' }],
  description: 'Deletes a consumer group and its committed offsets. The group must have no active members.',
  options: [
    {
      name: 'confirm',
      type: 'string',
      placeholder: 'GROUP',
      description: 'the group name again, to confirm',
    },
  ],
  examples: ['samsa consumer-groups:destroy billing --confirm billing'],
  async run(ctx) {
    const name = ctx.args[0]!;
    if (!(await confirmName(name, ctx.string('confirm'), 'consumer group'))) {
      throw new UsageError(`not confirmed: pass --confirm ${name} to delete consumer group ${name}`);
    }
    await ctx.admin().deleteGroups({ groups: [ctx.prefix.add(name)] });
    ctx.out(ctx.json ? formatJson({ group: name, deleted: true }) : `Deleted consumer group ${name}`);
    return 0;
  },
});
