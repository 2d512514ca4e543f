/**
 * `node bench/console/pages.ts [--topics 1000] [--records 10000000] [--data-dir DIR]`: the web
 * console's page loads in Debian's Chromium (headless) against an in-process broker holding
 * `--topics` one-partition topics and one topic of `--records` records (~100 bytes each, written as
 * pre-built 5,000-record batches over one connection, 16 requests in flight, so 10 million take
 * seconds, not minutes). Measures, each as the median of 5 loads in a fresh browser context (cold
 * cache): the first page (overview) and the topic list rendered, and a 100-message page from the
 * end and from the middle of the large topic rendered; a next page clicked in a loaded browser; the
 * API times alone; and the first page's size gzipped (HTML, JavaScript, CSS of dist/console/ui, as
 * the server sends them). Prints one line per figure with the 1-minute load average; the console's
 * section of docs/benchmarks.md records a run. Needs `npm run build` (the UI) first.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { createAdmin } from '../../src/client/clients.ts';
import { startConsole } from '../../src/console/server/index.ts';
import { UI_DIR } from '../../src/console/server/static-ui.ts';
import { buildRecordBatch } from '../../src/protocol/records/batch.ts';
import { startBroker } from '../../src/testing/index.ts';
import { KafkaConn } from '../kafka/conn.ts';
import { decodeProduce, produceFrame } from '../kafka/frames.ts';

const { values } = parseArgs({
  options: {
    topics: { type: 'string', default: '1000' },
    records: { type: 'string', default: '10000000' },
    'data-dir': { type: 'string', default: join(import.meta.dirname, '../../.bench-data/console') },
  },
});
const TOPICS = Number(values.topics);
const RECORDS = Number(values.records);
const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) throw new Error('needs Debian chromium at /usr/bin/chromium');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const load = () => loadavg()[0]!.toFixed(1);

/** The first page as the server sends it: index.html and the assets it names, gzipped. */
function firstPageGzipped(): { html: number; js: number; css: number } {
  const html = readFileSync(join(UI_DIR, 'index.html'));
  const sizes = { html: gzipSync(html).length, js: 0, css: 0 };
  for (const name of readdirSync(join(UI_DIR, 'assets'))) {
    if (!html.includes(name)) continue;
    const bytes = gzipSync(readFileSync(join(UI_DIR, 'assets', name))).length;
    if (name.endsWith('.js')) sizes.js += bytes;
    else if (name.endsWith('.css')) sizes.css += bytes;
  }
  return sizes;
}

const dataDir = values['data-dir'];
rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });
const broker = await startBroker({ logLevel: 'warn', dataDir } as never);
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
  // Pre-built 5,000-record batches (keys k0..k4999 of each batch, ~100-byte JSON values), sent
  // again and again: the broker assigns offsets, so the topic holds RECORDS distinct offsets.
  const BATCH = 5000;
  const batches = Array.from({ length: 4 }, (_, b) =>
    buildRecordBatch({
      records: Array.from({ length: BATCH }, (_, j) => ({
        key: Buffer.from(`k${b * BATCH + j}`),
        value: Buffer.from(JSON.stringify({ id: b * BATCH + j, item: 'coffee', note: 'x'.repeat(60) })),
      })),
    }),
  );
  const conn = await KafkaConn.open(broker.port);
  const inflight: Promise<Buffer>[] = [];
  let written = 0;
  for (let i = 0; written < RECORDS; i++) {
    inflight.push(conn.request(produceFrame('big', [{ partition: 0, records: batches[i % 4]! }], 1, i)));
    written += BATCH;
    if (inflight.length >= 16) {
      const r = decodeProduce(await inflight.shift()!);
      const code = r.responses[0]?.partitionResponses[0]?.errorCode;
      if (code !== 0) throw new Error(`produce failed with error ${code}`);
    }
  }
  for (const p of inflight) await p;
  conn.close();
  console.error(
    `produced ${written} records in ${((performance.now() - t) / 1000).toFixed(1)} s (load ${load()})`,
  );

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
  const fig = (name: string, ms: number) =>
    console.log(`${name}: ${ms.toFixed(0)} ms (median; load average ${load()})`);
  fig(
    'first page (overview) rendered',
    await timed('', "!!document.querySelector('[data-testid=cluster-id]')"),
  );
  fig(
    `topic list of ${TOPICS + 1} topics rendered`,
    await timed(
      '#/topics',
      `document.querySelectorAll('[data-testid=topics] tbody tr').length === ${TOPICS + 1}`,
    ),
  );
  fig(
    `100-message page, end of a ${RECORDS}-record topic, rendered`,
    await timed('#/topics/big/messages?from=end&limit=100', rows100),
  );
  fig(
    `100-message page, middle of a ${RECORDS}-record topic, rendered`,
    await timed(`#/topics/big/messages?from=offset&offset=${mid}&limit=100`, rows100),
  );
  // CPU of this process (console server and broker both run here) per API call: less noisy than
  // wall-clock time on a loaded machine.
  const cpuMs = (from: NodeJS.CpuUsage, calls: number) => {
    const used = process.cpuUsage(from);
    return ((used.user + used.system) / 1000 / calls).toFixed(1);
  };
  const topicsApi: number[] = [];
  const topicsCpu = process.cpuUsage();
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await (await fetch(`${running.url}/api/topics`)).json();
    topicsApi.push(performance.now() - started);
  }
  fig(`topic list API alone (${TOPICS + 1} topics)`, median(topicsApi));
  console.log(`  CPU per topic list API call (server + broker): ${cpuMs(topicsCpu, 5)} ms`);
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
    fig(`next 100-message page in the browser (click to rendered), ${RECORDS}-record topic`, median(samples));
    // The same, timed inside the page: from the click event to the frame that shows the new rows,
    // without Playwright's own actionability checks and polling round trips.
    const inPage: number[] = [];
    for (let i = 6; i <= 10; i++) {
      const expected = String(mid + i * 100);
      inPage.push(
        // A string, so this file needs no DOM types (like waitForFunction above).
        await page.evaluate<number>(`(async () => {
          const button = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Newer →');
          if (!button) throw new Error('no "Newer →" button');
          const started = performance.now();
          button.click();
          for (;;) {
            await new Promise((r) => requestAnimationFrame(r));
            if (document.querySelector('[data-testid=messages] tbody tr td')?.textContent === '${expected}')
              return performance.now() - started;
            if (performance.now() - started > 10000) throw new Error('page ${expected} not shown after 10 s');
          }
        })()`),
      );
    }
    fig(
      `next 100-message page, click to rendered timed in the page, ${RECORDS}-record topic`,
      median(inPage),
    );
    await page.close();
  }
  const api: number[] = [];
  const apiCpu = process.cpuUsage();
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    const res = await fetch(
      `${running.url}/api/topics/big/messages?from=offset&offset=${Math.min(mid + i * 100, RECORDS - 100)}&limit=100`,
    );
    const page = (await res.json()) as { messages: unknown[] };
    if (page.messages.length !== 100) throw new Error(`expected 100 messages, got ${page.messages.length}`);
    api.push(performance.now() - started);
  }
  fig(`100-message page API alone, middle of a ${RECORDS}-record topic`, median(api));
  console.log(`  CPU per 100-message page API call (server + broker): ${cpuMs(apiCpu, 10)} ms`);
  const size = firstPageGzipped();
  console.log(
    `first page gzipped: ${((size.html + size.js + size.css) / 1024).toFixed(1)} KB (HTML ${(size.html / 1024).toFixed(1)}, JavaScript ${(size.js / 1024).toFixed(1)}, CSS ${(size.css / 1024).toFixed(1)})`,
  );
} finally {
  await browser.close();
  await running.stop();
  await admin.close();
  await broker.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
