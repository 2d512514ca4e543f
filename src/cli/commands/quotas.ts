/** `samsa quotas [--user U] [--client-id C] [--ip A] [--tenant T]`: lists client quotas. */
import { defineCommand } from '../command.ts';
import { formatJson, formatTable } from '../output.ts';
import { ENTITY_OPTIONS, entityFrom, entityText } from '../quota-args.ts';

export const quotasCommand = defineCommand({
  name: 'quotas',
  summary: 'list client quotas',
  description:
    'Lists the client quotas set on the cluster (Kafka keys: producer_byte_rate, consumer_byte_rate, request_percentage, controller_mutation_rate, connection_creation_rate), or only those of the entities the flags name. <default> is the default entity of its type.',
  options: ENTITY_OPTIONS,
  examples: ['samsa quotas', 'samsa quotas --user alice', "samsa quotas --user '<default>' --json"],
  async run(ctx) {
    const parts = entityFrom(ctx);
    const entries = await ctx.admin().describeClientQuotas({
      components: parts.map((p) =>
        p.entityName === null
          ? { entityType: p.entityType, matchType: 1 as const }
          : { entityType: p.entityType, matchType: 0 as const, match: p.entityName },
      ),
    });
    const rows = entries.map((e) => ({
      entity: e.entity.map((p) => ({ entityType: p.entityType, entityName: p.entityName ?? null })),
      values: Object.fromEntries(e.values.map((v) => [v.key, v.value])),
    }));
    if (ctx.json) {
      ctx.out(formatJson(rows));
      return 0;
    }
    ctx.out(
      formatTable(
        [
          { header: 'entity', value: (r: (typeof rows)[number]) => entityText(r.entity) },
          {
            header: 'quotas',
            value: (r) =>
              Object.entries(r.values)
                .map(([k, v]) => `${k}=${v}`)
                .join(', '),
          },
        ],
        rows,
        'No client quotas.',
      ),
    );
    return 0;
  },
});
