/**
 * alerts: a login service records every attempt; a streams app counts failed logins per account in
 * 5-minute windows and raises an alert when an account reaches the threshold.
 *
 *   Fastify login service (samsa/emit plugin) ──► topic `logins` (keyed by account)
 *        ▲ load: users logging in (a few typos),          │ streams app: failures per account,
 *        │ and a credential-stuffing bot on a few         │ tumbling 5-min window, 30 s grace
 *        │ victim accounts                                ▼
 *                                                 topic `alerts`: {account, failures, window}
 *                                                 one update per new count ≥ THRESHOLD
 *
 *   npx samsa demo alerts [--duration 30]
 */
import { join } from 'node:path';
import { Consumer, stringDeserializers } from '@platformatic/kafka';
import Fastify from 'fastify';
import { createEmitter, fastifyPlugin } from 'samsa/emit';
import { KafkaStreams, KeyValue, Serdes, StreamsBuilder, TimeWindows, type Windowed } from 'samsa/streams';
import { ensureTopics, startPlatform } from '../demo-kit/platform.ts';
import { runDemo } from '../demo-kit/run-demo.ts';

const THRESHOLD = 5;
const MINUTE = 60_000;
const USERS = 500;
const VICTIMS = ['victim-ann', 'victim-bob', 'victim-cyd'];
const LOGINS_PER_SECOND = 100;
const BOT_ATTEMPTS_PER_SECOND = 15;

interface LoginAttempt {
  account: string;
  success: boolean;
  ip: string;
}

interface Alert {
  account: string;
  failures: number;
  windowStart: string;
  windowEnd: string;
}

await runDemo('alerts', async (demo) => {
  const platform = await startPlatform({ dataDir: join(demo.dir, 'samsa'), ...demo.given });
  demo.onStop(() => platform.stop());
  demo.log(`Samsa on ${platform.bootstrap}`);
  await ensureTopics(platform.bootstrap, [
    { name: 'logins', partitions: 3 },
    { name: 'alerts', partitions: 1 },
  ]);

  // 1. The streams app.
  const builder = new StreamsBuilder();
  builder
    .stream('logins', { keySerde: Serdes.String(), valueSerde: Serdes.JSON<LoginAttempt>() })
    .filter((_account, attempt) => attempt?.success === false)
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(5 * MINUTE, 30_000))
    .count({ name: 'failed-logins' })
    .toStream()
    .filter((_w, failures) => failures !== null && failures >= THRESHOLD)
    .map((w: Windowed<string>, failures) => {
      const alert: Alert = {
        account: w.key,
        failures: failures!,
        windowStart: new Date(w.window.start).toISOString(),
        windowEnd: new Date(w.window.end).toISOString(),
      };
      return KeyValue.pair(w.key, JSON.stringify(alert));
    })
    .to('alerts', { keySerde: Serdes.String(), valueSerde: Serdes.String() });
  const streams = new KafkaStreams(
    builder.build(),
    {
      'application.id': 'failed-login-alerts',
      'bootstrap.servers': platform.bootstrap,
      'state.dir': join(demo.dir, 'streams-state'),
      'commit.interval.ms': 500,
    },
    { handleSignals: false }, // the demo closes it in order on Ctrl-C
  );
  demo.onStop(() => streams.close());

  // 2. Watch the alerts as they come.
  const latest = new Map<string, Alert>();
  const consumer = new Consumer({
    clientId: 'alerts-demo',
    groupId: `alerts-watch-${process.pid}`,
    bootstrapBrokers: [platform.bootstrap],
    deserializers: stringDeserializers,
  });
  const [, alerts] = await Promise.all([
    streams.start(),
    consumer.consume({ topics: ['alerts'], mode: 'earliest' }),
  ]);
  demo.onStop(async () => {
    await alerts.close();
    await consumer.close();
  });
  alerts.on('data', (m) => {
    const alert = JSON.parse(m.value) as Alert;
    if (!latest.has(alert.account))
      demo.log(`ALERT ${alert.account}: ${alert.failures} failed logins since ${alert.windowStart}`);
    latest.set(alert.account, alert);
  });

  // 3. The login service.
  const emitter = createEmitter({
    bootstrap: platform.bootstrap,
    topic: 'logins',
    source: '/demo/login-service',
  });
  const app = Fastify();
  await app.register(fastifyPlugin, { emitter, type: false });
  app.post<{ Body: { account: string; password: string } }>('/login', async (request, reply) => {
    const { account, password } = request.body;
    const success = password === `pw-${account}`;
    const attempt: LoginAttempt = { account, success, ip: request.headers['x-forwarded-for'] as string };
    request.emit('login.attempted', attempt, { key: account });
    return reply.code(success ? 200 : 401).send({ ok: success });
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  demo.onStop(async () => {
    await emitter.close();
    await app.close();
  });
  demo.log(
    `login service on ${url}: curl -d '{"account":"me","password":"x"}' -H 'content-type: application/json' ${url}/login`,
  );
  demo.log(`watch the alerts: npx samsa topics:tail alerts --bootstrap ${platform.bootstrap}`);

  // 4. Load: people logging in, and a bot trying passwords on a few accounts.
  let logins = 0;
  let failures = 0;
  let botAttempts = 0;
  const login = async (account: string, password: string, ip: string): Promise<void> => {
    const r = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify({ account, password }),
    }).catch(() => null);
    await r?.arrayBuffer();
    if (r?.status === 401) failures++;
  };
  const report = setInterval(() => {
    demo.log(
      `logins ${logins} (${failures} failed, ${botAttempts} by the bot) | accounts alerted: ${latest.size}`,
    );
  }, 5_000);
  demo.onStop(() => clearInterval(report));
  demo.generating(`${LOGINS_PER_SECOND} logins/s from ${USERS} users, a bot on ${VICTIMS.join(', ')}`);
  while (!demo.stopping.aborted) {
    const tick: Promise<void>[] = [];
    for (let i = 0; i < LOGINS_PER_SECOND / 10; i++) {
      const account = `user-${Math.floor(Math.random() * USERS)}`;
      const typo = Math.random() < 0.003; // people mistype now and then, far below the threshold
      tick.push(
        login(account, typo ? 'oops' : `pw-${account}`, `198.51.100.${Math.floor(Math.random() * 250)}`),
      );
      logins++;
    }
    for (let i = 0; i < BOT_ATTEMPTS_PER_SECOND / 10; i++) {
      const victim = VICTIMS[botAttempts % VICTIMS.length]!;
      tick.push(login(victim, `guess-${botAttempts}`, '203.0.113.66'));
      botAttempts++;
      logins++;
    }
    await Promise.all(tick);
    await demo.sleep(100);
  }

  // 5. Stopped: every victim should have been flagged.
  demo.log('load stopped; waiting for the last counts');
  await emitter.flush(10_000);
  await demo.waitFor(() => VICTIMS.every((v) => latest.has(v)), 15_000);
  await new Promise((r) => setTimeout(r, 1_000)); // the last updates of the counts
  clearInterval(report);
  const flagged = [...latest.keys()].sort();
  return {
    'login attempts': logins,
    'failed logins': failures,
    'bot attempts': botAttempts,
    'accounts alerted': flagged.join(', ') || 'none',
    'victims alerted': `${VICTIMS.filter((v) => latest.has(v)).length} of ${VICTIMS.length}`,
    'other accounts alerted': flagged.filter((a) => !VICTIMS.includes(a)).length,
    'alert topic': 'alerts',
  };
});
