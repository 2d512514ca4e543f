/**
 * `samsa quotas:remove [KEY ...] (--user U | --client-id C | --ip A | --tenant T)`: removes quota
 * values from an entity, every one it has when no key is given.
 */

import { type CommandContext, defineCommand } from '../command.ts';
import { CliError } from '../errors.ts';
import { formatJson } from '../output.ts';
import {
  ENTITY_OPTIONS,
  type EntityPart,
  entityText,
  type QuotaKeyName,
  quotaKey,
  requireEntity,
} from '../quota-args.ts';

type AlterOp = { key: QuotaKeyName; value: number; remove: false } | { key: QuotaKeyName; remove: true };

/** Sends one AlterClientQuotas entry; the broker's refusal of it becomes an error with its reason. */
export async function alterQuotas(ctx: CommandContext, entity: EntityPart[], ops: AlterOp[]): Promise<void> {
  const results = await ctx.admin().alterClientQuotas({ entries: [{ entities: entity, ops }] });
  const failed = results.find((r) => r.errorCode !== 0);
  if (failed) throw new CliError(`altering quotas of ${entityText(entity)} failed: ${failed.errorMessage}`);
}

export const quotasRemoveCommand = defineCommand({
  name: 'quotas:remove',
  summary: 'remove client quotas from a user, client id, address or tenant',
  args: [{ name: 'KEY', optional: true, variadic: true }],
  description:
    "Removes the named quota keys from the entity, or all of its quotas when no key is given. Clients then fall back to the next quota by Kafka's precedence (e.g. the <default> user), or are not throttled.",
  options: ENTITY_OPTIONS,
  examples: [
    'samsa quotas:remove producer_byte_rate --user alice',
    'samsa quotas:remove --tenant team-a',
    "samsa quotas:remove --ip '<default>'",
  ],
  async run(ctx) {
    const entity = requireEntity(ctx);
    let keys = ctx.args.map(quotaKey);
    if (keys.length === 0) {
      const found = await ctx.admin().describeClientQuotas({
        components: entity.map((p) =>
          p.entityName === null
            ? { entityType: p.entityType, matchType: 1 as const }
            : { entityType: p.entityType, matchType: 0 as const, match: p.entityName },
        ),
        strict: true,
      });
      keys = [...new Set(found.flatMap((e) => e.values.map((v) => quotaKey(v.key))))];
    }
    if (keys.length > 0)
      await alterQuotas(
        ctx,
        entity,
        keys.map((key) => ({ key, remove: true as const })),
      );
    ctx.out(
      ctx.json
        ? formatJson({ entity, removed: keys })
        : keys.length === 0
          ? `No quotas set for ${entityText(entity)}`
          : `Removed ${keys.join(', ')} from ${entityText(entity)}`,
    );
    return 0;
  },
});
