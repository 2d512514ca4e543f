/** `samsa consumer-groups`: lists consumer groups with their state. */
import { defineCommand } from '../command.ts';
import { formatJson, formatTable } from '../output.ts';

interface GroupRow {
  group: string;
  state: string;
  protocolType: string;
}

export const consumerGroupsCommand = defineCommand({
  name: 'consumer-groups',
  summary: 'list consumer groups',
  examples: ['samsa consumer-groups', 'samsa consumer-groups --json'],
  async run(ctx) {
    const groups = await ctx.admin().listGroups();
    const rows: GroupRow[] = [];
    for (const group of groups.values()) {
      const name = ctx.prefix.strip(group.id);
      if (name !== undefined)
        rows.push({ group: name, state: group.state, protocolType: group.protocolType });
    }
    rows.sort((a, b) => a.group.localeCompare(b.group));
    if (ctx.json) {
      ctx.out(formatJson(rows));
      return 0;
    }
    ctx.out(
      formatTable(
        [
          { header: 'group', value: (r: GroupRow) => r.group },
          { header: 'state', value: (r) => r.state },
          { header: 'type', value: (r) => r.protocolType || '-' },
        ],
        rows,
        'No consumer groups.',
      ),
    );
    return 0;
  },
});
