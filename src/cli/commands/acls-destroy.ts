/**
 * `samsa acls:destroy (--topic T | --group G | --transactional-id X | --cluster) [--prefixed]
 * [--principal P] [--operation OP ...] [--host H] [--deny | --allow]`: removes the ACL bindings on
 * exactly that resource pattern that match the other filters, and lists what was removed.
 */

import type { AclOperationValue, AclPermissionTypeValue } from '@platformatic/kafka';
import {
  ACL_COLUMNS,
  type AclRow,
  aclRow,
  OPERATIONS,
  operationsFrom,
  PERMISSIONS,
  principalFrom,
  RESOURCE_OPTIONS,
  resourceFrom,
} from '../acl-args.ts';
import { UsageError } from '../args.ts';
import { defineCommand } from '../command.ts';
import { formatJson, formatTable } from '../output.ts';

export const aclsDestroyCommand = defineCommand({
  name: 'acls:destroy',
  summary: 'remove ACL bindings from a resource',
  description:
    'Removes the bindings on exactly the given resource (a --prefixed one for a prefix) that match --principal, --operation, --host and --deny/--allow when given.',
  options: [
    ...RESOURCE_OPTIONS,
    {
      name: 'principal',
      type: 'string',
      placeholder: 'PRINCIPAL',
      description: 'only this principal (User:alice)',
    },
    {
      name: 'operation',
      type: 'string',
      repeatable: true,
      placeholder: 'OP',
      description: 'only these operations (repeatable)',
    },
    { name: 'host', type: 'string', placeholder: 'HOST', description: 'only bindings for this host' },
    { name: 'deny', type: 'boolean', description: 'only DENY bindings' },
    { name: 'allow', type: 'boolean', description: 'only ALLOW bindings' },
  ],
  examples: [
    'samsa acls:destroy --topic orders --principal User:alice',
    'samsa acls:destroy --group billing --prefixed --operation read',
  ],
  async run(ctx) {
    const resource = resourceFrom(ctx, false);
    if (ctx.flag('deny') && ctx.flag('allow')) throw new UsageError('give --deny or --allow, not both');
    const principal = ctx.string('principal');
    const operations = ctx.list('operation');
    const permissionType: AclPermissionTypeValue = ctx.flag('deny')
      ? PERMISSIONS.DENY
      : ctx.flag('allow')
        ? PERMISSIONS.ALLOW
        : PERMISSIONS.ANY;
    const filterBase = {
      resourceType: resource.resourceType,
      resourceName: resource.resourceName,
      resourcePatternType: resource.resourcePatternType,
      principal: principal === undefined ? null : principalFrom(principal),
      host: ctx.string('host') ?? null,
      permissionType,
    };
    const codes: AclOperationValue[] =
      operations.length === 0 ? [OPERATIONS.ANY] : operationsFrom(operations);
    const removed = await ctx.admin().deleteAcls({
      filters: codes.map((operation) => ({ ...filterBase, operation })),
    });
    const rows = removed.map((b) => aclRow(ctx, b)).filter((r): r is AclRow => r !== undefined);
    ctx.out(
      ctx.json
        ? formatJson({ deleted: rows })
        : rows.length === 0
          ? 'No matching ACL bindings.'
          : `Removed ${rows.length} ACL binding(s):\n${formatTable(ACL_COLUMNS, rows, '')}`,
    );
    return 0;
  },
});
