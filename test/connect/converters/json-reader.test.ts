/**
 * JsonConverter's reading side against its general definitions: the reader compiled per schema
 * (generated straight-line code per struct) gives `valueFromJson`'s value or error for any schema
 * and any JSON, matching or not; and toConnectData's fast path (the previous record's schema bytes,
 * only the payload parsed) gives what a fresh converter's full parse gives, for any sequence of
 * records, mangled ones included.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SCHEMA_TYPES, type Schema, Schemas } from '../../../src/connect/api/index.ts';
import {
  compileReader,
  JsonConverter,
  schemaToJson,
  valueFromJson,
} from '../../../src/connect/converters/json-converter.ts';
import { toJsonText } from '../../../src/connect/converters/json-text.ts';

/** Field names of any kind: the generator's own words, quotes, backslashes, line separators. */
const fieldName = fc.oneof(
  fc.constantFrom(
    'id',
    'json',
    'i',
    'v',
    'x',
    'r0',
    'names',
    'general',
    'k',
    'out',
    'a"b',
    'a\\b',
    '\u2028',
    '',
  ),
  fc.string({ maxLength: 6 }),
);

const primitive: fc.Arbitrary<Schema> = fc
  .record({
    type: fc.constantFrom(...SCHEMA_TYPES.filter((t) => t !== 'array' && t !== 'map' && t !== 'struct')),
    optional: fc.boolean(),
    decimal: fc.boolean(),
  })
  .map(({ type, optional, decimal }) =>
    decimal ? Schemas.decimal(2, { optional }) : ({ type, optional } as Schema),
  );

const schemaArb: fc.Arbitrary<Schema> = fc.letrec<{ schema: Schema }>((tie) => ({
  schema: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    fc
      .record({ item: tie('schema'), optional: fc.boolean() })
      .map(({ item, optional }) => Schemas.array(item, { optional })),
    fc
      .record({
        fields: fc.uniqueArray(fc.tuple(fieldName, tie('schema')), { maxLength: 5, selector: ([n]) => n }),
        optional: fc.boolean(),
      })
      .map(({ fields, optional }) => Schemas.struct(fields, { optional })),
  ),
})).schema;

/** JSON shaped like the schema (often) or not (sometimes): wrong types, nulls, extra/missing/reordered fields. */
function jsonFor(schema: Schema): fc.Arbitrary<unknown> {
  const noise = fc.oneof(
    fc.constant(null),
    fc.integer(),
    fc.double(),
    fc.string(),
    fc.boolean(),
    fc.constant([]),
  );
  let shaped: fc.Arbitrary<unknown>;
  if (schema.name !== undefined)
    shaped = fc.oneof(fc.base64String({ maxLength: 8 }), fc.integer(), fc.double());
  else
    switch (schema.type) {
      case 'struct': {
        const fields = schema.fields ?? [];
        const inOrder = fc.tuple(...fields.map((f) => jsonFor(f.schema))).map((values) => {
          const o: Record<string, unknown> = {};
          fields.forEach((f, i) => {
            o[f.name] = values[i];
          });
          return o;
        });
        shaped = fc.oneof(
          inOrder,
          fc
            .tuple(inOrder, fc.dictionary(fc.string({ maxLength: 3 }), noise, { maxKeys: 2 }))
            .map(([o, extra]) => ({ ...extra, ...o })),
          inOrder.map((o) => Object.fromEntries(Object.entries(o).reverse())),
          inOrder.map((o) => Object.fromEntries(Object.entries(o).slice(1))),
        );
        break;
      }
      case 'array':
        shaped = fc.array(jsonFor(schema.valueSchema!), { maxLength: 3 });
        break;
      case 'bytes':
      case 'string':
        shaped = fc.string();
        break;
      case 'boolean':
        shaped = fc.boolean();
        break;
      case 'float32':
      case 'float64':
        shaped = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
        break;
      default:
        shaped = fc.oneof(fc.integer(), fc.constant(1.5));
    }
  return fc.oneof({ weight: 8, arbitrary: shaped }, { weight: 1, arbitrary: noise });
}

function outcome(read: () => unknown): { value?: unknown; error?: string } {
  try {
    return { value: read() };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

test("the compiled reader gives valueFromJson's value or error for any schema and JSON", () => {
  fc.assert(
    fc.property(
      schemaArb.chain((schema) => fc.tuple(fc.constant(schema), jsonFor(schema))),
      ([schema, json]) => {
        const text = JSON.stringify(json) ?? 'null';
        // Each side gets its own parse: the compiled reader may fill the parsed object in place.
        const expected = outcome(() => valueFromJson(schema, JSON.parse(text)));
        const read = compileReader(schema);
        assert.deepStrictEqual(
          outcome(() => read(JSON.parse(text))),
          expected,
        );
        // A second record through the same (now optimised) reader.
        assert.deepStrictEqual(
          outcome(() => read(JSON.parse(text))),
          expected,
        );
      },
    ),
    { numRuns: 3000 },
  );
});

test("toConnectData's fast path gives the full parse's result for any sequence of records", () => {
  // Records of one or two schemas, so that consecutive records often share one.
  const records = fc
    .array(
      schemaArb.filter((s) => s.type === 'struct'),
      { minLength: 1, maxLength: 2 },
    )
    .chain((schemas) =>
      fc.array(
        fc.nat(schemas.length - 1).chain((i) =>
          fc.tuple(
            fc.constant(schemas[i]!),
            jsonFor(schemas[i]!),
            // how the bytes are mangled: not at all, the payload cut, the schema changed, a field added
            fc.constantFrom('none', 'none', 'none', 'cut', 'schema', 'trailing'),
          ),
        ),
        { minLength: 1, maxLength: 8 },
      ),
    );
  fc.assert(
    fc.property(records, (records) => {
      const reader = new JsonConverter();
      reader.configure({}, false);
      for (const [schema, json, mangle] of records) {
        // The bytes as a JsonConverter writes them: its schema text, then the payload.
        let text = `{"schema":${toJsonText(schemaToJson(schema))},"payload":${JSON.stringify(json) ?? 'null'}}`;
        if (mangle === 'cut') text = text.slice(0, -2);
        if (mangle === 'schema') text = text.replace('"optional":', '"optional" :');
        if (mangle === 'trailing') text = `${text.slice(0, -1)},"x":1}`;
        const bytes = Buffer.from(text);
        const fresh = new JsonConverter();
        fresh.configure({}, false);
        assert.deepStrictEqual(
          outcome(() => reader.toConnectData('t', [], bytes)),
          outcome(() => fresh.toConnectData('t', [], bytes)),
          text,
        );
      }
    }),
    { numRuns: 1500 },
  );
});
