/**
 * Small command-line parser shared by every `samsa` command: `--name value`, `--name=value`,
 * boolean `--flag`, `--no-flag`, short aliases, repeatable options and positionals (negative numbers
 * such as `-1` are positionals). Unknown flags and missing values are usage errors (exit code 2)
 * with a message that names the flag.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface OptionSpec {
  /** Long name without dashes, e.g. 'data-dir'. */
  name: string;
  short?: string;
  type: 'string' | 'boolean';
  repeatable?: boolean;
  description: string;
  placeholder?: string;
}

export interface ParsedArgs {
  options: Record<string, string | boolean | string[]>;
  positionals: string[];
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const options: ParsedArgs['options'] = {};
  const positionals: string[] = [];
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    // A negative number is an argument (`topics:retention-time orders -1`), not an option.
    if (!arg.startsWith('-') || arg === '-' || (/^-\d+(\.\d+)?$/.test(arg) && !byShort.has(arg.slice(1)))) {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    } else {
      const spec = byShort.get(arg.slice(1));
      if (!spec) throw new UsageError(`unknown option ${arg}`);
      name = spec.name;
    }
    let spec = byName.get(name);
    if (!spec && name.startsWith('no-') && byName.get(name.slice(3))?.type === 'boolean') {
      options[name.slice(3)] = false;
      continue;
    }
    if (!spec) throw new UsageError(`unknown option --${name}`);
    spec = spec as OptionSpec;
    let value: string | boolean;
    if (spec.type === 'boolean') {
      if (inline === undefined) value = true;
      else if (inline === 'true' || inline === 'false') value = inline === 'true';
      else throw new UsageError(`--${name} takes no value (or true/false), got "${inline}"`);
    } else {
      const next = inline ?? argv[i + 1];
      if (next === undefined || (inline === undefined && next.startsWith('--'))) {
        throw new UsageError(`--${name} needs a value${spec.placeholder ? ` (${spec.placeholder})` : ''}`);
      }
      if (inline === undefined) i++;
      value = next;
    }
    if (spec.repeatable) {
      const list = (options[name] as string[] | undefined) ?? [];
      list.push(String(value));
      options[name] = list;
    } else {
      options[name] = value;
    }
  }
  return { options, positionals };
}

/** Help text for a command's options, aligned. */
export function formatOptions(specs: readonly OptionSpec[]): string {
  const rows = specs.map((s) => {
    const flag = `${s.short ? `-${s.short}, ` : '    '}--${s.name}${s.type === 'string' ? ` ${s.placeholder ?? 'VALUE'}` : ''}`;
    return [flag, s.description] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  return rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`).join('\n');
}
