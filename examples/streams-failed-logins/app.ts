/**
 * Threshold alert: failed logins per account in a 5-minute window that advances every minute
 * (hopping window, 30 s grace). When an account reaches THRESHOLD failures inside one window, an
 * alert goes to `security-alerts`.
 *
 *   npx node --conditions=development examples/streams-failed-logins/app.ts
 */
import { KafkaStreams, KeyValue, Serdes, StreamsBuilder, TimeWindows, type Windowed } from 'samsa/streams';
import { BOOTSTRAP, EXIT_WHEN_DONE, ensureTopics, send, tail } from '../streams-common/kafka.ts';

const THRESHOLD = 5;
const MINUTE = 60_000;

interface LoginAttempt {
  account: string;
  success: boolean;
  ip: string;
}

await ensureTopics([
  { name: 'login-attempts', partitions: 2 },
  { name: 'security-alerts', partitions: 1 },
]);

const builder = new StreamsBuilder();
builder
  .stream('login-attempts', { keySerde: Serdes.String(), valueSerde: Serdes.JSON<LoginAttempt>() })
  .filter((_account, attempt) => !attempt.success)
  .groupByKey()
  .windowedBy(TimeWindows.ofSizeAndGrace(5 * MINUTE, 30_000).advanceBy(MINUTE))
  .count({ name: 'failed-logins' })
  .toStream()
  .filter((_w, failures) => failures !== null && failures >= THRESHOLD)
  .map((w: Windowed<string>, failures) =>
    KeyValue.pair(
      w.key,
      JSON.stringify({
        account: w.key,
        failures,
        windowStart: new Date(w.window.start).toISOString(),
        windowEnd: new Date(w.window.end).toISOString(),
      }),
    ),
  )
  .to('security-alerts', { keySerde: Serdes.String(), valueSerde: Serdes.String() });

const app = new KafkaStreams(builder.build(), {
  'application.id': 'failed-logins',
  'bootstrap.servers': BOOTSTRAP,
  'commit.interval.ms': 1_000,
});
await app.start();

// mallory fails 6 times within 3 minutes; alice fails twice and then logs in
const run = Date.now().toString(36);
const t0 = Math.floor(Date.now() / MINUTE) * MINUTE;
const attempt = (account: string, success: boolean, at: number) => ({
  key: `${account}-${run}`,
  value: JSON.stringify({ account: `${account}-${run}`, success, ip: '203.0.113.7' }),
  timestamp: t0 + at,
});
await send('login-attempts', [
  attempt('alice', false, 0),
  attempt('mallory', false, 10_000),
  attempt('mallory', false, 40_000),
  attempt('alice', false, 50_000),
  attempt('mallory', false, 70_000),
  attempt('alice', true, 80_000),
  attempt('mallory', false, 100_000),
  attempt('mallory', false, 150_000),
  attempt('mallory', false, 170_000),
]);
console.log(`security-alerts (threshold ${THRESHOLD} failures in 5 minutes):`);
await tail(
  'security-alerts',
  (_account, alert) => `  ${alert}`,
  (seen) => EXIT_WHEN_DONE && seen.has(`mallory-${run}`),
);
await app.close();
