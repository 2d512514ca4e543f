/**
 * Avro compatibility, table-driven: the schema-resolution cases of the Avro specification and the
 * evolution rules Confluent documents, each judged at BACKWARD and FORWARD (FULL is both), the
 * transitive levels over three-version histories, Confluent's exact messages, and a check that every
 * pair judged readable really decodes with avsc (data written with the writer, read with the reader).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import avsc from 'avsc';
import { type CompatibilityLevel, checkCompatibility } from '../../src/registry/compatibility.ts';
import { parseAvroSchema } from '../../src/registry/schemas/avro/index.ts';

const rec = (fields: object[], name = 'R', extra: object = {}) =>
  JSON.stringify({ type: 'record', name, fields, ...extra });
const field = (name: string, type: unknown, extra: object = {}) => ({ name, type, ...extra });

interface Case {
  name: string;
  old: string;
  new: string;
  /** The new schema reads old data. */
  backward: boolean;
  /** The old schema reads new data. */
  forward: boolean;
  /** Where avsc's resolver refuses what the specification (and Java) allow. */
  avscRefuses?: string;
}

const CASES: Case[] = [
  // Specification: primitive promotions (writer → reader)
  { name: 'int promoted to long', old: '"int"', new: '"long"', backward: true, forward: false },
  { name: 'int promoted to float', old: '"int"', new: '"float"', backward: true, forward: false },
  { name: 'int promoted to double', old: '"int"', new: '"double"', backward: true, forward: false },
  { name: 'long promoted to float', old: '"long"', new: '"float"', backward: true, forward: false },
  { name: 'long promoted to double', old: '"long"', new: '"double"', backward: true, forward: false },
  { name: 'float promoted to double', old: '"float"', new: '"double"', backward: true, forward: false },
  {
    name: 'string and bytes read each other',
    old: '"string"',
    new: '"bytes"',
    backward: true,
    forward: true,
  },
  { name: 'int and string do not mix', old: '"int"', new: '"string"', backward: false, forward: false },
  { name: 'boolean and int do not mix', old: '"boolean"', new: '"int"', backward: false, forward: false },
  // Specification: records
  {
    name: 'field added with a default',
    old: rec([field('a', 'int')]),
    new: rec([field('a', 'int'), field('b', 'string', { default: 'x' })]),
    backward: true,
    forward: true,
  },
  {
    name: 'field added without a default',
    old: rec([field('a', 'int')]),
    new: rec([field('a', 'int'), field('b', 'string')]),
    backward: false,
    forward: true,
  },
  {
    name: 'field without default removed',
    old: rec([field('a', 'int'), field('b', 'string')]),
    new: rec([field('a', 'int')]),
    backward: true,
    forward: false,
  },
  {
    name: 'field with default removed',
    old: rec([field('a', 'int'), field('b', 'string', { default: '' })]),
    new: rec([field('a', 'int')]),
    backward: true,
    forward: true,
  },
  {
    name: 'field type promoted inside a record',
    old: rec([field('a', 'int')]),
    new: rec([field('a', 'long')]),
    backward: true,
    forward: false,
  },
  {
    name: 'field renamed with an alias in the new schema',
    old: rec([field('a', 'int')]),
    new: rec([field('b', 'int', { aliases: ['a'] })]),
    backward: true,
    forward: false,
  },
  {
    name: 'record renamed',
    old: rec([field('a', 'int')], 'A'),
    new: rec([field('a', 'int')], 'B'),
    backward: false,
    forward: false,
  },
  {
    name: 'record renamed with an alias of the old name',
    old: rec([field('a', 'int')], 'A'),
    new: rec([field('a', 'int')], 'B', { aliases: ['A'] }),
    backward: true,
    forward: false,
  },
  {
    name: 'only the namespace changed (names compare unqualified)',
    old: rec([field('a', 'int')], 'R', { namespace: 'one' }),
    new: rec([field('a', 'int')], 'R', { namespace: 'two' }),
    backward: true,
    forward: true,
    avscRefuses: 'avsc matches record names qualified and wants an alias',
  },
  // Specification: enums
  {
    name: 'enum symbol added',
    old: JSON.stringify({ type: 'enum', name: 'E', symbols: ['A', 'B'] }),
    new: JSON.stringify({ type: 'enum', name: 'E', symbols: ['A', 'B', 'C'] }),
    backward: true,
    forward: false,
  },
  {
    name: 'enum symbol added, the old reader has a default',
    old: JSON.stringify({ type: 'enum', name: 'E', symbols: ['A', 'B'], default: 'A' }),
    new: JSON.stringify({ type: 'enum', name: 'E', symbols: ['A', 'B', 'C'], default: 'A' }),
    backward: true,
    forward: true,
  },
  {
    name: 'enum symbol removed',
    old: JSON.stringify({ type: 'enum', name: 'E', symbols: ['A', 'B', 'C'] }),
    new: JSON.stringify({ type: 'enum', name: 'E', symbols: ['A', 'B'] }),
    backward: false,
    forward: true,
  },
  // Specification: fixed
  {
    name: 'fixed size changed',
    old: JSON.stringify({ type: 'fixed', name: 'F', size: 4 }),
    new: JSON.stringify({ type: 'fixed', name: 'F', size: 8 }),
    backward: false,
    forward: false,
  },
  // Specification: unions
  {
    name: 'branch added to a union',
    old: '["null","string"]',
    new: '["null","string","int"]',
    backward: true,
    forward: false,
  },
  {
    name: 'branch removed from a union',
    old: '["null","string","int"]',
    new: '["null","string"]',
    backward: false,
    forward: true,
  },
  { name: 'a type made nullable', old: '"string"', new: '["null","string"]', backward: true, forward: false },
  {
    name: 'union branch promoted',
    old: '["null","int"]',
    new: '["null","long"]',
    backward: true,
    forward: false,
  },
  {
    name: 'field made nullable with a null default',
    old: rec([field('a', 'string')]),
    new: rec([field('a', ['null', 'string'], { default: null })]),
    backward: true,
    forward: false,
  },
  // Specification: arrays and maps
  {
    name: 'array items promoted',
    old: '{"type":"array","items":"int"}',
    new: '{"type":"array","items":"long"}',
    backward: true,
    forward: false,
  },
  {
    name: 'map values changed',
    old: '{"type":"map","values":"string"}',
    new: '{"type":"map","values":"int"}',
    backward: false,
    forward: false,
  },
  {
    name: 'array and map do not mix',
    old: '{"type":"array","items":"int"}',
    new: '{"type":"map","values":"int"}',
    backward: false,
    forward: false,
  },
  {
    name: 'nested record in an array gains a field without a default',
    old: JSON.stringify({
      type: 'array',
      items: { type: 'record', name: 'I', fields: [{ name: 'x', type: 'int' }] },
    }),
    new: JSON.stringify({
      type: 'array',
      items: {
        type: 'record',
        name: 'I',
        fields: [
          { name: 'x', type: 'int' },
          { name: 'y', type: 'int' },
        ],
      },
    }),
    backward: false,
    forward: true,
  },
  {
    name: 'recursive schema gains an optional field',
    old: rec([field('v', 'int'), field('next', ['null', 'R'], { default: null })]),
    new: rec([
      field('v', 'int'),
      field('next', ['null', 'R'], { default: null }),
      field('w', 'int', { default: 1 }),
    ]),
    backward: true,
    forward: true,
  },
  {
    name: 'logical types do not change resolution (date as int)',
    old: '{"type":"int","logicalType":"date"}',
    new: '"int"',
    backward: true,
    forward: true,
  },
];

const LEVELS: CompatibilityLevel[] = ['BACKWARD', 'FORWARD', 'FULL', 'NONE'];

function expected(c: Case, level: CompatibilityLevel): boolean {
  if (level === 'NONE') return true;
  if (level.startsWith('BACKWARD')) return c.backward;
  if (level.startsWith('FORWARD')) return c.forward;
  return c.backward && c.forward;
}

/** Values of a type, for reading back through avsc. */
function sample(type: avsc.Type): unknown[] {
  const values = [type.random()];
  return values;
}

describe('Avro compatibility table', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const oldSchema = parseAvroSchema(c.old);
      const newSchema = parseAvroSchema(c.new);
      for (const level of LEVELS) {
        const messages = checkCompatibility(level, newSchema, [{ version: 1, schema: oldSchema }]);
        assert.equal(messages.length === 0, expected(c, level), `${level}: ${messages.join('\n')}`);
      }
      // Every direction judged readable decodes with avsc: data written with the writer schema.
      const pairs: [string, string, boolean][] = [
        [c.new, c.old, c.backward],
        [c.old, c.new, c.forward],
      ];
      for (const [reader, writer, readable] of pairs) {
        if (!readable) continue;
        const r = avsc.Type.forSchema(JSON.parse(reader));
        const w = avsc.Type.forSchema(JSON.parse(writer));
        if (c.avscRefuses) {
          assert.throws(() => r.createResolver(w), Error, c.avscRefuses);
          continue;
        }
        const resolver = r.createResolver(w);
        for (const value of sample(w)) {
          const decoded = r.fromBuffer(w.toBuffer(value), resolver);
          assert.ok(r.isValid(decoded), `${reader} reads ${JSON.stringify(value)} written with ${writer}`);
        }
      }
    });
  }
});

describe('transitive levels check every earlier version, newest first', () => {
  const v = (...fields: object[]) => parseAvroSchema(rec(fields));
  const histories: {
    level: CompatibilityLevel;
    history: string[];
    candidate: string;
    latestOnly: boolean;
  }[] = [
    {
      // v2 drops a, v3 adds it back as an int: fine against v2, not against v1's string a
      level: 'BACKWARD_TRANSITIVE',
      history: [rec([field('a', 'string')]), rec([])],
      candidate: rec([field('a', 'int', { default: 0 })]),
      latestOnly: true,
    },
    {
      // v1 needs a (no default), v2 has a default for it, v3 drops a
      level: 'FORWARD_TRANSITIVE',
      history: [rec([field('a', 'int')]), rec([field('a', 'int', { default: 0 })])],
      candidate: rec([]),
      latestOnly: true,
    },
    {
      level: 'FULL_TRANSITIVE',
      history: [rec([field('a', 'int')]), rec([field('a', 'int', { default: 0 })])],
      candidate: rec([]),
      latestOnly: true,
    },
  ];
  for (const h of histories) {
    test(`${h.level}: compatible with the latest version but not with the first`, () => {
      const previous = h.history.map((text, i) => ({ version: i + 1, schema: parseAvroSchema(text) }));
      const candidate = parseAvroSchema(h.candidate);
      const latestLevel = h.level.replace('_TRANSITIVE', '') as CompatibilityLevel;
      assert.deepEqual(checkCompatibility(latestLevel, candidate, previous), []);
      const messages = checkCompatibility(h.level, candidate, previous);
      assert.ok(messages.length > 0);
      // FULL names the version only after a backward problem; here only old-reads-new fails
      if (h.level === 'FULL_TRANSITIVE') assert.match(messages[0]!, /in the old schema has no default value/);
      else assert.ok(messages.includes('{oldSchemaVersion: 1}'), messages.join('\n'));
      assert.equal(messages.at(-1), `{validateFields: 'false', compatibility: '${h.level}'}`);
    });
  }
  test('v() helper builds records', () => assert.equal(v(field('a', 'int')).type, 'AVRO'));
});

describe("Confluent's messages", () => {
  test('missing default, as the registry words it', () => {
    const messages = checkCompatibility(
      'BACKWARD',
      parseAvroSchema(rec([field('a', 'int'), field('age', 'int')])),
      [{ version: 3, schema: parseAvroSchema(rec([field('a', 'int')])) }],
    );
    assert.deepEqual(messages, [
      "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'age' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'age'}",
      '{oldSchemaVersion: 3}',
      `{oldSchema: '{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}'}`,
      "{validateFields: 'false', compatibility: 'BACKWARD'}",
    ]);
  });

  test('FULL lists the forward problem (old reads new) first, then the backward one with the trailers', () => {
    const messages = checkCompatibility('FULL', parseAvroSchema(rec([field('a', 'string')])), [
      { version: 1, schema: parseAvroSchema(rec([field('a', 'int')])) },
    ]);
    assert.match(
      messages[0]!,
      /'The type \(path '\/fields\/0\/type'\) of a field in the old schema does not match with the new schema', additionalInfo:'reader type: INT not compatible with writer type: STRING'/,
    );
    assert.match(
      messages[1]!,
      /in the new schema does not match with the old schema', additionalInfo:'reader type: STRING not compatible with writer type: INT'/,
    );
    assert.equal(messages[2], '{oldSchemaVersion: 1}');
  });

  test('enum, union and fixed wording', () => {
    const enumMsgs = parseAvroSchema('{"type":"enum","name":"E","symbols":["A"]}').isBackwardCompatible(
      parseAvroSchema('{"type":"enum","name":"E","symbols":["A","C","B"]}'),
    );
    assert.deepEqual(enumMsgs, [
      "{errorType:'MISSING_ENUM_SYMBOLS', description:'The %s schema is missing enum symbols '[B, C]' at path '/symbols' in the %s schema', additionalInfo:'[B, C]'}",
    ]);
    const unionMsgs = parseAvroSchema('["null","string"]').isBackwardCompatible(
      parseAvroSchema('["null","string","int"]'),
    );
    assert.deepEqual(unionMsgs, [
      "{errorType:'MISSING_UNION_BRANCH', description:'The %s schema is missing a type inside a union field at path '/2' in the %s schema', additionalInfo:'reader union lacking writer type: INT'}",
    ]);
    const fixedMsgs = parseAvroSchema('{"type":"fixed","name":"F","size":8}').isBackwardCompatible(
      parseAvroSchema('{"type":"fixed","name":"F","size":4}'),
    );
    assert.deepEqual(fixedMsgs, [
      "{errorType:'FIXED_SIZE_MISMATCH', description:'The size of FIXED type field at path '/size' in the %s schema does not match with the %s schema', additionalInfo:'expected: 4, found: 8'}",
    ]);
  });
});
