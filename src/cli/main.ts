/**
 * Entry point of the `samsa` command: picks the subcommand and maps failures to exit codes
 * (0 success, 1 failure, 2 usage error). Commands are loaded on demand, so `samsa start` does not
 * load the platform commands and their Kafka client, and the platform commands do not load the
 * broker.
 */
import { UsageError } from './args.ts';

interface Command {
  summary: string;
  run(argv: readonly string[]): Promise<number>;
}

const START: Command = {
  summary: 'run the broker',
  run: async (argv) => (await import('./commands/start.ts')).startCommand(argv),
};

/**
 * The long-running services, imported alone: the command index imports every command module (and
 * with them the archive reader's hyparquet, ACL and quota helpers, ...), which a service process
 * would then carry for its lifetime. help.test.ts checks these are the index's own commands.
 */
export const SERVICE_COMMANDS: Record<string, () => Promise<Command>> = {
  connect: async () => (await import('./commands/connect.ts')).connectCommand,
  proxy: async () => (await import('./commands/proxy.ts')).proxyCommand,
  registry: async () => (await import('./commands/registry.ts')).registryCommand,
  console: async () => (await import('./commands/console.ts')).consoleCommand,
};

async function allCommands(): Promise<Record<string, Command>> {
  const { PLATFORM_COMMANDS } = await import('./commands/index.ts');
  return { start: START, ...PLATFORM_COMMANDS };
}

function usage(commands: Record<string, Command>): string {
  const names = Object.keys(commands);
  const width = Math.max(...names.map((n) => n.length));
  return `Usage: samsa <command> [options]

Commands:
${names.map((n) => `  ${n.padEnd(width)}  ${commands[n]!.summary}`).join('\n')}

Run "samsa <command> --help" for a command's options.`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage(await allCommands()));
    return name === undefined ? 2 : 0;
  }
  const command =
    name === 'start'
      ? START
      : Object.hasOwn(SERVICE_COMMANDS, name)
        ? await SERVICE_COMMANDS[name]!()
        : (await allCommands())[name];
  if (!command) {
    console.error(`samsa: unknown command "${name}"\n\n${usage(await allCommands())}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`samsa ${name}: ${err.message}\nRun "samsa ${name} --help" for usage.`);
      return 2;
    }
    console.error(`samsa ${name}: ${(err as Error).message ?? err}`);
    return 1;
  }
}
