/**
 * `samsa demo <scenario> [--duration S] [--data-dir DIR]`: runs one of the end-to-end scenarios in
 * `examples/<scenario>/demo.ts` (see docs/demos.md). Each scenario is a program of its own that uses
 * only Samsa's public APIs; this command finds it, runs it with Node (TypeScript sources resolved
 * through the package's `development` condition) and passes Ctrl-C and SIGTERM on to it.
 *
 * Not implemented: running the demos from an installed package (`node_modules/samsa`): Node does not
 * strip types under node_modules, so the demos run from a checkout of Samsa.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../args.ts';
import { defineCommand } from '../command.ts';
import { CliError } from '../errors.ts';

const EXAMPLES = fileURLToPath(new URL('../../../examples', import.meta.url));

/** The scenarios: folders of examples/ with a demo.ts. */
export function demoScenarios(): string[] {
  if (!existsSync(EXAMPLES)) return [];
  return readdirSync(EXAMPLES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(EXAMPLES, d.name, 'demo.ts')))
    .map((d) => d.name)
    .sort();
}

const PASSED_ON = [
  'duration',
  'data-dir',
  'broker',
  'connect-url',
  'registry-url',
  'postgres-url',
  'redis-url',
];

export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'run an end-to-end scenario (interactions, chatbot-logs, ...)',
  args: [{ name: 'SCENARIO' }],
  description:
    'Starts what the scenario needs (Samsa on free ports, embedded PostgreSQL, redis-server when installed, local HTTP services standing in for downstream systems), generates load and prints what happens and where to look, until Ctrl-C or --duration; then prints a summary. The code is in examples/<scenario>/; docs/demos.md describes each scenario.',
  offline: true,
  options: [
    {
      name: 'duration',
      type: 'string',
      placeholder: 'S',
      description: 'generate load for S seconds, then stop and summarise',
    },
    {
      name: 'data-dir',
      type: 'string',
      placeholder: 'DIR',
      description: 'where the demo keeps everything (default ./samsa-demo-<scenario>, emptied at start)',
    },
    {
      name: 'broker',
      type: 'string',
      placeholder: 'HOST:PORT',
      description: 'use this running Samsa (or Kafka) instead of starting one',
    },
    {
      name: 'connect-url',
      type: 'string',
      placeholder: 'URL',
      description: 'with --broker: its Connect REST API (default http://127.0.0.1:8083)',
    },
    {
      name: 'registry-url',
      type: 'string',
      placeholder: 'URL',
      description: 'with --broker: its schema registry (default http://127.0.0.1:8081)',
    },
    {
      name: 'postgres-url',
      type: 'string',
      placeholder: 'URL',
      description: 'use this PostgreSQL (wal_level=logical) instead of starting one',
    },
    {
      name: 'redis-url',
      type: 'string',
      placeholder: 'URL',
      description: 'use this Redis instead of starting redis-server',
    },
  ],
  examples: ['samsa demo interactions', 'samsa demo chatbot-logs --duration 30 --data-dir /tmp/chatbot'],
  async run(ctx) {
    const scenario = ctx.args[0]!;
    const scenarios = demoScenarios();
    if (scenarios.length === 0)
      throw new CliError(`the demos are not here (${EXAMPLES}): run them from a checkout of Samsa`);
    if (!scenarios.includes(scenario))
      throw new UsageError(`unknown scenario "${scenario}"; one of: ${scenarios.join(', ')}`);
    const duration = ctx.string('duration');
    if (duration !== undefined && !(Number(duration) > 0))
      throw new UsageError(`--duration must be a positive number of seconds, not "${duration}"`);
    const passed = PASSED_ON.flatMap((name) => {
      const value = ctx.string(name);
      return value === undefined ? [] : [`--${name}`, value];
    });
    // The demo runs in its own process group, so Ctrl-C in the terminal reaches only this process,
    // which passes it on: the demo then stops its load, waits for the outcome and stops what it
    // started (PostgreSQL, redis-server, Samsa) itself, rather than each of them getting the signal
    // at once and the demo losing its database halfway through its summary.
    const child = spawn(
      process.execPath,
      ['--conditions=development', join(EXAMPLES, scenario, 'demo.ts'), ...passed],
      { stdio: 'inherit', detached: true },
    );
    const forward = (signal: NodeJS.Signals): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const onInt = (): void => forward('SIGINT');
    const onTerm = (): void => forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    try {
      return await new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
      });
    } finally {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    }
  },
});
