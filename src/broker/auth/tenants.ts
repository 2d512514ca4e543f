/**
 * Tenant entries (`--tenant NAME:PREFIX`, or `User:NAME:PREFIX`) turned into the principal → prefix
 * map the authorizer uses. Prefixes must not overlap: if one tenant's prefix started another's
 * (`app` and `app.b`), the first tenant could read and delete the second one's topics, so such a
 * configuration is refused at start, naming both tenants; so is one principal given twice.
 */
import { ConfigError } from '../config.ts';

/** `alice:team-a.` or `User:alice:team-a.` → principal User:alice confined to prefix team-a. */
export function tenantMap(entries: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of entries) {
    const at = e.lastIndexOf(':');
    const who = e.slice(0, at);
    const principal = who.includes(':') ? who : `User:${who}`;
    const prefix = e.slice(at + 1);
    const before = out.get(principal);
    if (before !== undefined)
      throw new ConfigError(
        `tenant: ${principal} is given twice (prefixes "${before}" and "${prefix}"); a tenant has one prefix`,
      );
    for (const [other, otherPrefix] of out) {
      if (prefix.startsWith(otherPrefix) || otherPrefix.startsWith(prefix))
        throw new ConfigError(
          `tenant: the prefixes of ${other} ("${otherPrefix}") and ${principal} ("${prefix}") overlap, so one tenant could use the other's topics and groups; give tenants prefixes where neither starts the other (e.g. "app.a." and "app.b.")`,
        );
    }
    out.set(principal, prefix);
  }
  return out;
}
