/**
 * Issue 21's quota figure: a librdkafka producer (python3-confluent-kafka, 10 KB records, acks=1)
 * with a 1 MiB/s `producer_byte_rate` (set with `samsa quotas:set --client-id`) on a `samsa start`
 * broker achieves 1 MiB/s ± 10% over 10 s, while an unthrottled producer (another client id) writes
 * at full speed beside it (up to 1 GiB, to bound the disk it fills) from the start of those 10 s.
 *
 * Kafka's rate over `quota.window.num` windows lets a new client first use the quota of the whole
 * window span at once, and again each time that burst leaves the windows, so the throttled rate
 * is a sawtooth whose period is about the span. Two runs:
 * - `quota.window.num` 3 (3 s span, shorter than the 10 s measured): the rate over MEASURE_FROM..
 *   MEASURE_FROM+10 s must be within ±10% of the quota;
 * - the defaults (11 × 1 s: ~10 MiB bursts about every 12 s): a 10 s span cannot be within ±10%
 *   there, so the check is on the average over the whole run (a full cycle and more).
 * Prints both producers' rates, the throttled one's MiB per second and librdkafka's throttle
 * statistics; exits 1 when a check fails. The short, loose version is
 * test/broker/quotas/throttle.test.ts. Not covered: consumer_byte_rate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { samsa } from '../../test/cli/run-cli.ts';
import { startBrokerProcess } from '../../test/helpers/broker-process.ts';
import { PYTHON, run } from '../../test/helpers/run.ts';

const QUOTA = 1024 * 1024;
const TOLERANCE = 0.1;
const MEASURE_S = 10;
const MEASURE_FROM = 12;
const RUN_S = MEASURE_FROM + MEASURE_S + 1;
const FREE_MAX_BYTES = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;

interface ProduceRun {
  acked: [number, number][];
  errors: number;
  throttle_max_ms: number;
  throttle_count: number;
  throttle_avg_ms: number;
}

function produce(bootstrap: string, clientId: string, topic: string, seconds: number, maxBytes: number) {
  const script = join(import.meta.dirname, '../../test/broker/quotas/produce_rate.py');
  const args = [script, bootstrap, topic, clientId, String(seconds), String(maxBytes)];
  return run(PYTHON, args, { timeoutMs: 120_000 }).then((r) => {
    if (r.code !== 0) throw new Error(`produce_rate.py ${clientId} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as ProduceRun;
  });
}

/** Bytes acknowledged by `t` seconds into a run. */
function ackedAt(r: ProduceRun, t: number): number {
  let bytes = 0;
  for (const [when, total] of r.acked) if (when <= t) bytes = total;
  return bytes;
}
const rate = (r: ProduceRun, from: number, to: number): number =>
  (ackedAt(r, to) - ackedAt(r, from)) / (to - from);
const mib = (bytesPerSecond: number): string => `${(bytesPerSecond / MiB).toFixed(3)} MiB/s`;
const off = (bytesPerSecond: number): string => `${((bytesPerSecond / QUOTA - 1) * 100).toFixed(1)}%`;

/** One broker with `windows` quota windows of 1 s; returns the failures. */
async function runCase(windows: number, check: 'ten-seconds' | 'whole-run'): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-quotas-soak-'));
  const broker = await startBrokerProcess(dataDir, ['--quota-window-num', String(windows)]);
  const failures: string[] = [];
  try {
    const b = ['-b', broker.bootstrap];
    for (const topic of ['quota-throttled', 'quota-free']) {
      const r = await samsa(['topics:create', topic, '--partitions', '1', ...b]);
      if (r.code !== 0) throw new Error(r.stderr);
    }
    const set = await samsa([
      'quotas:set',
      `producer_byte_rate=${QUOTA}`,
      '--client-id',
      'soak-throttled',
      ...b,
    ]);
    if (set.code !== 0) throw new Error(set.stderr);

    const throttledRun = produce(broker.bootstrap, 'soak-throttled', 'quota-throttled', RUN_S, 1e12);
    await new Promise((r) => setTimeout(r, MEASURE_FROM * 1000));
    const free = await produce(broker.bootstrap, 'soak-free', 'quota-free', MEASURE_S, FREE_MAX_BYTES);
    const throttled = await throttledRun;

    const ten = rate(throttled, MEASURE_FROM, MEASURE_FROM + MEASURE_S);
    const whole = rate(throttled, 0, RUN_S);
    const [freeSecs, freeBytes] = free.acked.at(-1) ?? [0, 0];
    const perSecond = Array.from({ length: RUN_S }, (_, i) => (rate(throttled, i, i + 1) / MiB).toFixed(2));
    console.log(`\nquota.window.num ${windows} × 1 s, producer_byte_rate=${QUOTA} (1 MiB/s):`);
    console.log(`  throttled, ${MEASURE_FROM}-${MEASURE_FROM + MEASURE_S} s: ${mib(ten)} (${off(ten)})`);
    console.log(`  throttled, whole ${RUN_S} s run: ${mib(whole)} (${off(whole)})`);
    console.log(`  throttled, MiB acknowledged in each second: ${perSecond.join(' ')}`);
    console.log(
      `  throttled: ${throttled.throttle_count} throttled responses, avg ${throttled.throttle_avg_ms} ms, ` +
        `max ${throttled.throttle_max_ms} ms; ${throttled.errors} delivery errors`,
    );
    console.log(
      `  unthrottled (from ${MEASURE_FROM} s): ${mib(freeBytes / Math.max(freeSecs, 0.001))} ` +
        `(${(freeBytes / MiB).toFixed(0)} MiB in ${freeSecs.toFixed(1)} s), ` +
        `${free.throttle_count} throttled responses; ${free.errors} delivery errors`,
    );
    const checked = check === 'ten-seconds' ? ten : whole;
    if (Math.abs(checked / QUOTA - 1) > TOLERANCE)
      failures.push(
        `windows ${windows}: ${check} rate ${mib(checked)} is outside 1 MiB/s ± ${TOLERANCE * 100}%`,
      );
    if (throttled.errors + free.errors > 0) failures.push(`windows ${windows}: delivery errors`);
    if (free.throttle_count > 0) failures.push(`windows ${windows}: the unthrottled producer was throttled`);
  } finally {
    await broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return failures;
}

const failures = [...(await runCase(3, 'ten-seconds')), ...(await runCase(11, 'whole-run'))];
for (const f of failures) console.log(`FAIL: ${f}`);
process.exitCode = failures.length > 0 ? 1 : 0;
