/**
 * The web console in a real browser (Debian's Chromium driven by playwright-core) against
 * `samsa start` (broker, registry, Connect worker and console in one process) holding records
 * written by kcat: each page loads and shows them, and the main flows work end to end — create a
 * topic, browse and filter messages, produce one, reset a group's offsets and see the lag change,
 * create and pause a connector, register a schema version (and see the compatibility check refuse
 * one), create a SCRAM user, see throughput from the broker's metrics. Screenshots of each page go
 * to docs/console/. The page never asks any other address than the console's own server. First page
 * load and a 100-message page are timed and reported (not asserted).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createAdmin, createProducer } from '../../src/client/clients.ts';
import { serializer } from '../../src/registry/serdes/serde.ts';
import { exited } from '../helpers/broker-process.ts';
import { track } from '../helpers/children.ts';
import { run } from '../helpers/run.ts';
import { SHOTS } from './screenshots.ts';

const CHROMIUM = '/usr/bin/chromium';
const MESSAGES = 200;

let dir: string;
let broker: { child: ChildProcess; bootstrap: string; output: () => string };
let browser: Browser;
let page: Page;
let consoleUrl: string;
let registryUrl: string;
const foreign: string[] = [];
/** Requests of the page not answered yet, with when they were sent. */
const pending = new Map<import('playwright-core').Request, number>();
const unanswered = () =>
  [...pending].map(([r, at]) => `${r.url()} (${Date.now() - at} ms)`).join(', ') || 'none';

async function waitFor(text: RegExp, output: () => string, ms = 30_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = text.exec(output());
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`no ${text} in: ${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

describe('web console', { skip: !existsSync(CHROMIUM) && 'no /usr/bin/chromium' }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'samsa-console-'));
    // `samsa start` with its services (the HTTP proxy aside): the console, registry and Connect.
    const child = track(
      spawn(
        process.execPath,
        [
          join(import.meta.dirname, '../../bin/samsa.js'),
          'start',
          '--port',
          '0',
          '--data-dir',
          join(dir, 'data'),
          '--log-level',
          'warn',
          '--no-proxy',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    let text = '';
    child.stdout!.on('data', (c: Buffer) => (text += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (text += c.toString()));
    const output = () => text;
    broker = { child, output, bootstrap: '' };
    broker.bootstrap = `127.0.0.1:${(await waitFor(/listening on [\d.]+:(\d+)/, output))[1]}`;
    consoleUrl = (await waitFor(/Console on (http:\/\/[\d.:]+)/, broker.output))[1]!;
    await waitFor(/Connect REST API on/, broker.output);
    registryUrl = (await waitFor(/Schema registry listening on (http:\/\/[\d.:]+)/, broker.output))[1]!;
    const lines = Array.from(
      { length: MESSAGES },
      (_, i) => `order-${i}:${JSON.stringify({ id: i, item: i % 2 ? 'tea' : 'coffee' })}`,
    );
    const produced = await run(
      'kcat',
      ['-P', '-b', broker.bootstrap, '-t', 'orders', '-K:', '-H', 'source=kcat'],
      { input: `${lines.join('\n')}\n` },
    );
    assert.equal(produced.code, 0, produced.stderr);
    // A consumer group that read 150 of the 200 records.
    const admin = createAdmin({ bootstrapBrokers: [broker.bootstrap] }, { clientId: 'console-test' });
    await admin.alterConsumerGroupOffsets({
      groupId: 'billing',
      topics: [{ name: 'orders', partitionOffsets: [{ partition: 0, offset: 150n }] }],
    });
    await admin.close();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
    });
    page = await browser.newPage({
      viewport: { width: 1280, height: 800 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    page.on('request', (r) => pending.set(r, Date.now()));
    page.on('requestfinished', (r) => pending.delete(r));
    page.on('requestfailed', (r) => pending.delete(r));
    page.on('request', (r) => {
      if (!r.url().startsWith(consoleUrl) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
  });

  after(async () => {
    await browser?.close();
    if (broker) {
      broker.child.kill('SIGTERM');
      await exited(broker.child);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the overview: cluster id, brokers and counts', async () => {
    const started = performance.now();
    await page.goto(`${consoleUrl}/`);
    await page.getByTestId('cluster-id').waitFor();
    const loadMs = performance.now() - started;
    assert.match((await page.getByTestId('cluster-id').textContent()) ?? '', /\S{10,}/);
    assert.ok(Number(await page.getByTestId('topic-count').textContent()) >= 1);
    await page.getByText('Consumer groups with the largest lag').waitFor();
    await page.locator('main table a', { hasText: 'billing' }).waitFor();
    // samsa start serves broker metrics: the overview charts throughput from them.
    await page.getByTestId('throughput').waitFor();
    await shot('overview');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('overview-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    console.log(`# first page (overview) rendered in ${loadMs.toFixed(0)} ms`);
  });

  it('lists, searches and sorts topics, and creates one', async () => {
    await page.goto(`${consoleUrl}/#/topics?q=ord`);
    const table = page.getByTestId('topics');
    await table.locator('a', { hasText: 'orders' }).waitFor();
    assert.equal(await table.locator('tbody tr').count(), 1, 'search keeps only orders');
    assert.match((await table.locator('tbody tr').first().textContent()) ?? '', /200/);
    // Its size on disk (DescribeLogDirs): 200 records of ~30 bytes and their batch headers.
    const size = (await table.locator('tbody tr td:nth-child(4)').textContent()) ?? '';
    const m = /^([\d.]+) KiB$/.exec(size);
    assert.ok(m && Number(m[1]) > 4 && Number(m[1]) < 64, `orders size ${size}`);
    await page.locator('input[type=search]').fill('');
    await page.getByRole('button', { name: 'Messages' }).click();
    await page.waitForURL(/sort=messages%3Aasc|sort=messages:asc/);
    await shot('topics');
    await page.getByRole('button', { name: 'Create topic' }).click();
    await page.locator('input[name=name]').fill('payments');
    await page.locator('input[name=partitions]').fill('3');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.waitForURL(/#\/topics\/payments$/);
    await page.getByTestId('partitions').locator('tbody tr').nth(2).waitFor();
    assert.equal(await page.getByTestId('partitions').locator('tbody tr').count(), 3);
    // Creating it again shows the broker's refusal.
    await page.goto(`${consoleUrl}/#/topics`);
    await page.getByRole('button', { name: 'Create topic' }).click();
    await page.locator('input[name=name]').fill('payments');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'TOPIC_ALREADY_EXISTS' }).waitFor();
  });

  it('shows a topic with its partitions and configs', async () => {
    await page.goto(`${consoleUrl}/#/topics/orders`);
    const row = page.getByTestId('partitions').locator('tbody tr').first();
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /200/);
    const partitionSize = (await row.locator('td:nth-child(8)').textContent()) ?? '';
    assert.match(partitionSize, /^[\d.]+ KiB$/);
    assert.equal(
      (await page.getByTestId('topic-size').textContent())?.replace(/[()]/g, ''),
      `${partitionSize} on disk`,
    );
    // The topic's throughput chart (from the broker's metrics) is on its page.
    await page.getByTestId('throughput').waitFor();
    await page.getByRole('cell', { name: 'retention.ms', exact: true }).waitFor();
    assert.match((await page.getByTestId('consumers').textContent()) ?? '', /billing150/, 'billing lags 50');
    await shot('topic');
  });

  it('browses pages of messages, filters them, and produces one', async () => {
    const started = performance.now();
    await page.goto(`${consoleUrl}/#/topics/orders/messages?from=beginning&limit=100&decode=json`);
    const rows = page.getByTestId('messages').locator('tbody tr');
    await rows.nth(99).waitFor();
    console.log(
      `# message browser: 100-message page rendered in ${(performance.now() - started).toFixed(0)} ms`,
    );
    assert.equal(await rows.count(), 100);
    assert.match((await rows.first().textContent()) ?? '', /order-0.*"item": "coffee".*source: kcat/s);
    await page.getByRole('button', { name: 'Newer →' }).click();
    await page.waitForURL(/offset=100/);
    await page.getByTestId('messages').locator('tbody tr td', { hasText: /^100$/ }).waitFor();
    await page.locator('input[name=filter]').fill('order-4');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.waitForURL(/filter=order-4/);
    // Keys order-100 ... order-199 do not contain "order-4": the page scans to the end, finds none.
    await page
      .getByTestId('page-info')
      .filter({ hasText: 'Showing 0 messages from offset 100 matching' })
      .waitFor();
    await page.goto(`${consoleUrl}/#/topics/orders/messages?from=beginning&filter=order-42&decode=json`);
    await rows.first().filter({ hasText: /^42/ }).waitFor();
    assert.equal(await rows.count(), 1);
    await page.getByRole('button', { name: 'Copy message 42' }).click();
    const copied = JSON.parse((await page.evaluate('navigator.clipboard.readText()')) as string);
    assert.deepEqual([copied.offset, copied.key, copied.headers], [42, 'order-42', { source: 'kcat' }]);
    await shot('messages');
    await page.locator('input[name=key]').fill('from-browser');
    await page.locator('textarea[name=value]').fill('{"id":"new"}');
    await page.locator('textarea[name=headers]').fill('origin=console');
    await page.getByRole('button', { name: 'Produce' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Produced to partition 0 at offset ${MESSAGES}` })
      .waitFor();
    await page.goto(`${consoleUrl}/#/topics/orders/messages?from=end&limit=1`);
    await rows.first().filter({ hasText: 'from-browser' }).waitFor();
    assert.match((await rows.first().textContent()) ?? '', /origin: console/);
    // Live tail: a record kcat writes now shows up without a click.
    await page.goto(`${consoleUrl}/#/topics/orders/messages?from=end&limit=5&live=1`);
    await rows.filter({ hasText: 'from-browser' }).waitFor();
    const tailed = await run('kcat', ['-P', '-b', broker.bootstrap, '-t', 'orders', '-K:'], {
      input: 'tail-me:{"id":"live"}\n',
    });
    assert.equal(tailed.code, 0, tailed.stderr);
    await rows.filter({ hasText: 'tail-me' }).waitFor();
  });

  it('reads all partitions merged by time, decoding Avro, JSON Schema and Protobuf through the registry', async () => {
    // Three partitions, one schema format each, timestamps interleaved: p0, p1, p2, p0, p1, ...
    const admin = createAdmin({ bootstrapBrokers: [broker.bootstrap] }, { clientId: 'console-test' });
    await admin.createTopics({ topics: ['typed'], partitions: 3, replicas: 1 });
    await admin.close();
    const formats = [
      {
        format: 'avro' as const,
        schema: {
          type: 'record',
          name: 'Shipment',
          fields: [
            { name: 'id', type: 'int' },
            { name: 'city', type: 'string' },
          ],
        },
        value: (i: number) => ({ id: i, city: `avro-city-${i}` }),
      },
      {
        format: 'jsonschema' as const,
        schema: { type: 'object', properties: { id: { type: 'integer' }, note: { type: 'string' } } },
        value: (i: number) => ({ id: i, note: `json-note-${i}` }),
      },
      {
        format: 'protobuf' as const,
        schema: 'syntax = "proto3";\nmessage Payment {\n  int32 id = 1;\n  string currency = 2;\n}\n',
        value: (i: number) => ({ id: i, currency: `proto-eur-${i}` }),
      },
    ];
    const serializers = formats.map((f) =>
      serializer({
        registry: registryUrl,
        format: f.format,
        schema: f.schema,
        subjectNameStrategy: () => `typed-${f.format}`,
      }),
    );
    const producer = createProducer({ bootstrapBrokers: [broker.bootstrap] }, { clientId: 'console-test' });
    const T0 = Date.parse('2026-01-01T00:00:00Z');
    const messages = [];
    for (let i = 0; i < 9; i++) {
      const partition = i % 3;
      messages.push({
        topic: 'typed',
        partition,
        key: Buffer.from(`k${i}`),
        value: (await serializers[partition]!('typed', formats[partition]!.value(i)))!,
        timestamp: BigInt(T0 + i * 1000),
      });
    }
    await producer.send({ messages });
    await producer.close();

    await page.goto(`${consoleUrl}/#/topics/typed/messages?partition=all&from=beginning&limit=4`);
    const rows = page.getByTestId('messages').locator('tbody tr');
    await rows.nth(3).waitFor();
    /** Waits for the first row to hold `text`; on failure says what the page shows instead. */
    const firstRowHas = async (text: string) => {
      try {
        await rows.first().filter({ hasText: text }).waitFor();
      } catch (err) {
        const shown = await page.locator('main').textContent();
        throw new Error(`no ${text} in the first row; page: ${shown}; unanswered: ${unanswered()}`, {
          cause: err,
        });
      }
    };
    const keys = async () => (await rows.locator('td:nth-child(4)').allTextContents()).join(' ');
    const partitionsShown = async () => (await rows.locator('td:nth-child(1)').allTextContents()).join(' ');
    assert.equal(await keys(), 'k0 k1 k2 k3', 'the earliest four, in time order');
    assert.equal(await partitionsShown(), '0 1 2 0');
    const text = (await page.getByTestId('messages').textContent()) ?? '';
    assert.match(text, /schema \d+ · AVRO.*"city": "avro-city-0"/s);
    assert.match(text, /schema \d+ · JSON.*"note": "json-note-1"/s);
    assert.match(text, /schema \d+ · PROTOBUF.*"currency": "proto-eur-2"/s);
    await shot('messages-merged');
    await page.getByRole('button', { name: 'Newer →' }).click();
    await page.waitForURL(/after=/);
    await firstRowHas('k4');
    assert.equal(await keys(), 'k4 k5 k6 k7');
    await page.getByRole('button', { name: 'Newer →' }).click();
    await firstRowHas('k8');
    assert.equal(await keys(), 'k8');
    assert.ok(await page.getByRole('button', { name: 'Newer →' }).isDisabled(), 'nothing newer');
    await page.getByRole('button', { name: '← Older' }).click();
    await page.waitForURL(/before=/);
    await firstRowHas('k4');
    assert.equal(await keys(), 'k4 k5 k6 k7');
    // From the end: the newest four, still in time order; the raw bytes when asked for hex.
    await page.goto(`${consoleUrl}/#/topics/typed/messages?partition=all&from=end&limit=4`);
    await firstRowHas('k5');
    assert.equal(await keys(), 'k5 k6 k7 k8');
    await page.goto(`${consoleUrl}/#/topics/typed/messages?partition=all&from=end&limit=4&decode=hex`);
    await rows.first().filter({ hasText: /^2/ }).waitFor();
    assert.match((await rows.first().locator('td.value').textContent()) ?? '', /^00 00 00 00 \w\w /);
  });

  it("resets a group's offsets with a dry run first and shows the new lag", async () => {
    await page.goto(`${consoleUrl}/#/groups`);
    await page.getByTestId('groups').locator('a', { hasText: 'billing' }).click();
    await page.waitForURL(/#\/groups\/billing$/);
    const lag = page.getByTestId('total-lag');
    // The kcat records, the one produced from the page and the live-tailed one; 150 committed.
    const end = MESSAGES + 2;
    await lag.filter({ hasText: String(end - 150) }).waitFor();
    await page.locator('select[name=mode]').selectOption('earliest');
    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    await page.getByTestId('reset-plan').filter({ hasText: 'Dry run' }).waitFor();
    assert.match(
      (await page.getByTestId('reset-plan').textContent()) ?? '',
      new RegExp(`Total lag after: ${end}`),
    );
    assert.equal(await lag.textContent(), String(end - 150), 'a dry run changes nothing');
    await page
      .getByTestId('lag-chart')
      .getByTestId('lag-now')
      .filter({ hasText: String(end - 150) })
      .waitFor();
    await page.getByRole('button', { name: 'Apply reset' }).click();
    await lag.filter({ hasText: String(end) }).waitFor();
    // The lag chart took a reading before the reset and one after it: the line rises to the new lag.
    const chart = page.getByTestId('lag-chart');
    await chart
      .getByTestId('lag-now')
      .filter({ hasText: String(end) })
      .waitFor();
    assert.ok(Number(await chart.getAttribute('data-samples')) >= 2, 'readings before and after');
    assert.match((await chart.textContent()) ?? '', new RegExp(`peak ${end}.*orders/0: ${end}`));
    const points = (await chart.locator('polyline').first().getAttribute('points'))!.split(' ');
    const ys = points.map((p) => Number(p.split(',')[1]));
    assert.ok(ys[0]! > ys.at(-1)!, `the line rises (SVG y falls): ${points.join(' ')}`);
    await shot('group');
    // To a specific offset: previewed, then applied.
    const plan = page.getByTestId('reset-plan');
    await page.locator('select[name=mode]').selectOption('offset');
    await page.locator('input[name=value]').fill('190');
    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    await plan.filter({ hasText: `Dry run: nothing changed yet. Total lag after: ${end - 190}` }).waitFor();
    assert.match(
      (await plan.locator('tbody tr').first().textContent()) ?? '',
      new RegExp(`^orders00190${end}${end - 190}$`),
    );
    await page.getByRole('button', { name: 'Apply reset' }).click();
    await lag.filter({ hasText: String(end - 190) }).waitFor();
    // To a time: before the first record is the earliest offset, after the last one the end.
    await page.locator('select[name=mode]').selectOption('timestamp');
    await page.locator('input[name=value]').fill('2000-01-01T00:00:00Z');
    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    await plan.filter({ hasText: `Total lag after: ${end}` }).waitFor();
    await page.locator('input[name=value]').fill('2999-01-01T00:00:00Z');
    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    await plan.filter({ hasText: 'Total lag after: 0' }).waitFor();
    assert.equal(await lag.textContent(), String(end - 190), 'previews change nothing');
  });

  it('creates a connector (showing Connect’s validation errors first) and pauses it', async () => {
    const input = join(dir, 'input.txt');
    writeFileSync(input, 'one\ntwo\n');
    await page.goto(`${consoleUrl}/#/connectors`);
    const json = page.locator('textarea[name=connector]');
    await json.fill(JSON.stringify({ name: 'lines', config: { 'connector.class': 'FileStreamSource' } }));
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Missing required configuration "file"' }).waitFor();
    await json.fill(
      JSON.stringify({
        name: 'lines',
        config: { 'connector.class': 'FileStreamSource', file: input, topic: 'lines' },
      }),
    );
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Created lines.' }).waitFor();
    const state = page.getByTestId('state-lines');
    for (let i = 0; !/RUNNING/.test((await state.textContent()) ?? ''); i++) {
      assert.ok(i < 100, 'connector reaches RUNNING');
      await page.getByRole('button', { name: 'Refresh', exact: true }).click();
      await page.waitForTimeout(100);
    }
    // Its offsets (GET /connectors/lines/offsets): the file and the position after "one\ntwo\n",
    // once the worker has flushed them (every 10 s in `samsa start`).
    await page.getByText('Offsets of lines').click();
    const offsets = page.locator('details', { hasText: 'Offsets of lines' });
    // Until the first flush the answer is "No offsets committed yet."; Refresh asks again. The text
    // is read once per round, so a Refresh never hides an answer that already shows the position.
    const since = Date.now();
    for (let i = 0; ; i++) {
      const shown = (await offsets.textContent()) ?? '';
      if (/position: 8/.test(shown)) break;
      assert.ok(
        i < 150,
        `offsets of lines after ${Date.now() - since} ms: ${shown}; unanswered: ${unanswered()}`,
      );
      if (!/Loading/.test(shown)) await page.getByRole('button', { name: 'Refresh offsets' }).click();
      await page.waitForTimeout(500);
    }
    assert.match(
      (await page.getByTestId('offsets-lines').textContent()) ?? '',
      new RegExp(`filename: ${input}`),
    );
    console.log(`# connector offsets shown ${Date.now() - since} ms after the connector ran`);
    await page.getByRole('button', { name: 'Pause' }).click();
    for (let i = 0; !/PAUSED/.test((await state.textContent()) ?? ''); i++) {
      assert.ok(i < 100, 'connector reaches PAUSED');
      await page.getByRole('button', { name: 'Refresh', exact: true }).click();
      await page.waitForTimeout(100);
    }
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    await shot('connectors');
  });

  it('registers schema versions and shows why an incompatible one is refused', async () => {
    const v1 = { type: 'record', name: 'Order', fields: [{ name: 'id', type: 'int' }] };
    await page.goto(`${consoleUrl}/#/schemas`);
    await page.locator('input[name=subject]').fill('orders-value');
    await page.locator('textarea[name=schema]').fill(JSON.stringify(v1));
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await page.waitForURL(/#\/schemas\/orders-value$/);
    await page.getByTestId('version-1').waitFor();
    const schema = page.locator('textarea[name=schema]');
    await schema.fill(JSON.stringify({ ...v1, fields: [...v1.fields, { name: 'item', type: 'string' }] }));
    await page.getByRole('button', { name: 'Check and register' }).click();
    await page.getByTestId('compat-messages').waitFor();
    assert.match((await page.getByTestId('compat-messages').textContent()) ?? '', /item/);
    await schema.fill(
      JSON.stringify({ ...v1, fields: [...v1.fields, { name: 'item', type: 'string', default: '' }] }),
    );
    await page.getByRole('button', { name: 'Check and register' }).click();
    await page.getByTestId('version-2').waitFor();
    assert.match((await page.getByTestId('diff').textContent()) ?? '', /\+ +"name": "item"/);
    await shot('schemas');
  });

  it('lists SCRAM users and creates one', async () => {
    await page.goto(`${consoleUrl}/#/security`);
    await page.getByRole('heading', { name: 'SCRAM users' }).waitFor();
    await page.locator('input[name=name]').fill('dave');
    await page.locator('input[name=password]').fill('dave-pw');
    await page.getByRole('button', { name: 'Save user' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved user dave.' }).waitFor();
    await page.getByTestId('users').getByRole('cell', { name: 'dave', exact: true }).waitFor();
    await shot('security');
  });

  it('charts throughput from the broker metrics as records arrive', async () => {
    await page.goto(`${consoleUrl}/#/`);
    const chart = page.getByTestId('throughput');
    await chart.waitFor();
    const lines = Array.from({ length: 500 }, (_, i) => `m${i}:${'x'.repeat(100)}`).join('\n');
    const deadline = Date.now() + 30_000;
    // Write while the page polls (every 5 s) until a reading shows records arriving.
    while (!/Messages in: [1-9]/.test((await chart.textContent()) ?? '')) {
      assert.ok(Date.now() < deadline, `no throughput shown: ${await chart.textContent()}`);
      const produced = await run('kcat', ['-P', '-b', broker.bootstrap, '-t', 'metered', '-K:'], {
        input: `${lines}\n`,
      });
      assert.equal(produced.code, 0, produced.stderr);
      await page.waitForTimeout(1000);
    }
    assert.match((await chart.textContent()) ?? '', /Bytes in: [1-9]/);
    await shot('overview');
  });

  it('asked no address but the console’s own server', () => {
    assert.deepEqual(foreign, []);
  });
});
