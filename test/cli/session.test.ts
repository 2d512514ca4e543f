import { after, before, test } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { samsa } from './run-cli.ts';
import { scriptedSession } from './session.ts';

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker?.stop();
});

// The session through the real executable (stdin piped, exit codes of the process). The same session
// in-process, with the connection and prefix from the environment, is test/cli/session-env.test.ts
// (its own file, so the two run side by side).
test('scripted session with --bootstrap', async () => {
  await scriptedSession((args, options) => samsa([...args, '-b', broker.bootstrap], options), 'orders', 'g1');
});
