/**
 * The four streams examples run as docs/streams.md shows them (node --conditions=development
 * examples/streams-*\/app.ts), against an in-process broker, each until it printed its result.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { run } from '../helpers/run.ts';

const ROOT = join(import.meta.dirname, '../..');
let broker: TestBroker;
let tmp: string;

before(async () => {
  broker = await startBroker();
  tmp = mkdtempSync(join(tmpdir(), 'samsa-streams-examples-'));
});

after(async () => {
  await broker.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

async function example(name: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await run(
    process.execPath,
    ['--conditions=development', join(ROOT, 'examples', name, 'app.ts'), '--exit-when-done'],
    {
      timeoutMs: 60_000,
      env: {
        ...process.env,
        KAFKA_URL: broker.bootstrap,
        TMPDIR: tmp,
        SAMSA_STREAMS_LOG_LEVEL: 'warn',
        ...env,
      },
    },
  );
  assert.equal(r.code, 0, `${name} exited with ${r.code}: ${r.stderr}`);
  return r.stdout;
}

test('word count with exactly-once', async () => {
  const out = await example('streams-wordcount');
  assert.match(out, /streams\s+3/);
  assert.match(out, /sea\s+2/);
});

test('orders enriched with customers', async () => {
  const out = await example('streams-enrichment');
  assert.match(out, /"customer":"Ada Lovelace","tier":"gold","discount":0.1/);
  assert.match(out, /"customer":"unknown"/);
});

test('failed-login alert from a 5-minute hopping window', async () => {
  const out = await example('streams-failed-logins');
  assert.match(out, /"account":"mallory-[a-z0-9]+","failures":[56]/);
  assert.doesNotMatch(out, /"account":"alice/);
});

test('page views per user per hour: suppressed final counts and interactive queries over HTTP', async () => {
  const out = await example('streams-pageviews', {
    PORT: String(await freePort()),
    STATE_DIR: join(tmp, 'pageviews'),
  });
  assert.match(
    out,
    /GET \/pageviews\/ada-[a-z0-9]+ → \{"user":"ada-[a-z0-9]+","hours":\[\{"start":"[^"]+","views":3\}/,
  );
  assert.match(out, /ada-[a-z0-9]+@\S+\s+3\n/);
  assert.match(out, /linus-[a-z0-9]+@\S+\s+1\n/);
});
