/**
 * The broker settings table (config.ts) is the one place a setting is written: its flag, SAMSA_*
 * variable, config-file names (flag, key, Kafka name), default, validation and DescribeConfigs
 * entry all come from its row. Each is checked here for every row, so a new row works everywhere.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  ConfigError,
  DEFAULT_CONFIG,
  describeSettings,
  envName,
  loadConfig,
  SETTINGS,
  type Setting,
} from '../../src/broker/config.ts';

/** A valid value other than the default, as text, with the value it parses to. */
function sample(s: Setting): { text: string; value: unknown } {
  switch (s.kind) {
    case 'int': {
      const base = Math.max(s.min ?? 0, 0) + 7;
      const n = s.max ?? (s.default === base ? base + 1 : base);
      return { text: String(n), value: n };
    }
    case 'bool':
      return { text: String(!s.default), value: !s.default };
    case 'choice': {
      const c = s.choices!.find((x) => x !== s.default)!;
      return { text: c, value: c };
    }
    case 'list': {
      const entry =
        s.choices?.[0] ??
        (s.key === 'superUsers' ? 'User:x' : s.key === 'groupConsumerAssignors' ? 'range' : 'x:y');
      return { text: entry, value: [entry] };
    }
    case 'string':
      return { text: 'sample-value', value: 'sample-value' };
  }
}

describe('broker settings table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-settings-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives every key a default and nothing else', () => {
    assert.deepEqual(Object.keys(DEFAULT_CONFIG).sort(), SETTINGS.map((s) => s.key).sort());
    assert.equal(new Set(SETTINGS.map((s) => s.flag)).size, SETTINGS.length, 'flags are unique');
    assert.equal(DEFAULT_CONFIG.fsync, 'never');
    assert.equal(DEFAULT_CONFIG.metricsPort, undefined);
    assert.deepEqual(DEFAULT_CONFIG.groupConsumerAssignors, ['uniform', 'range']);
  });

  for (const s of SETTINGS) {
    it(`${s.flag}: flag, ${envName(s)}, config file names and validation`, () => {
      const { text, value } = sample(s);
      assert.notDeepEqual(value, DEFAULT_CONFIG[s.key], 'the sample differs from the default');
      assert.deepEqual(loadConfig({ [s.flag]: text })[s.key], value, 'flag');
      assert.deepEqual(loadConfig({}, { [envName(s)]: text })[s.key], value, 'environment');
      const names = [s.flag, s.key, ...(s.kafkaName ? [s.kafkaName] : [])];
      for (const name of names) {
        const file = join(dir, `${s.key}-${name}.json`);
        writeFileSync(file, JSON.stringify({ [name]: text }));
        assert.deepEqual(loadConfig({}, {}, file)[s.key], value, `config file name ${name}`);
      }
      const bad = s.kind === 'int' ? 'x' : s.kind === 'bool' ? 'maybe' : s.kind === 'choice' ? 'nope' : null;
      if (bad !== null)
        assert.throws(
          () => loadConfig({ [s.flag]: bad }),
          (err: unknown) => {
            assert.ok(err instanceof ConfigError);
            assert.match(err.message, new RegExp(`command line: ${s.flag} must`));
            return true;
          },
        );
      const min = s.min;
      if (min !== undefined)
        assert.throws(
          () => loadConfig({ [s.flag]: String(min - 1) }),
          new RegExp(`${s.flag} must be >= ${min}`),
        );
      if (s.entry) assert.throws(() => loadConfig({ [s.flag]: ':' }), ConfigError);
    });
  }

  it('lists every setting with a Kafka name in DescribeConfigs, with its default', () => {
    const config = loadConfig({ 'num-partitions': '3' });
    const described = describeSettings(config, { host: '127.0.0.1', port: 19092 });
    assert.deepEqual(
      described.map((d) => d.name),
      SETTINGS.flatMap((s) => (s.kafkaName ? [s.kafkaName] : [])),
    );
    const partitions = described.find((d) => d.name === 'num.partitions')!;
    assert.deepEqual(
      { value: partitions.value, defaultValue: partitions.defaultValue, type: partitions.type },
      { value: '3', defaultValue: '1', type: 'long' },
    );
    assert.equal(described.find((d) => d.name === 'listeners')!.value, 'PLAINTEXT://127.0.0.1:19092');
    assert.equal(described.find((d) => d.name === 'auto.create.topics.enable')!.type, 'boolean');
  });
});
