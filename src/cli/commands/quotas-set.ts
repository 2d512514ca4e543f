/**
 * `samsa quotas:set KEY=VALUE ... (--user U | --client-id C | --ip A | --tenant T)`: sets client
 * quota values on an entity (other keys of the entity are kept).
 */
import { UsageError } from '../args.ts';
import { defineCommand } from '../command.ts';
import { formatJson } from '../output.ts';
import { ENTITY_OPTIONS, entityText, quotaAssignment, requireEntity } from '../quota-args.ts';
import { alterQuotas } from './quotas-remove.ts';

export const quotasSetCommand = defineCommand({
  name: 'quotas:set',
  summary: 'set client quotas (Kafka key=value) on a user, client id, address or tenant',
  args: [{ name: 'KEY=VALUE', variadic: true }],
  description:
    "Sets quota values with Kafka's keys: producer_byte_rate and consumer_byte_rate (bytes per second), request_percentage (percent of the request thread), controller_mutation_rate (partitions created or deleted per second) for users and client ids; connection_creation_rate (per second) for --ip. <default> names the default entity: a quota for every user or client id that has none of its own. A user's quota is shared by all its connections; a user and client id quota by that pair.",
  options: ENTITY_OPTIONS,
  examples: [
    'samsa quotas:set producer_byte_rate=1048576 consumer_byte_rate=2097152 --user alice',
    'samsa quotas:set producer_byte_rate=524288 --tenant team-a',
    "samsa quotas:set request_percentage=50 --user '<default>'",
    'samsa quotas:set producer_byte_rate=1048576 --user alice --client-id ingest',
    "samsa quotas:set connection_creation_rate=10 --ip '<default>'",
  ],
  async run(ctx) {
    const entity = requireEntity(ctx);
    if (ctx.args.length === 0)
      throw new UsageError('give at least one KEY=VALUE (e.g. producer_byte_rate=1048576)');
    const values = ctx.args.map(quotaAssignment);
    await alterQuotas(
      ctx,
      entity,
      values.map((v) => ({ key: v.key, value: v.value, remove: false as const })),
    );
    ctx.out(
      ctx.json
        ? formatJson({ entity, values: Object.fromEntries(values.map((v) => [v.key, v.value])) })
        : `Set ${values.map((v) => `${v.key}=${v.value}`).join(', ')} for ${entityText(entity)}`,
    );
    return 0;
  },
});
