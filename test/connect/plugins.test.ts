/**
 * The plugin registry's lazy entries: built-in connectors and the schema-registry converters are
 * listed by their names and imported on first use (src/connectors/index.ts,
 * src/connect/runtime/plugins.ts). Each must load to the plugin it describes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONVERTERS } from '../../src/connect/converters/index.ts';
import { CONVERTER_ENTRIES, Plugins } from '../../src/connect/runtime/plugins.ts';
import { CONNECTORS } from '../../src/connectors/index.ts';

test('every lazy connector entry loads to the plugin with its info', async () => {
  for (const entry of CONNECTORS) {
    if (!('load' in entry)) continue;
    const plugin = await entry.load();
    assert.equal(plugin.className, entry.className);
    assert.equal(plugin.type, entry.type, entry.className);
    assert.equal(plugin.version, entry.version, entry.className);
    assert.deepEqual(plugin.aliases, entry.aliases, entry.className);
    assert.equal(plugin.config, entry.config, entry.className);
    assert.equal(typeof plugin.createTask, 'function', entry.className);
  }
});

test("the runtime's converters are src/connect/converters' list, the lazy ones loading to theirs", async () => {
  assert.deepEqual(
    CONVERTER_ENTRIES.map((c) => [c.className, c.aliases ?? []]),
    CONVERTERS.map((c) => [c.className, c.aliases ?? []]),
  );
  const plugins = new Plugins();
  for (const expected of CONVERTERS) {
    for (const name of [expected.className, ...(expected.aliases ?? [])])
      assert.equal(await plugins.loadConverter(name), expected, name);
  }
  assert.equal(await plugins.loadConverter('com.example.NoSuchConverter'), undefined);
});

test('connectors are found by class name, alias and simple name; only loading imports them', async () => {
  const plugins = new Plugins();
  const info = plugins.connector('io.debezium.connector.postgresql.PostgresConnector');
  assert.equal(info?.className, 'samsa.connect.postgres.PostgresCdcSourceConnector');
  assert.equal(info && 'createTask' in info, false, 'the info has no code');
  const plugin = await plugins.loadConnector('PostgresCdcSource');
  assert.equal(plugin?.className, 'samsa.connect.postgres.PostgresCdcSourceConnector');
  assert.equal(typeof plugin?.createConnector, 'function');
  assert.equal((await plugins.loadConnector('FileStreamSource'))?.type, 'source');
  assert.equal(await plugins.loadConnector('NoSuchConnector'), undefined);
});
