/**
 * The COPY data the sink sends: read back by COPY's text-format rules (tab between columns, newline
 * after each row, `\N` for NULL, backslash escapes), it gives every row's texts, whatever they
 * hold; columns typed as numbers or booleans are sent as they are.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Schema } from '../../../src/connect/api/index.ts';
import type { ColumnSpec, WriteOp } from '../../../src/connectors/postgres-sink/record.ts';
import { copyData } from '../../../src/connectors/postgres-sink/writer.ts';

/** COPY FROM's reading of text format (the subset of escapes the sink writes, plus \N). */
function readCopy(text: string): (string | null)[][] {
  assert.ok(text.endsWith('\n'));
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) =>
      line.split('\t').map((field) => {
        if (field === '\\N') return null;
        return field.replace(/\\(.)/g, (_, c: string) =>
          c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c === '\\' ? '\\' : `\\${c}`,
        );
      }),
    );
}

/** One write per row of `rows` into table `t`, all of `shape`. */
function writes(shape: WriteOp['shape'], rows: (string | null)[][]): WriteOp[] {
  return rows.map((texts) => ({
    kind: 'write',
    table: { schema: null, name: 't' },
    shape,
    texts,
    values: null,
  }));
}

/** Column types whose texts may hold any character (numbers and booleans never hold an escaped one). */
const TYPES: Schema['type'][] = ['string', 'bytes', 'struct', 'map', 'array'];

test('COPY text reads back as the rows, for texts with tabs, newlines, carriage returns and backslashes', () => {
  const special = fc.string({
    unit: fc.constantFrom('a', '1', '\t', '\n', '\r', '\\', 'N', '.', '-', 'é', '\u2028', '😀'),
    maxLength: 8,
  });
  fc.assert(
    fc.property(
      fc
        .array(fc.constantFrom(...TYPES), {
          minLength: 1,
          maxLength: 5,
        })
        .chain((types) =>
          fc.tuple(
            fc.constant(types),
            fc.array(fc.tuple(...types.map(() => fc.option(special, { nil: null }))), {
              minLength: 1,
              maxLength: 5,
            }),
          ),
        ),
      ([types, rows]) => {
        const specs: ColumnSpec[] = types.map((type, i) => ({
          name: `c${i}`,
          schema: { type, optional: true },
        }));
        const shape = { key: specs.slice(0, 1), columns: specs.slice(1), signature: 'x' };
        assert.deepStrictEqual(readCopy(copyData(writes(shape, rows)).toString()), rows);
      },
    ),
    { numRuns: 2000 },
  );
});

test('number, boolean and date texts go into COPY as they are', () => {
  const specs: ColumnSpec[] = [
    { name: 'id', schema: { type: 'int64', optional: false } },
    { name: 'ok', schema: { type: 'boolean', optional: true } },
    { name: 'score', schema: { type: 'float64', optional: true } },
    { name: 'born', schema: { type: 'int32', optional: true, name: 'io.debezium.time.Date' } },
    { name: 'note', schema: { type: 'string', optional: true } },
  ];
  const op: WriteOp = {
    kind: 'write',
    table: { schema: null, name: 't' },
    shape: { key: specs.slice(0, 1), columns: specs.slice(1), signature: 'y' },
    texts: ['-12', 't', '-1.5e-7', '0044-03-15 BC', 'a\tb'],
    values: null,
  };
  assert.equal(
    copyData([op, { ...op, texts: [null, null, 'NaN', null, null] }]).toString(),
    '-12\tt\t-1.5e-7\t0044-03-15 BC\ta\\tb\n\\N\t\\N\tNaN\t\\N\t\\N\n',
  );
});

test('batches larger than the first buffer, with long multi-byte texts, come out whole', () => {
  const specs: ColumnSpec[] = [
    { name: 'id', schema: { type: 'int64', optional: false } },
    { name: 'body', schema: { type: 'string', optional: true } },
  ];
  const shape = { key: specs.slice(0, 1), columns: specs.slice(1), signature: 'z' };
  const rows = Array.from({ length: 3000 }, (_, i) => [
    `${i}`,
    `${'é😀\t'.repeat(i % 7 === 0 ? 20_000 : 30)}${i}`,
  ]);
  const ops = writes(shape, rows);
  assert.deepStrictEqual(readCopy(copyData(ops).toString()), rows);
  // And a small batch after it.
  assert.equal(copyData(ops.slice(0, 1)).toString(), `0\t${'é😀\\t'.repeat(20_000)}0\n`);
});
