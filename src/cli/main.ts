/**
 * Entry point of the `samsa` command: picks the subcommand and maps failures to exit codes
 * (0 success, 1 failure, 2 usage error).
 */
import { UsageError } from './args.ts';
import { PLATFORM_COMMANDS } from './commands/index.ts';
import { startCommand } from './commands/start.ts';

interface Command {
  summary: string;
  run(argv: readonly string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  start: { summary: 'run the broker', run: startCommand },
  ...PLATFORM_COMMANDS,
};

function usage(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  return `Usage: samsa <command> [options]

Commands:
${names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n]!.summary}`).join('\n')}

Run "samsa <command> --help" for a command's options.`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`samsa: unknown command "${name}"\n\n${usage()}`);
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
