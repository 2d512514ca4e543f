/**
 * `samsa demo interactions` end to end: a few seconds of requests, then from the outside: the
 * hourly view counts in PostgreSQL add up to the item views served, and the Parquet archive holds
 * every event the app emitted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { describeFiles } from '../../src/connectors/archive/reader.ts';
import { startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { runDemo, summaryNumber } from './helpers.ts';

let pg: TestPostgres;
let tmp: string;

before(async () => {
  pg = await startPostgres();
  tmp = mkdtempSync(join(tmpdir(), 'samsa-demo-interactions-'));
});

after(async () => {
  await pg.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('item views become hourly counts per user in PostgreSQL and raw events in Parquet', async () => {
  await pg.createDatabase('shop');
  const dir = join(tmp, 'demo');
  const out = await runDemo('interactions', [
    '--duration',
    '3',
    '--data-dir',
    dir,
    '--postgres-url',
    pg.url('shop'),
  ]);
  const views = summaryNumber(out, 'item views (item.viewed events)');
  assert.ok(views > 100, `only ${views} views in 3 s:\n${out}`);

  const rows = await pg.query<{ user_id: string; hour_start: Date; views: string }>(
    'SELECT user_id, hour_start, views FROM views_per_hour',
    [],
    'shop',
  );
  assert.equal(
    rows.reduce((n, r) => n + Number(r.views), 0),
    views,
  );
  for (const r of rows) {
    assert.match(r.user_id, /^user-\d+$/);
    assert.equal(r.hour_start.getTime() % 3_600_000, 0, 'windows start on the hour');
  }

  const files = await describeFiles(join(dir, 'archive'), 'interactions');
  assert.ok(files.length > 0 && files.every((f) => f.path.endsWith('.parquet')));
  // each request gave two events: the handler's item.viewed and the middleware's http.request
  assert.equal(
    files.reduce((n, f) => n + f.count, 0),
    2 * views,
  );
});
