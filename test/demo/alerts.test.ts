/**
 * `samsa demo alerts` end to end, stopped with Ctrl-C (SIGINT) as in a terminal once the bot's
 * three victims were alerted: it prints its summary and exits 0 having stopped Samsa, and from the
 * outside (the demo's broker data reopened) the `alerts` topic flags exactly the bot's victims, each
 * with at least THRESHOLD failures in a 5-minute window.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startBroker } from '../../src/testing/index.ts';
import { readTopic, startDemo } from './helpers.ts';

let tmp: string;

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'samsa-demo-alerts-'));
});

after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

test('failed logins per account in a 5-minute window above the threshold raise alerts for the victims only; Ctrl-C stops it', async () => {
  const dir = join(tmp, 'demo');
  const demo = await startDemo('alerts', ['--data-dir', dir], /(ALERT victim-[\s\S]*){3}/);
  const { code, output } = await demo.interrupt();
  assert.equal(code, 0, output);
  assert.match(output, /SIGINT: stopping/);
  assert.match(output, /victims alerted\s+3 of 3/);
  assert.match(output, /other accounts alerted\s+0/);

  const broker = await startBroker({ dataDir: join(dir, 'samsa') });
  try {
    const alerts = await readTopic(broker.bootstrap, 'alerts');
    const accounts = new Set(alerts.map((a) => a.key));
    assert.deepEqual([...accounts].sort(), ['victim-ann', 'victim-bob', 'victim-cyd']);
    for (const a of alerts) {
      const alert = JSON.parse(a.value) as {
        account: string;
        failures: number;
        windowStart: string;
        windowEnd: string;
      };
      assert.equal(alert.account, a.key);
      assert.ok(alert.failures >= 5, a.value);
      assert.equal(Date.parse(alert.windowEnd) - Date.parse(alert.windowStart), 5 * 60_000);
    }
  } finally {
    await broker.stop();
  }
});
