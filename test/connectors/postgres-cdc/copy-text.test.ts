/**
 * The snapshot's COPY text parsing (copy-text.ts): rows encoded as PostgreSQL's COPY TO writes them,
 * cut into chunks anywhere (inside a row, an escape or a UTF-8 character), come back as the same
 * values; and against a real server, `COPY (SELECT ...) TO STDOUT` parsed by it gives exactly the
 * texts a query's result gives (pg with raw text parsers) for every type the connector maps, with
 * NULLs, escapes, arrays, bytea and unicode, on fixed and random values.
 */
import assert from 'node:assert/strict';
import { after as afterAll, before as beforeAll, test } from 'node:test';
import fc from 'fast-check';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { SESSION_OPTIONS } from '../../../src/connectors/postgres-cdc/connection.ts';
import { CopyTextRows, unescapeCopyText } from '../../../src/connectors/postgres-cdc/copy-text.ts';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { freshDatabase } from './setup.ts';

/** A value as COPY TO's text format writes it (CopyAttributeOutText). */
function copyEscape(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(/[\\\n\r\t\b\f\v]/g, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      case '\b':
        return '\\b';
      case '\f':
        return '\\f';
      default:
        return '\\v';
    }
  });
}

function parseChunks(chunks: readonly Buffer[], width: number): (string | null)[][] {
  const parser = new CopyTextRows();
  const rows: (string | null)[][] = [];
  const cells = new Array<string | null>(width).fill(null);
  for (const chunk of chunks) {
    parser.push(chunk);
    while (parser.next(cells, width)) rows.push([...cells]);
  }
  assert.equal(parser.partial, false);
  return rows;
}

const cellArb = fc.option(fc.string({ unit: 'binary', maxLength: 12 }), { nil: null, freq: 4 });

test('rows encoded as COPY writes them come back the same, whatever the chunk boundaries', () => {
  fc.assert(
    fc.property(
      fc
        .integer({ min: 1, max: 5 })
        .chain((width) =>
          fc.tuple(
            fc.constant(width),
            fc.array(fc.array(cellArb, { minLength: width, maxLength: width }), { maxLength: 8 }),
            fc.array(fc.nat(), { maxLength: 6 }),
          ),
        ),
      ([width, rows, cuts]) => {
        const bytes = Buffer.from(rows.map((r) => `${r.map(copyEscape).join('\t')}\n`).join(''));
        const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let from = 0;
        for (const cut of [...at, bytes.length]) {
          chunks.push(bytes.subarray(from, cut));
          from = cut;
        }
        assert.deepEqual(parseChunks(chunks, width), rows);
      },
    ),
    { numRuns: 500 },
  );
});

test('escapes: \\N only as a whole value; octal, hex and other escaped characters', () => {
  assert.deepEqual(parseChunks([Buffer.from('\\N\t\\\\N\ta\\Nb\t\\N\n')], 4), [[null, '\\N', 'aNb', null]]);
  assert.equal(unescapeCopyText('x\\101\\x42\\q\\', 0, 12), 'xABq\\');
  assert.equal(unescapeCopyText('\\303\\251t\\xc3\\xa9', 0, 17), 'été');
  assert.equal(unescapeCopyText('..a\\tb..', 2, 6), 'a\tb');
  assert.throws(() => parseChunks([Buffer.from('a\tb\n')], 3), /2 columns, expected 3/);
});

let server: TestPostgres;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

const RAW_TEXT = { getTypeParser: () => (value: string) => value };

async function session(db: string): Promise<pg.Client> {
  const client = new pg.Client({ ...server.config(db), options: SESSION_OPTIONS });
  await client.connect();
  return client;
}

async function copyRows(client: pg.Client, select: string, width: number): Promise<(string | null)[][]> {
  const chunks: Buffer[] = [];
  for await (const chunk of client.query(copyTo(`COPY (${select}) TO STDOUT`))) chunks.push(chunk as Buffer);
  return parseChunks(chunks, width);
}

async function queryRows(client: pg.Client, select: string): Promise<(string | null)[][]> {
  const result = await client.query({ text: select, rowMode: 'array', types: RAW_TEXT });
  return result.rows as (string | null)[][];
}

const TYPES = `CREATE TABLE t (
  id int PRIMARY KEY, c_int2 smallint, c_int8 bigint, c_float4 real, c_float8 double precision,
  c_numeric numeric(10,3), c_numeric_var numeric, c_money money, c_text text, c_varchar varchar(20),
  c_char char(4), c_bool boolean, c_ts timestamp, c_tstz timestamptz, c_date date, c_time time,
  c_timetz timetz, c_interval interval, c_uuid uuid, c_json json, c_jsonb jsonb, c_bytea bytea,
  c_int_arr int[], c_text_arr text[], c_bit bit(1), c_inet inet, c_point point
)`;

test('COPY text parsed gives the texts of a query result, every type, NULLs, escapes, unicode', async () => {
  const db = await freshDatabase(server, [TYPES]);
  await server.query(
    `INSERT INTO t VALUES
      (1, -32768, 9007199254740993, 'NaN', '-Infinity', -123.456, 1.2300e-20, -12.34,
       E'tab\\there\\nnew line\\r\\\\back\\bslash\\f\\v', 'ünï😀', 'ab', true,
       '2024-02-29 12:34:56.789012', '0044-03-15 10:00:00+05:30 BC', 'infinity', '24:00:00', '12:00:00-02:30',
       '-1 year 2 mons -3 days 04:05:06.7', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
       E'{"a":\\n"b\\\\"c"}', '{"k": "v\\t\\u00e9"}', E'\\\\x00095c0a0dff',
       '{1,NULL,-3}', E'{"a\\tb","c\\\\"d",NULL,"NULL","\\\\\\\\",""}', B'1', '::1/128', '(1.5,-2)'),
      (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '\\N', '', NULL, false, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, '\\x', '{}', '{}', NULL, NULL, NULL),
      (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
    [],
    db,
  );
  const client = await session(db);
  try {
    const select = 'SELECT * FROM t ORDER BY id';
    const expected = await queryRows(client, select);
    assert.equal(expected.length, 3);
    assert.deepEqual(await copyRows(client, select, 27), expected);
    // The snapshot's SELECT for a table without columns: one NULL per row.
    assert.deepEqual(await copyRows(client, 'SELECT NULL FROM t', 1), [[null], [null], [null]]);
  } finally {
    await client.end();
  }
});

test('random text, text[], json and bytea values: COPY parsed equals the query result', async () => {
  const db = await freshDatabase(server, ['CREATE TABLE r (id int, s text, a text[], j jsonb, b bytea)']);
  const client = await session(db);
  // No NUL: PostgreSQL's text cannot hold it.
  const text = fc.string({ unit: 'binary', maxLength: 20 }).map((s) => s.replace(/\0/g, ''));
  try {
    let id = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.option(text, { nil: null }),
            fc.option(fc.array(fc.option(text, { nil: null }), { maxLength: 4 }), { nil: null }),
            fc.option(text, { nil: null }),
            fc.option(fc.uint8Array({ maxLength: 8 }), { nil: null }),
          ),
          { minLength: 1, maxLength: 10 },
        ),
        async (rows) => {
          const first = id + 1;
          for (const [s, a, j, b] of rows) {
            await client.query('INSERT INTO r VALUES ($1, $2, $3, to_jsonb($4::text), $5)', [
              ++id,
              s,
              a,
              j,
              b === null ? null : Buffer.from(b),
            ]);
          }
          const select = `SELECT * FROM r WHERE id >= ${first} ORDER BY id`;
          assert.deepEqual(await copyRows(client, select, 5), await queryRows(client, select));
        },
      ),
      { numRuns: 40 },
    );
  } finally {
    await client.end();
  }
});
