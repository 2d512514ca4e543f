/**
 * JSON Schema and Protobuf compatibility, table-driven with the changes Confluent documents for
 * each (open/closed/partially open content models, type widening, constraints, combined schemas;
 * Protobuf field numbers, wire-compatible scalar groups, oneofs, labels, messages, packages), each
 * judged at BACKWARD and FORWARD (FULL is both), plus the wording of the messages.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CompatibilityLevel, checkCompatibility } from '../../src/registry/compatibility.ts';
import { parseJsonSchema } from '../../src/registry/schemas/json/index.ts';
import type { ParsedSchema } from '../../src/registry/schemas/parsed-schema.ts';
import { parseProtobufSchema } from '../../src/registry/schemas/protobuf/index.ts';

interface Case {
  name: string;
  old: string;
  new: string;
  backward: boolean;
  forward: boolean;
  /** An error type expected in the backward (or, when backward passes, forward) messages. */
  errorType?: string;
}

function run(cases: Case[], parse: (text: string) => ParsedSchema): void {
  for (const c of cases) {
    test(c.name, () => {
      const oldSchema = parse(c.old);
      const newSchema = parse(c.new);
      const levels: [CompatibilityLevel, boolean][] = [
        ['BACKWARD', c.backward],
        ['FORWARD', c.forward],
        ['FULL', c.backward && c.forward],
        ['NONE', true],
      ];
      for (const [level, ok] of levels) {
        const messages = checkCompatibility(level, newSchema, [{ version: 1, schema: oldSchema }]);
        assert.equal(messages.length === 0, ok, `${level}: ${messages.join('\n')}`);
        if (!ok && c.errorType && level === (c.backward ? 'FORWARD' : 'BACKWARD'))
          assert.match(messages[0]!, new RegExp(`errorType:"${c.errorType}"`));
      }
    });
  }
}

const obj = (properties: object, extra: object = {}) =>
  JSON.stringify({ type: 'object', properties, ...extra });
const str = { type: 'string' };
const int = { type: 'integer' };

describe('JSON Schema compatibility table', () => {
  run(
    [
      {
        name: 'property added to an open content model',
        old: obj({ a: str }),
        new: obj({ a: str, b: str }),
        backward: false,
        forward: true,
        errorType: 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
      },
      {
        name: 'property with an empty schema added to an open content model',
        old: obj({ a: str }),
        new: obj({ a: str, b: {} }),
        backward: true,
        forward: true,
      },
      {
        name: 'optional property added to a closed content model',
        old: obj({ a: str }, { additionalProperties: false }),
        new: obj({ a: str, b: str }, { additionalProperties: false }),
        backward: true,
        forward: false,
        errorType: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
      },
      {
        name: 'required property added to a closed content model',
        old: obj({ a: str }, { additionalProperties: false }),
        new: obj({ a: str, b: str }, { additionalProperties: false, required: ['b'] }),
        backward: false,
        forward: false,
        errorType: 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
      },
      {
        name: 'required property with a default added to a closed content model',
        old: obj({ a: str }, { additionalProperties: false }),
        new: obj(
          { a: str, b: { type: 'string', default: 'x' } },
          { additionalProperties: false, required: ['b'] },
        ),
        backward: true,
        forward: false,
      },
      {
        name: 'property removed from an open content model',
        old: obj({ a: str, b: str }),
        new: obj({ a: str }),
        backward: true,
        forward: false,
        errorType: 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
      },
      {
        name: 'property removed from a closed content model',
        old: obj({ a: str, b: str }, { additionalProperties: false }),
        new: obj({ a: str }, { additionalProperties: false }),
        backward: false,
        forward: true,
        errorType: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
      },
      {
        name: 'property added, covered by a partially open content model',
        old: obj({ a: str }, { additionalProperties: str }),
        new: obj({ a: str, b: str }, { additionalProperties: str }),
        backward: true,
        forward: true,
      },
      {
        name: 'property added, not covered by a partially open content model',
        old: obj({ a: str }, { additionalProperties: str }),
        new: obj({ a: str, b: int }, { additionalProperties: str }),
        backward: false,
        forward: false,
        errorType: 'TYPE_CHANGED',
      },
      {
        name: 'integer widened to number',
        old: obj({ n: int }),
        new: obj({ n: { type: 'number' } }),
        backward: true,
        forward: false,
        errorType: 'TYPE_NARROWED',
      },
      {
        name: 'string made nullable',
        old: obj({ s: str }),
        new: obj({ s: { type: ['string', 'null'] } }),
        backward: true,
        forward: false,
        errorType: 'TYPE_CHANGED',
      },
      {
        name: 'string changed to integer',
        old: obj({ s: str }),
        new: obj({ s: int }),
        backward: false,
        forward: false,
        errorType: 'TYPE_CHANGED',
      },
      {
        name: 'maxLength increased',
        old: obj({ s: { type: 'string', maxLength: 5 } }),
        new: obj({ s: { type: 'string', maxLength: 10 } }),
        backward: true,
        forward: false,
        errorType: 'MAX_LENGTH_DECREASED',
      },
      {
        name: 'minimum added',
        old: obj({ n: int }),
        new: obj({ n: { type: 'integer', minimum: 0 } }),
        backward: false,
        forward: true,
        errorType: 'MINIMUM_ADDED',
      },
      {
        name: 'enum extended',
        old: obj({ e: { enum: ['a', 'b'] } }),
        new: obj({ e: { enum: ['a', 'b', 'c'] } }),
        backward: true,
        forward: false,
        errorType: 'ENUM_ARRAY_NARROWED',
      },
      {
        name: 'required attribute added to an existing property',
        old: obj({ a: str }),
        new: obj({ a: str }, { required: ['a'] }),
        backward: false,
        forward: true,
        errorType: 'REQUIRED_ATTRIBUTE_ADDED',
      },
      {
        name: 'closed content model opened',
        old: obj({ a: str }, { additionalProperties: false }),
        new: obj({ a: str }),
        backward: true,
        forward: false,
        errorType: 'ADDITIONAL_PROPERTIES_REMOVED',
      },
      {
        name: 'oneOf gains a member',
        old: JSON.stringify({ oneOf: [str, int] }),
        new: JSON.stringify({ oneOf: [str, int, { type: 'boolean' }] }),
        backward: true,
        forward: false,
        errorType: 'SUM_TYPE_NARROWED',
      },
      {
        name: 'array items widened',
        old: JSON.stringify({ type: 'array', items: int }),
        new: JSON.stringify({ type: 'array', items: { type: 'number' } }),
        backward: true,
        forward: false,
      },
      {
        name: 'tuple item added to an open array',
        old: JSON.stringify({ type: 'array', items: [str] }),
        new: JSON.stringify({ type: 'array', items: [str, int] }),
        backward: false,
        forward: true,
        errorType: 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL',
      },
      {
        name: 'description and title changes are compatible',
        old: obj({ a: str }, { title: 'A', description: 'old' }),
        new: obj({ a: str }, { title: 'B', description: 'new' }),
        backward: true,
        forward: true,
      },
      {
        name: 'a $ref to a local definition is compared through the reference',
        old: JSON.stringify({
          type: 'object',
          properties: { a: { $ref: '#/definitions/x' } },
          definitions: { x: str },
        }),
        new: JSON.stringify({
          type: 'object',
          properties: { a: { $ref: '#/definitions/x' } },
          definitions: { x: int },
        }),
        backward: false,
        forward: false,
        errorType: 'TYPE_CHANGED',
      },
    ],
    (text) => parseJsonSchema(text),
  );

  test("message wording and paths follow Confluent's", () => {
    const messages = checkCompatibility('BACKWARD', parseJsonSchema(obj({ a: str, b: str })), [
      { version: 2, schema: parseJsonSchema(obj({ a: str })) },
    ]);
    assert.equal(
      messages[0],
      `{errorType:"PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", description:"The new schema has an open content model and has a property or item at path '#/properties/b' which is missing in the old schema"}`,
    );
    assert.equal(messages[1], '{oldSchemaVersion: 2}');
  });
});

const proto = (body: string, pkg = 'test') => `syntax = "proto3";\npackage ${pkg};\n${body}\n`;

describe('Protobuf compatibility table', () => {
  run(
    [
      {
        name: 'field added',
        old: proto('message M { string a = 1; }'),
        new: proto('message M { string a = 1; int32 b = 2; }'),
        backward: true,
        forward: true,
      },
      {
        name: 'field removed',
        old: proto('message M { string a = 1; int32 b = 2; }'),
        new: proto('message M { string a = 1; }'),
        backward: true,
        forward: true,
      },
      {
        name: 'field renamed',
        old: proto('message M { string a = 1; }'),
        new: proto('message M { string b = 1; }'),
        backward: true,
        forward: true,
      },
      {
        name: 'int32 to int64 (same wire group)',
        old: proto('message M { int32 a = 1; }'),
        new: proto('message M { int64 a = 1; }'),
        backward: true,
        forward: true,
      },
      {
        name: 'string to bytes',
        old: proto('message M { string a = 1; }'),
        new: proto('message M { bytes a = 1; }'),
        backward: true,
        forward: true,
      },
      {
        name: 'int32 to sint32 (zigzag)',
        old: proto('message M { int32 a = 1; }'),
        new: proto('message M { sint32 a = 1; }'),
        backward: false,
        forward: false,
        errorType: 'FIELD_SCALAR_KIND_CHANGED',
      },
      {
        name: 'string to int32',
        old: proto('message M { string a = 1; }'),
        new: proto('message M { int32 a = 1; }'),
        backward: false,
        forward: false,
        errorType: 'FIELD_SCALAR_KIND_CHANGED',
      },
      {
        name: 'scalar to message',
        old: proto('message M { string a = 1; } message N { string x = 1; }'),
        new: proto('message M { N a = 1; } message N { string x = 1; }'),
        backward: false,
        forward: false,
        errorType: 'FIELD_KIND_CHANGED',
      },
      {
        name: 'message-typed field changed to another message',
        old: proto('message M { A f = 1; } message A { string x = 1; } message B { string x = 1; }'),
        new: proto('message M { B f = 1; } message A { string x = 1; } message B { string x = 1; }'),
        backward: false,
        forward: false,
        errorType: 'FIELD_NAMED_TYPE_CHANGED',
      },
      {
        name: 'enum value added',
        old: proto('enum E { A = 0; } message M { E e = 1; }'),
        new: proto('enum E { A = 0; B = 1; } message M { E e = 1; }'),
        backward: true,
        forward: true,
      },
      {
        name: 'enum and int32 share the wire group',
        old: proto('enum E { A = 0; } message M { E e = 1; }'),
        new: proto('enum E { A = 0; } message M { int32 e = 1; }'),
        backward: true,
        forward: true,
      },
      {
        name: 'message added',
        old: proto('message M { string a = 1; }'),
        new: proto('message M { string a = 1; } message N { int32 b = 1; }'),
        backward: true,
        forward: false,
        errorType: 'MESSAGE_REMOVED',
      },
      {
        name: 'package changed',
        old: proto('message M { string a = 1; }', 'one'),
        new: proto('message M { string a = 1; }', 'two'),
        backward: false,
        forward: false,
        errorType: 'PACKAGE_CHANGED',
      },
      {
        name: 'messages reordered',
        old: proto('message A { int32 x = 1; } message B { int32 y = 1; }'),
        new: proto('message B { int32 y = 1; } message A { int32 x = 1; }'),
        backward: true,
        forward: true,
      },
      {
        name: 'one field moved into a new oneof',
        old: proto('message M { string a = 1; int32 b = 2; }'),
        new: proto('message M { oneof o { string a = 1; } int32 b = 2; }'),
        backward: true,
        forward: true,
      },
      {
        name: 'two existing fields moved into one oneof',
        old: proto('message M { string a = 1; int32 b = 2; }'),
        new: proto('message M { oneof o { string a = 1; int32 b = 2; } }'),
        backward: false,
        forward: true,
        errorType: 'MULTIPLE_FIELDS_MOVED_TO_ONEOF',
      },
      {
        name: 'oneof field removed',
        old: proto('message M { oneof o { string a = 1; int32 b = 2; } }'),
        new: proto('message M { oneof o { string a = 1; } }'),
        backward: false,
        forward: true,
        errorType: 'ONEOF_FIELD_REMOVED',
      },
      {
        name: 'numeric field made repeated',
        old: proto('message M { int32 a = 1; }'),
        new: proto('message M { repeated int32 a = 1; }'),
        backward: false,
        forward: false,
        errorType: 'FIELD_NUMERIC_LABEL_CHANGED',
      },
      {
        name: 'string field made repeated',
        old: proto('message M { string a = 1; }'),
        new: proto('message M { repeated string a = 1; }'),
        backward: true,
        forward: true,
      },
      {
        name: 'proto2 required field added',
        old: 'syntax = "proto2";\nmessage M { optional string a = 1; }',
        new: 'syntax = "proto2";\nmessage M { optional string a = 1; required int32 b = 2; }',
        backward: false,
        forward: false,
        errorType: 'REQUIRED_FIELD_ADDED',
      },
      {
        name: 'nested message field changed incompatibly',
        old: proto('message M { message In { int32 v = 1; } In i = 1; }'),
        new: proto('message M { message In { string v = 1; } In i = 1; }'),
        backward: false,
        forward: false,
        errorType: 'FIELD_SCALAR_KIND_CHANGED',
      },
    ],
    (text) => parseProtobufSchema(text),
  );

  test("message wording and paths follow Confluent's", () => {
    const messages = parseProtobufSchema(proto('message M { int32 a = 1; }')).isBackwardCompatible(
      parseProtobufSchema(proto('message M { string a = 1; }')),
    );
    assert.deepEqual(messages, [
      `{errorType:"FIELD_SCALAR_KIND_CHANGED", description:"The kind of a SCALAR field at path '#/M/1' in the %s schema does not match its kind in the %s schema"}`,
    ]);
  });
});
