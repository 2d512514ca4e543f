/** `key=value` arguments (topic configs, record headers) as ordered pairs; malformed ones are usage errors. */
import { UsageError } from './args.ts';

export function parsePairs(items: readonly string[], what: string): [string, string][] {
  return items.map((item) => {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`${what}: expected key=value, got "${item}"`);
    return [item.slice(0, eq), item.slice(eq + 1)];
  });
}
