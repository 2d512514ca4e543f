/**
 * `samsa demo multi-org` end to end against a PostgreSQL of the test's own: after a few seconds of
 * contacts added in three differently shaped org schemas, from the outside: the QC database holds
 * every valid contact in the canonical shape, the invalid ones are in the dead-letter topic with the
 * reason, the canonical records carry the registered schema's id, and the approvals are back in each
 * org's schema.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startBroker } from '../../src/testing/index.ts';
import { startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { readTopic, runDemo, summaryNumber } from './helpers.ts';

let pg: TestPostgres;
let tmp: string;

before(async () => {
  pg = await startPostgres();
  tmp = mkdtempSync(join(tmpdir(), 'samsa-demo-multi-org-'));
});

after(async () => {
  await pg.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('per-org schemas → CDC → one registered canonical shape in QC, invalid ones dead-lettered, approvals back', async () => {
  const dir = join(tmp, 'demo');
  const out = await runDemo('multi-org', ['--duration', '3', '--data-dir', dir, '--postgres-url', pg.url()]);
  assert.match(out, /caught up\s+yes/);
  const valid = summaryNumber(out, 'contacts inserted (valid)');
  const invalid = summaryNumber(out, 'contacts inserted (invalid)');
  const schemaId = summaryNumber(out, 'canonical schema id');
  assert.ok(valid > 20 && invalid > 0, out);

  const qc = await pg.query<{ contact_key: string; org: string; source_id: string; email: string }>(
    'SELECT contact_key, org, source_id, email FROM contacts',
    [],
    'multiorg_qc',
  );
  assert.equal(qc.length, valid);
  assert.deepEqual(new Set(qc.map((r) => r.org)), new Set(['acme', 'globex', 'initech']));
  for (const r of qc) {
    assert.equal(r.contact_key, `${r.org}:${r.source_id}`);
    assert.match(r.email, /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/);
  }

  let back = 0;
  for (const org of ['acme', 'globex', 'initech']) {
    const rows = await pg.query<{ source_id: string; status: string }>(
      `SELECT q.source_id, q.status FROM org_${org}.qc_results q JOIN org_${org}.contacts c ON c.id = q.source_id`,
    );
    assert.ok(rows.every((r) => r.status === 'approved'));
    back += rows.length;
  }
  assert.equal(back, summaryNumber(out, 'approved by QC'));
  assert.equal(back + summaryNumber(out, 'rejected by QC'), valid);

  assert.deepEqual(
    await pg.query('SELECT slot_name FROM pg_replication_slots'),
    [],
    'the demo dropped its slot',
  );

  const broker = await startBroker({ dataDir: join(dir, 'samsa') });
  try {
    const dead = await readTopic(broker.bootstrap, 'contacts-dlt');
    assert.equal(dead.length, invalid);
    for (const d of dead) {
      const v = JSON.parse(d.value) as { org: string; record: object; reason: string };
      assert.ok(d.key.startsWith(`${v.org}:`));
      assert.ok(v.reason.length > 0 && typeof v.record === 'object', d.value);
    }
    const canonical = await readTopic(broker.bootstrap, 'contacts-canonical');
    assert.equal(canonical.length, valid);
    for (const c of canonical) {
      assert.equal(c.bytes[0], 0, 'Confluent wire format');
      assert.equal(c.bytes.readInt32BE(1), schemaId);
    }
    const schemas = await readTopic(broker.bootstrap, '_schemas');
    assert.ok(
      schemas.some((s) => {
        const v = JSON.parse(s.value || 'null') as { subject?: string; id?: number } | null;
        return v?.subject === 'contacts-canonical-value' && v.id === schemaId;
      }),
      'the schema is stored in _schemas',
    );
  } finally {
    await broker.stop();
  }
});
