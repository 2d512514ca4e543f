/**
 * `samsa start`'s dev-friendly defaults (Kafka's shipped server.properties):
 * group.initial.rebalance.delay.ms is 0 unless a config file, variable or flag sets it; the
 * embedded library keeps Kafka's code default.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DEFAULT_CONFIG, loadConfig } from '../../src/broker/config.ts';
import { startConfig } from '../../src/cli/commands/start.ts';

it('samsa start rebalances a fresh group at once; file, variable and flag set the production value', () => {
  assert.equal(startConfig({}, {}, undefined).groupInitialRebalanceDelayMs, 0);
  assert.equal(loadConfig().groupInitialRebalanceDelayMs, 3000, "the library keeps Kafka's default");
  assert.equal(DEFAULT_CONFIG.groupInitialRebalanceDelayMs, 3000);
  const env = { SAMSA_GROUP_INITIAL_REBALANCE_DELAY_MS: '3000' };
  assert.equal(startConfig({}, env, undefined).groupInitialRebalanceDelayMs, 3000);
  assert.equal(
    startConfig({ 'group-initial-rebalance-delay-ms': '2500' }, {}, undefined).groupInitialRebalanceDelayMs,
    2500,
  );
  const dir = mkdtempSync(join(tmpdir(), 'samsa-start-defaults-'));
  try {
    const file = join(dir, 'server.properties');
    writeFileSync(file, 'group.initial.rebalance.delay.ms=3000\n');
    assert.equal(startConfig({}, {}, file).groupInitialRebalanceDelayMs, 3000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
