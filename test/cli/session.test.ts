import { after, before, test } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { type CliRunOptions, samsa, samsaInProcess } from './run-cli.ts';
import { scriptedSession } from './session.ts';

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker?.stop();
});

/**
 * The steps where the process is what is tested go through the real executable: `topics:write`
 * reading 10,000 lines from a piped stdin, and `topics:tail` writing 10,001 JSON lines to a pipe
 * and exiting once --max-messages are out (all of them reach the reader, exit code 0). The other
 * steps run in-process (`samsaInProcess`, the same `main()`): each spawned `samsa` costs ~0.5 s of
 * CPU to start, and the executable's exit codes are tested in test/cli/failures.test.ts and
 * test/cli/help.test.ts. The whole session in-process, with the connection and prefix from the
 * environment, is test/cli/session-env.test.ts (its own file, so the two run side by side).
 */
function throughTheExecutable(args: readonly string[], options?: CliRunOptions): boolean {
  if (args[0] === 'topics:write') return options?.input !== undefined;
  return args[0] === 'topics:tail' && !args.includes('--group');
}

test('scripted session with --bootstrap', async () => {
  await scriptedSession(
    (args, options) =>
      (throughTheExecutable(args, options) ? samsa : samsaInProcess)(
        [...args, '-b', broker.bootstrap],
        options,
      ),
    'orders',
    'g1',
  );
});
