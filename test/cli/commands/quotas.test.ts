/**
 * `samsa quotas`, `quotas:set` and `quotas:remove` against a broker: values set with Kafka's keys
 * on users, client ids, defaults, addresses and tenants list back (filtered by entity), the
 * broker's validation reasons reach the user with exit code 1, bad arguments are usage errors
 * (exit 2), quotas survive a broker restart, and removal falls back to nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startBroker, type TestBroker } from '../../../src/testing/index.ts';
import { json, samsaInProcess } from '../run-cli.ts';

interface Row {
  entity: { entityType: string; entityName: string | null }[];
  values: Record<string, number>;
}

const dataDir = mkdtempSync(join(tmpdir(), 'samsa-quotas-cli-'));
let broker: TestBroker;
const b = (): string[] => ['-b', broker.bootstrap];

before(async () => {
  broker = await startBroker({ dataDir });
});
after(async () => {
  await broker?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const list = async (...args: string[]): Promise<Row[]> => {
  const r = await samsaInProcess(['quotas', '--json', ...args, ...b()]);
  assert.equal(r.code, 0, r.stderr);
  return json<Row[]>(r);
};
const entityText = (r: Row): string =>
  r.entity.map((p) => `${p.entityType}=${p.entityName ?? '<default>'}`).join(',');

describe('samsa quotas', () => {
  it('sets quotas on users, client ids, defaults, addresses and tenants, and lists them', async () => {
    const sets = await Promise.all(
      [
        ['producer_byte_rate=1048576', 'consumer_byte_rate=2097152', '--user', 'alice'],
        ['request_percentage=50', '--user', '<default>'],
        ['producer_byte_rate=4096', '--user', 'alice', '--client-id', 'ingest'],
        ['connection_creation_rate=10', '--ip', '<default>'],
        ['producer_byte_rate=524288', '--tenant', 'User:team-a'],
      ].map((args) => samsaInProcess(['quotas:set', ...args, ...b()])),
    );
    for (const r of sets) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Set /);
    }
    const [all, alice, table] = await Promise.all([
      list(),
      list('--user', 'alice'),
      samsaInProcess(['quotas', '--user', 'alice', ...b()]),
    ]);
    assert.deepEqual(Object.fromEntries(all.map((r) => [entityText(r), r.values])), {
      'user=alice': { producer_byte_rate: 1048576, consumer_byte_rate: 2097152 },
      'user=<default>': { request_percentage: 50 },
      'user=alice,client-id=ingest': { producer_byte_rate: 4096 },
      'ip=<default>': { connection_creation_rate: 10 },
      'user=team-a': { producer_byte_rate: 524288 },
    });
    assert.deepEqual(alice.map(entityText).sort(), ['user=alice', 'user=alice,client-id=ingest']);
    assert.match(table.stdout, /user=alice\s+producer_byte_rate=1048576, consumer_byte_rate=2097152/);
  });

  it("reports the broker's reasons and rejects bad arguments", async () => {
    const [fraction, wrongKey, unknown, noEntity] = await Promise.all([
      samsaInProcess(['quotas:set', 'producer_byte_rate=1.5', '--user', 'bob', ...b()]),
      samsaInProcess(['quotas:set', 'connection_creation_rate=5', '--user', 'bob', ...b()]),
      samsaInProcess(['quotas:set', 'bytes=5', '--user', 'bob', ...b()]),
      samsaInProcess(['quotas:set', 'producer_byte_rate=5', ...b()]),
    ]);
    assert.equal(fraction.code, 1);
    assert.match(fraction.stderr, /whole number/);
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.stderr, /Invalid configuration key connection_creation_rate/);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown quota key "bytes"/);
    assert.equal(noEntity.code, 2);
    assert.match(noEntity.stderr, /name the entity/);
  });

  it('keeps quotas across a broker restart, and removes them', async () => {
    await broker.stop();
    broker = await startBroker({ dataDir });
    assert.equal((await list()).length, 5, 'all five entities back after the restart');

    const [one, tenant] = await Promise.all([
      samsaInProcess(['quotas:remove', 'producer_byte_rate', '--user', 'alice', ...b()]),
      samsaInProcess(['quotas:remove', '--tenant', 'team-a', ...b()]),
    ]);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(tenant.code, 0, tenant.stderr);
    assert.match(tenant.stdout, /Removed producer_byte_rate from user=team-a/);
    const left = await list();
    assert.deepEqual(left.find((r) => entityText(r) === 'user=alice')?.values, {
      consumer_byte_rate: 2097152,
    });
    assert.equal(left.length, 4, 'the tenant entity is gone');
  });
});
