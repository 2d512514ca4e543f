/**
 * `samsa acls:create --principal P --operation OP [--operation OP ...] (--topic T | --group G |
 * --transactional-id X | --cluster) [--prefixed] [--deny] [--host H]`: adds ACL bindings, one per
 * operation.
 */

import {
  ACL_COLUMNS,
  type AclRow,
  aclRow,
  operationsFrom,
  permissionFrom,
  principalFrom,
  RESOURCE_OPTIONS,
  resourceFrom,
} from '../acl-args.ts';
import { UsageError } from '../args.ts';
import { defineCommand } from '../command.ts';
import { formatJson, formatTable } from '../output.ts';

export const aclsCreateCommand = defineCommand({
  name: 'acls:create',
  summary: 'allow (or deny) a principal operations on a resource',
  description:
    'Adds one ACL binding per --operation. Operations: all, read, write, create, delete, alter, describe, cluster-action, describe-configs, alter-configs, idempotent-write.',
  options: [
    ...RESOURCE_OPTIONS,
    {
      name: 'principal',
      type: 'string',
      placeholder: 'PRINCIPAL',
      description: 'who (User:alice; a bare name means User:)',
    },
    {
      name: 'operation',
      type: 'string',
      repeatable: true,
      placeholder: 'OP',
      description: 'what (repeatable)',
    },
    { name: 'host', type: 'string', placeholder: 'HOST', description: 'from which address (default *: any)' },
    { name: 'deny', type: 'boolean', description: 'a DENY binding (default ALLOW); DENY wins over ALLOW' },
  ],
  examples: [
    'samsa acls:create --principal User:alice --operation read --operation describe --topic orders',
    'samsa acls:create --principal User:alice --operation read --group billing --prefixed',
    'samsa acls:create --principal User:mallory --operation all --topic payments. --prefixed --deny',
  ],
  async run(ctx) {
    const principal = ctx.string('principal');
    if (principal === undefined) throw new UsageError('missing --principal (e.g. User:alice)');
    const operations = operationsFrom(ctx.list('operation'));
    if (operations.length === 0) throw new UsageError('missing --operation (e.g. read)');
    const resource = resourceFrom(ctx, false);
    const bindings = operations.map((operation) => ({
      resourceType: resource.resourceType,
      resourceName: resource.resourceName!,
      resourcePatternType: resource.resourcePatternType,
      principal: principalFrom(principal),
      host: ctx.string('host') ?? '*',
      operation,
      permissionType: permissionFrom(ctx.flag('deny')),
    }));
    await ctx.admin().createAcls({ creations: bindings });
    const rows = bindings.map((b) => aclRow(ctx, b)).filter((r): r is AclRow => r !== undefined);
    ctx.out(
      ctx.json
        ? formatJson(rows)
        : `Created ${rows.length} ACL binding(s):\n${formatTable(ACL_COLUMNS, rows, '')}`,
    );
    return 0;
  },
});
