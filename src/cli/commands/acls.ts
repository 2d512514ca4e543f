/**
 * `samsa acls [--topic T | --group G | --transactional-id X | --cluster] [--principal P]`: lists
 * ACL bindings. With a resource, every binding that applies to it (literal, prefixed and `*`); with
 * `--prefixed`, the bindings on exactly that prefix.
 */
import {
  ACL_COLUMNS,
  type AclRow,
  aclRow,
  OPERATIONS,
  PATTERN_TYPES,
  PERMISSIONS,
  principalFrom,
  RESOURCE_OPTIONS,
  resourceFrom,
} from '../acl-args.ts';
import { defineCommand } from '../command.ts';
import { formatJson, formatTable } from '../output.ts';

export const aclsCommand = defineCommand({
  name: 'acls',
  summary: 'list ACL bindings',
  description:
    'Lists the ACL bindings of the cluster (the broker needs an authorizer, e.g. samsa start --authorizer acl). Given a resource, lists every binding that applies to it.',
  options: [
    ...RESOURCE_OPTIONS,
    {
      name: 'principal',
      type: 'string',
      placeholder: 'PRINCIPAL',
      description: 'only bindings of this principal (User:alice)',
    },
  ],
  examples: ['samsa acls', 'samsa acls --topic orders', 'samsa acls --principal User:alice --json'],
  async run(ctx) {
    const resource = resourceFrom(ctx, true);
    const principal = ctx.string('principal');
    const patternType =
      resource.resourcePatternType === PATTERN_TYPES.LITERAL
        ? PATTERN_TYPES.MATCH
        : resource.resourcePatternType;
    const found = await ctx.admin().describeAcls({
      filter: {
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
        resourcePatternType: patternType,
        principal: principal === undefined ? null : principalFrom(principal),
        host: null,
        operation: OPERATIONS.ANY,
        permissionType: PERMISSIONS.ANY,
      },
    });
    const rows: AclRow[] = [];
    for (const r of found) {
      for (const a of r.acls) {
        const row = aclRow(ctx, { ...r, ...a });
        if (row) rows.push(row);
      }
    }
    rows.sort(
      (a, b) =>
        a.resourceType.localeCompare(b.resourceType) ||
        a.resourceName.localeCompare(b.resourceName) ||
        a.principal.localeCompare(b.principal) ||
        a.operation.localeCompare(b.operation),
    );
    ctx.out(ctx.json ? formatJson(rows) : formatTable(ACL_COLUMNS, rows, 'No ACL bindings.'));
    return 0;
  },
});
