/**
 * `node bench/console.ts [--topics 1000] [--records 1000000]`: the web console's page loads in
 * Debian's Chromium (headless) against an in-process broker holding `--topics` one-partition topics
 * and one topic of `--records` records (~100 bytes each). Measures, each as the median of 5 loads in
 * a fresh browser context (cold cache): the first page (overview) and the topic list rendered, and
 * a 100-message page from the end and from the middle of the large topic rendered; plus the message
 * page's API time alone. Prints one line per figure; docs/benchmarks.md records a run.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createAdmin, createProducer } from '../src/client/clients.ts';
import { startConsole } from '../src/console/server/index.ts';
import { startBroker } from '../src/testing/index.ts';

const { values } = parseArgs({
  options: { topics: { type: 'string', default: '1000' }, records: { type: 'string', default: '1000000' } },
});
const TOPICS = Number(values.topics);
const RECORDS = Number(values.records);
const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) throw new Error('needs Debian chromium at /usr/bin/chromium');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const broker = await startBroker({ logLevel: 'warn' } as never);
const bootstrap = `127.0.0.1:${broker.port}`;
const connection = { bootstrapBrokers: [bootstrap] };
const admin = createAdmin(connection, { clientId: 'bench-console', timeoutMs: 120_000 });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
});
const running = await startConsole({ connection, port: 0 });
try {
  let t = performance.now();
  for (let i = 0; i < TOPICS; i += 100) {
    const names = Array.from(
      { length: Math.min(100, TOPICS - i) },
      (_, j) => `topic-${String(i + j).padStart(4, '0')}`,
    );
    await admin.createTopics({ topics: names, partitions: 1, replicas: 1 });
  }
  await admin.createTopics({ topics: ['big'], partitions: 1, replicas: 1 });
  console.error(`created ${TOPICS} topics in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  t = performance.now();
  const producer = createProducer(connection, { clientId: 'bench-console-produce' });
  const value = (i: number) => Buffer.from(JSON.stringify({ id: i, item: 'coffee', note: 'x'.repeat(60) }));
  const BATCH = 5000;
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < RECORDS; i += BATCH) {
    inflight.push(
      producer.send({
        messages: Array.from({ length: Math.min(BATCH, RECORDS - i) }, (_, j) => ({
          topic: 'big',
          partition: 0,
          key: Buffer.from(`k${i + j}`),
          value: value(i + j),
        })),
      }),
    );
    if (inflight.length >= 8) await inflight.shift();
  }
  await Promise.all(inflight);
  await producer.close();
  console.error(`produced ${RECORDS} records in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  /** Median time from navigation to `ready(document)` being true, checked every animation frame. */
  const timed = async (path: string, ready: string, runs = 5): Promise<number> => {
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(`${running.url}/${path}`);
      await page.waitForFunction(ready, undefined, { polling: 'raf', timeout: 60_000 });
      samples.push(performance.now() - started);
      await context.close();
    }
    return median(samples);
  };
  const rows100 = "document.querySelectorAll('[data-testid=messages] tbody tr').length === 100";
  const mid = Math.floor(RECORDS / 2);
  const figures: [string, number][] = [
    [
      'first page (overview) rendered',
      await timed('', "!!document.querySelector('[data-testid=cluster-id]')"),
    ],
    [
      `topic list of ${TOPICS + 1} topics rendered`,
      await timed(
        '#/topics',
        `document.querySelectorAll('[data-testid=topics] tbody tr').length === ${TOPICS + 1}`,
      ),
    ],
    [
      `100-message page, end of a ${RECORDS}-record topic, rendered`,
      await timed('#/topics/big/messages?from=end&limit=100', rows100),
    ],
    [
      `100-message page, middle of a ${RECORDS}-record topic, rendered`,
      await timed(`#/topics/big/messages?from=offset&offset=${mid}&limit=100`, rows100),
    ],
  ];
  const topicsApi: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await (await fetch(`${running.url}/api/topics`)).json();
    topicsApi.push(performance.now() - started);
  }
  figures.push([`topic list API alone (${TOPICS + 1} topics)`, median(topicsApi)]);
  // Paging inside a loaded message browser: click "Newer" and wait for the next 100 rows.
  {
    const page = await browser.newPage();
    await page.goto(`${running.url}/#/topics/big/messages?from=offset&offset=${mid}&limit=100`);
    const firstCell = page.locator('[data-testid=messages] tbody tr:first-child td:first-child');
    await firstCell.waitFor();
    const samples: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const started = performance.now();
      await page.getByRole('button', { name: 'Newer →' }).click();
      await page.waitForFunction(
        `document.querySelector('[data-testid=messages] tbody tr td')?.textContent === '${mid + i * 100}'`,
        undefined,
        { polling: 'raf' },
      );
      samples.push(performance.now() - started);
    }
    figures.push([
      `next 100-message page in the browser (click to rendered), ${RECORDS}-record topic`,
      median(samples),
    ]);
    await page.close();
  }
  const api: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    const res = await fetch(
      `${running.url}/api/topics/big/messages?from=offset&offset=${Math.min(mid + i * 100, RECORDS - 100)}&limit=100`,
    );
    const page = (await res.json()) as { messages: unknown[] };
    if (page.messages.length !== 100) throw new Error(`expected 100 messages, got ${page.messages.length}`);
    api.push(performance.now() - started);
  }
  figures.push([`100-message page API alone, middle of a ${RECORDS}-record topic`, median(api)]);
  for (const [name, ms] of figures) console.log(`${name}: ${ms.toFixed(0)} ms (median)`);
} finally {
  await browser.close();
  await running.stop();
  await admin.close();
  await broker.stop();
}
