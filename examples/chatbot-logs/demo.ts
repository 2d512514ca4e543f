/**
 * chatbot-logs: a chatbot runtime's debug logs delivered in bulk over HTTP to each organisation's
 * log endpoint, with retry topics and a dead-letter topic catching what fails.
 *
 *   bot runtime (samsa/emit, key "<org>/<session>")  ──►  topic `chatbot-logs` (6 partitions, 7 days)
 *                                                                │ HTTP bulk sink (JSON arrays)
 *                                                                ▼
 *                                 local log store: POST /bulk/<org>%2F<session>
 *                                   acme     always accepts
 *                                   globex   answers 503 to 30% of the batches → retried
 *                                   initech  is down (503 always) → retry topics → `chatbot-logs-dlt`
 *
 *   npx samsa demo chatbot-logs [--duration 30]
 *
 * A failed batch is retried in the task, then its records go to `chatbot-logs-retry-1s`, then
 * `chatbot-logs-retry-3s`, and after that to `chatbot-logs-dlt` with headers saying why. Nothing is
 * lost: every event ends up accepted by its org's endpoint or in the dead-letter topic.
 */
import { join } from 'node:path';
import { Consumer, stringDeserializers } from '@platformatic/kafka';
import { createEmitter } from 'samsa/emit';
import { ensureTopics, putConnectors, startPlatform } from '../demo-kit/platform.ts';
import { runDemo } from '../demo-kit/run-demo.ts';
import { startHttpService } from '../demo-kit/services.ts';

const ORGS = { acme: 0, globex: 0.3, initech: 1 } as const; // share of batches each endpoint fails
type Org = keyof typeof ORGS;
const SESSIONS_PER_ORG = 8;
const EVENTS_PER_SECOND = 300;
const SEVEN_DAYS_MS = 7 * 24 * 3_600_000;
const LEVELS = ['debug', 'debug', 'debug', 'info', 'info', 'warn', 'error'];
const STEPS = ['intent.classified', 'retrieval.done', 'llm.prompted', 'llm.answered', 'tool.called'];

interface LogLine {
  seq: number;
  org: Org;
  session: string;
  level: string;
  step: string;
  latencyMs: number;
}

await runDemo('chatbot-logs', async (demo) => {
  // 1. The organisations' log endpoints (one local service standing in for all of them).
  const received = new Map<Org, Set<number>>(Object.keys(ORGS).map((o) => [o as Org, new Set()]));
  const answers = { accepted: 0, failed: 0 };
  const logStore = await startHttpService((req, body, res) => {
    const key = decodeURIComponent(req.url?.replace(/^\/bulk\//, '') ?? '');
    const org = key.split('/')[0] as Org;
    if (!(org in ORGS)) return void res.writeHead(404).end('no such org');
    if (Math.random() < ORGS[org]) {
      answers.failed++;
      return void res.writeHead(503).end(`${org} log store unavailable`);
    }
    for (const line of JSON.parse(body) as LogLine[]) received.get(org)!.add(line.seq);
    answers.accepted++;
    res.writeHead(200).end('ok');
  });
  demo.onStop(() => logStore.stop());

  const platform = await startPlatform({ dataDir: join(demo.dir, 'samsa'), ...demo.given });
  demo.onStop(() => platform.stop());
  demo.log(`Samsa on ${platform.bootstrap}, Connect on ${platform.connectUrl}, log store on ${logStore.url}`);

  await ensureTopics(platform.bootstrap, [
    { name: 'chatbot-logs', partitions: 6, configs: { 'retention.ms': String(SEVEN_DAYS_MS) } },
    { name: 'chatbot-logs-dlt', partitions: 1 },
  ]);
  // 2. The connector, and a consumer watching the dead-letter topic (started together).
  const dlt = new Consumer({
    clientId: 'chatbot-logs-demo',
    groupId: `chatbot-logs-dlt-watch-${process.pid}`,
    bootstrapBrokers: [platform.bootstrap],
    deserializers: stringDeserializers,
  });
  const dead = new Map<string, number>();
  const [stream] = await Promise.all([
    dlt.consume({ topics: ['chatbot-logs-dlt'], mode: 'earliest' }),
    putConnectors(platform, {
      'chatbot-logs-to-orgs': {
        'connector.class': 'samsa.connect.http.HttpSinkConnector',
        topics: 'chatbot-logs',
        'http.api.url': `${logStore.url}/bulk/\${key}`,
        'request.body.format': 'json',
        'batch.json.as.array': 'true',
        'batch.max.size': '200',
        'batch.linger.ms': '100',
        'max.in.flight.requests': '8',
        'max.retries': '1',
        'retry.backoff.ms': '100',
        'retry.topics': '1s,3s',
        'dead.letter.topic': 'chatbot-logs-dlt',
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      },
    }),
  ]);
  demo.log(
    'connector chatbot-logs-to-orgs running (retry topics chatbot-logs-retry-1s, -3s; DLT chatbot-logs-dlt)',
  );
  demo.onStop(async () => {
    await stream.close();
    await dlt.close();
  });
  stream.on('data', (m) => {
    const org = m.key.split('/')[0]!;
    if (!dead.has(org)) {
      const why = m.headers.get('samsa.retry.error') ?? m.headers.get('__connect.errors.exception.message');
      demo.log(
        `first dead letter of ${org}: ${why ?? '?'} (after ${m.headers.get('samsa.retry.attempt')} rounds)`,
      );
    }
    dead.set(org, (dead.get(org) ?? 0) + 1);
  });

  // 3. The bot runtime: conversations of each org emit a log line per step.
  const emitter = createEmitter({
    bootstrap: platform.bootstrap,
    topic: 'chatbot-logs',
    source: '/demo/bot-runtime',
  });
  demo.onStop(() => emitter.close().then(() => {}));
  demo.log(`watch the logs:  npx samsa topics:tail chatbot-logs --bootstrap ${platform.bootstrap}`);
  demo.log(`watch the DLT:   npx samsa topics:tail chatbot-logs-dlt --bootstrap ${platform.bootstrap}`);
  demo.log(
    `connector lag:   npx samsa connectors:info chatbot-logs-to-orgs --bootstrap ${platform.bootstrap}`,
  );
  demo.generating(`emitting ${EVENTS_PER_SECOND} debug events/s from ${Object.keys(ORGS).length} orgs`);
  const emittedByOrg = new Map<Org, number>();
  let seq = 0;
  const report = setInterval(() => {
    const got = [...received.values()].reduce((n, s) => n + s.size, 0);
    const deadTotal = [...dead.values()].reduce((a, b) => a + b, 0);
    demo.log(
      `emitted ${seq} | accepted by endpoints ${got} (${answers.accepted} batches ok, ${answers.failed} failed) | in DLT ${deadTotal}`,
    );
  }, 5_000);
  demo.onStop(() => clearInterval(report));
  const orgs = Object.keys(ORGS) as Org[];
  while (!demo.stopping.aborted) {
    for (let i = 0; i < EVENTS_PER_SECOND / 20; i++) {
      const org = orgs[seq % orgs.length]!;
      const session = `s${Math.floor(Math.random() * SESSIONS_PER_ORG)}`;
      const line: LogLine = {
        seq,
        org,
        session,
        level: LEVELS[Math.floor(Math.random() * LEVELS.length)]!,
        step: STEPS[Math.floor(Math.random() * STEPS.length)]!,
        latencyMs: Math.round(Math.random() * 800),
      };
      emitter.emit('bot.log', line, { key: `${org}/${session}`, subject: session });
      emittedByOrg.set(org, (emittedByOrg.get(org) ?? 0) + 1);
      seq++;
    }
    await demo.sleep(50);
  }

  // 4. Every event ends up accepted or dead-lettered (the last retry round takes a few seconds).
  demo.log('load stopped; waiting until every event is accepted or in the DLT');
  await emitter.flush(10_000);
  const settled = await demo.waitFor(() =>
    orgs.every((o) => received.get(o)!.size + (dead.get(o) ?? 0) >= (emittedByOrg.get(o) ?? 0)),
  );
  clearInterval(report);
  const summary: Record<string, string | number> = {
    'events emitted': seq,
    'events delivered to chatbot-logs': emitter.metrics().delivered,
    'batches accepted / failed': `${answers.accepted} / ${answers.failed}`,
  };
  for (const o of orgs) {
    summary[`${o}: emitted`] = emittedByOrg.get(o) ?? 0;
    summary[`${o}: accepted by endpoint`] = received.get(o)!.size;
    summary[`${o}: in dead-letter topic`] = dead.get(o) ?? 0;
  }
  summary['every event accepted or in DLT'] = settled ? 'yes' : 'no (still retrying)';
  return summary;
});
