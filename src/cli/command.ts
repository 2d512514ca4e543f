/**
 * The shape of a platform command (`topics:create`, `consumer-groups:info`, ...) and the context it
 * runs in: parsed options and arguments, the connection, lazily created clients that are always
 * closed afterwards, and output helpers. `defineCommand` adds what every command shares: `--help`
 * with examples, argument checks (usage errors, exit 2) and failure reports (Kafka error name and
 * a hint, exit 1).
 */
import type { Admin } from '@platformatic/kafka';
import { createAdmin } from '../client/clients.ts';
import {
  ConnectionConfigError,
  connectionOptions,
  type KafkaConnectionOptions,
} from '../client/connection-options.ts';
import { type NamePrefix, prefixFromEnv } from '../client/prefix.ts';
import { formatOptions, type OptionSpec, type ParsedArgs, parseArgs, UsageError } from './args.ts';
import { CONNECTION_OPTIONS, connectionInput, OUTPUT_OPTIONS } from './connection-flags.ts';
import { describeError } from './errors.ts';

export const CLIENT_ID = 'samsa-cli';

export interface ArgSpec {
  name: string;
  optional?: boolean;
  /** Takes all remaining arguments (zero or more when optional). */
  variadic?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  args?: readonly ArgSpec[];
  /** Longer explanation shown in --help. */
  description?: string;
  options?: readonly OptionSpec[];
  examples: readonly string[];
  /** Works on local files only (log:verify): no connection options, and admin() is unavailable. */
  offline?: boolean;
  run(ctx: CommandContext): Promise<number | undefined>;
}

interface Closable {
  close(): Promise<void>;
}

export interface CommandContext {
  readonly name: string;
  readonly args: readonly string[];
  readonly options: ParsedArgs['options'];
  readonly json: boolean;
  readonly prefix: NamePrefix;
  readonly connection: KafkaConnectionOptions;
  readonly env: NodeJS.ProcessEnv;
  /** The admin client, created on first use. */
  admin(): Admin;
  /** Registers a client to close when the command ends. */
  own<T extends Closable>(client: T): T;
  /** Writes text plus a newline to stdout. */
  out(text: string): void;
  /** Resolves once stdout has room again (for long outputs). */
  drain(): Promise<void>;
  /** True once stdout is gone (e.g. piped into `head`). */
  outputClosed(): boolean;
  /** Writes text plus a newline to stderr. */
  note(text: string): void;
  string(name: string): string | undefined;
  flag(name: string): boolean;
  list(name: string): string[];
  integer(name: string, min?: number): number | undefined;
}

export interface RunnableCommand {
  summary: string;
  run(argv: readonly string[]): Promise<number>;
}

function usageLine(spec: CommandSpec): string {
  const args = (spec.args ?? []).map((a) => {
    const text = a.variadic ? `${a.name} ...` : a.name;
    return a.optional ? `[${text}]` : text;
  });
  return ['samsa', spec.name, ...args, '[options]'].join(' ');
}

/** Wraps each line of a paragraph at `width` columns on word boundaries. */
function wrap(text: string, width = 100): string {
  return text
    .split('\n')
    .map((line) => {
      const out: string[] = [];
      let current = '';
      for (const word of line.split(' ')) {
        if (current !== '' && current.length + 1 + word.length > width) {
          out.push(current);
          current = word;
        } else current = current === '' ? word : `${current} ${word}`;
      }
      out.push(current);
      return out.join('\n');
    })
    .join('\n');
}

export function helpText(spec: CommandSpec): string {
  const own = [...(spec.options ?? []), ...OUTPUT_OPTIONS];
  return [
    `Usage: ${usageLine(spec)}`,
    '',
    wrap(spec.description ?? `${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.`),
    '',
    'Options:',
    formatOptions(own),
    '',
    ...(spec.offline ? [] : ['Connection options:', formatOptions(CONNECTION_OPTIONS), '']),
    'Examples:',
    ...spec.examples.map((e) => `  ${e}`),
  ].join('\n');
}

function checkArgs(spec: CommandSpec, positionals: readonly string[]): void {
  const declared = spec.args ?? [];
  declared.forEach((arg, i) => {
    if (!arg.optional && positionals.length <= i) throw new UsageError(`missing argument ${arg.name}`);
  });
  if (!declared.some((a) => a.variadic) && positionals.length > declared.length) {
    throw new UsageError(`unexpected argument "${positionals[declared.length]}"`);
  }
}

function option(options: ParsedArgs['options'], name: string): string | boolean | string[] | undefined {
  return options[name];
}

function contextFor(
  spec: CommandSpec,
  parsed: ParsedArgs,
  env: NodeJS.ProcessEnv,
  owned: Closable[],
): CommandContext {
  let connection: KafkaConnectionOptions;
  try {
    connection = spec.offline
      ? { bootstrapBrokers: [] }
      : connectionOptions(connectionInput(parsed.options, env), env);
  } catch (err) {
    if (err instanceof ConnectionConfigError) throw new UsageError(err.message);
    throw err;
  }
  let admin: Admin | undefined;
  let closed = false;
  process.stdout.on('error', () => {
    closed = true;
  });
  const ctx: CommandContext = {
    name: spec.name,
    args: parsed.positionals,
    options: parsed.options,
    json: parsed.options.json === true,
    prefix: prefixFromEnv(env),
    connection,
    env,
    admin() {
      if (spec.offline) throw new Error(`${spec.name} works offline and has no Kafka connection`);
      admin ??= ctx.own(createAdmin(connection, { clientId: CLIENT_ID }));
      return admin;
    },
    own(client) {
      owned.push(client);
      return client;
    },
    out(text) {
      if (!closed) process.stdout.write(`${text}\n`);
    },
    drain() {
      if (closed || !process.stdout.writableNeedDrain) return Promise.resolve();
      return new Promise((resolve) => {
        const done = (): void => {
          process.stdout.off('drain', done);
          process.stdout.off('error', done);
          resolve();
        };
        process.stdout.once('drain', done);
        process.stdout.once('error', done);
      });
    },
    outputClosed: () => closed,
    note(text) {
      process.stderr.write(`${text}\n`);
    },
    string(name) {
      const value = option(parsed.options, name);
      return typeof value === 'string' ? value : undefined;
    },
    flag: (name) => option(parsed.options, name) === true,
    list(name) {
      const value = option(parsed.options, name);
      return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
    },
    integer(name, min = 0) {
      const value = ctx.string(name);
      if (value === undefined) return undefined;
      if (!/^-?\d+$/.test(value.trim()) || Number(value) < min) {
        throw new UsageError(`--${name} must be an integer of at least ${min}, got "${value}"`);
      }
      return Number(value);
    },
  };
  return ctx;
}

async function closeAll(owned: readonly Closable[]): Promise<void> {
  await Promise.allSettled([...owned].reverse().map((c) => c.close()));
}

export interface PlatformCommand extends RunnableCommand {
  spec: CommandSpec;
}

/** Wraps a command spec into what `samsa` runs: parse, help, checks, run, report, clean up. */
export function defineCommand(spec: CommandSpec): PlatformCommand {
  const specs = [...(spec.options ?? []), ...OUTPUT_OPTIONS, ...(spec.offline ? [] : CONNECTION_OPTIONS)];
  return {
    spec,
    summary: spec.summary,
    async run(argv) {
      const parsed = parseArgs(argv, specs);
      if (parsed.options.help === true) {
        console.log(helpText(spec));
        return 0;
      }
      checkArgs(spec, parsed.positionals);
      const owned: Closable[] = [];
      const ctx = contextFor(spec, parsed, process.env, owned);
      try {
        return (await spec.run(ctx)) ?? 0;
      } catch (err) {
        if (err instanceof UsageError) throw err;
        const report = describeError(err, ctx.prefix, ctx.connection.bootstrapBrokers);
        console.error(`samsa ${spec.name}: ${report.message}`);
        if (report.hint) console.error(`Hint: ${report.hint}`);
        if (process.env.SAMSA_DEBUG) console.error(err);
        return 1;
      } finally {
        await closeAll(owned);
      }
    },
  };
}
