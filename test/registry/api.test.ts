/**
 * Confluent Schema Registry's REST API over real HTTP against a registry on a real broker: every
 * endpoint, its answers, Confluent's error codes and messages, content negotiation, idempotent
 * registration, soft and permanent deletes, references, config, modes and IMPORT.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Answer, avroRecord, call, type Stack, startStack, V1 } from './helpers.ts';

let stack: Stack;
let url: string;
const req = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<Answer> => call(url, method, path, body, headers);

before(async () => {
  stack = await startStack();
  url = stack.url;
});
after(() => stack.stop());

const userV1 = avroRecord('User', [{ name: 'name', type: 'string' }]);
const userV2 = avroRecord('User', [
  { name: 'name', type: 'string' },
  { name: 'age', type: 'int', default: 0 },
]);

describe('registration and lookup', () => {
  test('registers, is idempotent across formatting, and serves the canonical text', async () => {
    const first = await req('POST', '/subjects/reg-value/versions', { schema: userV1 });
    assert.equal(first.status, 200);
    assert.equal(first.type?.split(';')[0], V1);
    const id = (first.body as { id: number }).id;
    assert.ok(Number.isInteger(id) && id > 0);
    const spaced = JSON.stringify(JSON.parse(userV1), null, 4);
    const again = await req('POST', '/subjects/reg-value/versions', { schema: spaced, schemaType: 'AVRO' });
    assert.deepEqual(again.body, { id });
    const versions = await req('GET', '/subjects/reg-value/versions');
    assert.deepEqual(versions.body, [1]);
    const v1 = await req('GET', '/subjects/reg-value/versions/1');
    assert.deepEqual(v1.body, { subject: 'reg-value', version: 1, id, schema: userV1 });
    // the same schema under another subject keeps its id but gets that subject's version 1
    const other = await req('POST', '/subjects/reg-other-value/versions', { schema: userV1 });
    assert.deepEqual(other.body, { id });
    const ids = await req('GET', `/schemas/ids/${id}/versions`);
    assert.deepEqual(ids.body, [
      { subject: 'reg-other-value', version: 1 },
      { subject: 'reg-value', version: 1 },
    ]);
    assert.deepEqual((await req('GET', `/schemas/ids/${id}/subjects`)).body, [
      'reg-other-value',
      'reg-value',
    ]);
  });

  test('evolves under BACKWARD and refuses an incompatible change with 409 and the details', async () => {
    const v2 = await req('POST', '/subjects/reg-value/versions', { schema: userV2 });
    assert.equal(v2.status, 200);
    const bad = await req('POST', '/subjects/reg-value/versions', {
      schema: avroRecord('User', [
        { name: 'name', type: 'string' },
        { name: 'email', type: 'string' },
      ]),
    });
    assert.equal(bad.status, 409);
    const { error_code, message } = bad.body as { error_code: number; message: string };
    assert.equal(error_code, 409);
    assert.match(
      message,
      /^Schema being registered is incompatible with an earlier schema for subject "reg-value", details: \[/,
    );
    assert.match(message, /READER_FIELD_MISSING_DEFAULT_VALUE/);
    assert.match(message, /\{oldSchemaVersion: 2\}/);
    assert.match(message, /\{validateFields: 'false', compatibility: 'BACKWARD'\}\]$/);
    const latest = await req('GET', '/subjects/reg-value/versions/latest');
    assert.equal((latest.body as { version: number }).version, 2);
    assert.equal((await req('GET', '/subjects/reg-value/versions/-1')).text, latest.text);
    assert.equal((await req('GET', '/subjects/reg-value/versions/latest/schema')).text, userV2);
  });

  test('POST /subjects/{s} finds the version of a schema, 40403 when absent, 40401 for no subject', async () => {
    const found = await req('POST', '/subjects/reg-value', { schema: userV1 });
    assert.equal(found.status, 200);
    assert.deepEqual(Object.keys(found.body as object), ['subject', 'version', 'id', 'schema']);
    assert.equal((found.body as { version: number }).version, 1);
    const missing = await req('POST', '/subjects/reg-value', { schema: '"string"' });
    assert.deepEqual(missing.body, { error_code: 40403, message: 'Schema not found' });
    assert.equal(missing.status, 404);
    const noSubject = await req('POST', '/subjects/nope-value', { schema: userV1 });
    assert.deepEqual(noSubject.body, { error_code: 40401, message: "Subject 'nope-value' not found." });
  });

  test('schemas by id: full, /schema raw text, 40403', async () => {
    const { id } = (await req('POST', '/subjects/ids-value/versions', { schema: '"string"' })).body as {
      id: number;
    };
    assert.deepEqual((await req('GET', `/schemas/ids/${id}`)).body, { schema: '"string"' });
    // Id lookups negotiate the content type like every route; query parameters are honoured.
    const asJson = await req('GET', `/schemas/ids/${id}`, undefined, { accept: 'application/json' });
    assert.equal(asJson.type, 'application/json; charset=utf-8');
    assert.deepEqual(asJson.body, { schema: '"string"' });
    assert.equal((await req('GET', `/schemas/ids/${id}`, undefined, { accept: 'text/html' })).status, 406);
    assert.deepEqual((await req('GET', `/schemas/ids/${id}?fetchMaxId=true`)).body, {
      schema: '"string"',
      maxId: id,
    });
    assert.equal((await req('GET', `/schemas/ids/0${id}`)).status, 200);
    const raw = await req('GET', `/schemas/ids/${id}/schema`);
    assert.equal(raw.text, '"string"');
    assert.deepEqual((await req('GET', '/schemas/ids/99999')).body, {
      error_code: 40403,
      message: 'Schema 99999 not found',
    });
    assert.deepEqual((await req('GET', '/schemas/types')).body, ['JSON', 'PROTOBUF', 'AVRO']);
    const all = (await req('GET', '/schemas?subjectPrefix=ids-')).body as { subject: string }[];
    assert.deepEqual(
      all.map((s) => s.subject),
      ['ids-value'],
    );
  });

  test('invalid schemas answer 42201, invalid versions 42202', async () => {
    const invalid = await req('POST', '/subjects/bad-value/versions', {
      schema: '{"type":"record","name":"X"}',
    });
    assert.equal(invalid.status, 422);
    assert.equal((invalid.body as { error_code: number }).error_code, 42201);
    assert.match((invalid.body as { message: string }).message, /Record has no fields/);
    const empty = await req('POST', '/subjects/bad-value/versions', {});
    assert.deepEqual(empty.body, { error_code: 42201, message: 'Empty schema' });
    const badType = await req('POST', '/subjects/bad-value/versions', { schema: '{}', schemaType: 'XML' });
    assert.equal((badType.body as { error_code: number }).error_code, 42201);
    for (const v of ['0', 'abc', '2147483648']) {
      const r = await req('GET', `/subjects/reg-value/versions/${v}`);
      assert.equal(r.status, 422);
      assert.deepEqual(r.body, {
        error_code: 42202,
        message: `The specified version '${v}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
      });
    }
    assert.deepEqual((await req('GET', '/subjects/reg-value/versions/9')).body, {
      error_code: 40402,
      message: 'Version 9 not found.',
    });
    assert.deepEqual((await req('GET', '/subjects/none/versions/1')).body, {
      error_code: 40401,
      message: "Subject 'none' not found.",
    });
  });

  test('normalize=true registers the normalized form, and equivalent schemas then share a version', async () => {
    const a = JSON.stringify({
      type: 'record',
      name: 'N',
      namespace: 'x.y',
      fields: [{ name: 'f', type: 'int' }],
    });
    const b = JSON.stringify({ type: 'record', name: 'x.y.N', fields: [{ name: 'f', type: 'int' }] });
    const r1 = (await req('POST', '/subjects/norm-value/versions?normalize=true', { schema: a })).body as {
      id: number;
    };
    const r2 = (await req('POST', '/subjects/norm-value/versions?normalize=true', { schema: b })).body as {
      id: number;
    };
    assert.equal(r1.id, r2.id);
    assert.deepEqual((await req('GET', '/subjects/norm-value/versions')).body, [1]);
    assert.equal(
      (await req('GET', '/subjects/norm-value/versions/1/schema')).text,
      '{"type":"record","name":"x.y.N","fields":[{"name":"f","type":"int"}]}',
    );
  });
});

describe('JSON Schema and Protobuf with references', () => {
  test('JSON Schema $ref to another subject, referencedby, and deletion blocked while referenced', async () => {
    const address = { $id: 'address.json', type: 'object', properties: { city: { type: 'string' } } };
    const a = await req('POST', '/subjects/address/versions', {
      schemaType: 'JSON',
      schema: JSON.stringify(address),
    });
    assert.equal(a.status, 200);
    const person = {
      type: 'object',
      properties: { name: { type: 'string' }, address: { $ref: 'address.json' } },
    };
    const p = await req('POST', '/subjects/person-value/versions', {
      schemaType: 'JSON',
      schema: JSON.stringify(person),
      references: [{ name: 'address.json', subject: 'address', version: 1 }],
    });
    assert.equal(p.status, 200, p.text);
    const pid = (p.body as { id: number }).id;
    const version = await req('GET', '/subjects/person-value/versions/1');
    assert.deepEqual((version.body as { references: unknown }).references, [
      { name: 'address.json', subject: 'address', version: 1 },
    ]);
    assert.equal((version.body as { schemaType: string }).schemaType, 'JSON');
    assert.deepEqual((await req('GET', '/subjects/address/versions/1/referencedby')).body, [pid]);
    const blocked = await req('DELETE', '/subjects/address/versions/1');
    assert.equal(blocked.status, 422);
    assert.deepEqual(blocked.body, {
      error_code: 42206,
      message:
        'One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=address,version=1}.',
    });
    const dangling = await req('POST', '/subjects/person2-value/versions', {
      schemaType: 'JSON',
      schema: JSON.stringify(person),
      references: [{ name: 'address.json', subject: 'address', version: 7 }],
    });
    assert.equal((dangling.body as { error_code: number }).error_code, 42201);
  });

  test('Avro: a record using a type another subject defines; format=resolved inlines it', async () => {
    const money = JSON.stringify({
      type: 'record',
      name: 'Money',
      namespace: 'fin',
      fields: [{ name: 'cents', type: 'long' }],
    });
    assert.equal((await req('POST', '/subjects/fin-money/versions', { schema: money })).status, 200);
    const invoice = JSON.stringify({
      type: 'record',
      name: 'Invoice',
      namespace: 'fin',
      fields: [
        { name: 'total', type: 'Money' },
        { name: 'tax', type: 'fin.Money' },
      ],
    });
    const refs = [{ name: 'fin.Money', subject: 'fin-money', version: 1 }];
    const r = await req('POST', '/subjects/invoices-value/versions', { schema: invoice, references: refs });
    assert.equal(r.status, 200, r.text);
    const id = (r.body as { id: number }).id;
    // canonical: a name in the enclosing namespace is written short, as Java does
    assert.deepEqual((await req('GET', `/schemas/ids/${id}`)).body, {
      references: refs,
      schema: invoice.replace('"fin.Money"', '"Money"'),
    });
    const resolved = JSON.parse(
      ((await req('GET', `/schemas/ids/${id}?format=resolved`)).body as { schema: string }).schema,
    );
    assert.deepEqual(resolved.fields[0].type, {
      type: 'record',
      name: 'Money',
      fields: [{ name: 'cents', type: 'long' }],
    });
    assert.equal(resolved.fields[1].type, 'Money');
    const unresolvable = await req('POST', '/subjects/invoices2-value/versions', { schema: invoice });
    assert.equal(unresolvable.status, 422);
    assert.match((unresolvable.body as { message: string }).message, /"Money" is not a defined name/);
  });

  test('Protobuf: canonical text, imports as references, format=serialized descriptor', async () => {
    const common =
      'syntax = "proto3";\npackage common;\nmessage Money { string currency = 1; int64 units = 2; }\n';
    assert.equal(
      (await req('POST', '/subjects/money/versions', { schemaType: 'PROTOBUF', schema: common })).status,
      200,
    );
    const order = `syntax = "proto3";
package shop;
import "money.proto";
// an order
message Order {
  string id = 1;
  common.Money total = 2;
  repeated string items = 3;
}`;
    const r = await req('POST', '/subjects/orders-value/versions', {
      schemaType: 'PROTOBUF',
      schema: order,
      references: [{ name: 'money.proto', subject: 'money', version: 1 }],
    });
    assert.equal(r.status, 200, r.text);
    const stored = await req('GET', '/subjects/orders-value/versions/1/schema');
    assert.equal(
      stored.text,
      'syntax = "proto3";\npackage shop;\n\nimport "money.proto";\n\nmessage Order {\n  string id = 1;\n  common.Money total = 2;\n  repeated string items = 3;\n}\n',
    );
    // the same file with other whitespace and comments is the same schema
    const again = await req('POST', '/subjects/orders-value/versions', {
      schemaType: 'PROTOBUF',
      schema: order.replaceAll('\n', '\n\n').replace('// an order', '/* changed comment */'),
      references: [{ name: 'money.proto', subject: 'money', version: 1 }],
    });
    assert.deepEqual(again.body, r.body);
    const serialized = await req('GET', `/schemas/ids/${(r.body as { id: number }).id}?format=serialized`);
    const b64 = (serialized.body as { schema: string }).schema;
    assert.match(b64, /^[A-Za-z0-9+/]+=*$/);
    // registering the descriptor form resolves to a schema with the same structure
    const fromDescriptor = await req('POST', '/compatibility/subjects/orders-value/versions/latest', {
      schemaType: 'PROTOBUF',
      schema: b64,
      references: [{ name: 'money.proto', subject: 'money', version: 1 }],
    });
    assert.deepEqual(fromDescriptor.body, { is_compatible: true });
  });
});

describe('deletes', () => {
  test('soft then permanent deletes of versions and subjects with Confluent errors', async () => {
    await req('POST', '/subjects/del-value/versions', { schema: userV1 });
    await req('POST', '/subjects/del-value/versions', { schema: userV2 });
    assert.deepEqual((await req('DELETE', '/subjects/del-value/versions/2?permanent=true')).body, {
      error_code: 40407,
      message: "Subject 'del-value' Version 2 was not deleted first before being permanently deleted",
    });
    assert.equal((await req('DELETE', '/subjects/del-value/versions/latest')).body, 2);
    assert.deepEqual((await req('DELETE', '/subjects/del-value/versions/2')).body, {
      error_code: 40406,
      message: "Subject 'del-value' Version 2 was soft deleted.Set permanent=true to delete permanently",
    });
    assert.deepEqual((await req('GET', '/subjects/del-value/versions')).body, [1]);
    assert.deepEqual((await req('GET', '/subjects/del-value/versions?deleted=true')).body, [1, 2]);
    assert.equal((await req('GET', '/subjects/del-value/versions/2')).status, 404);
    assert.equal((await req('GET', '/subjects/del-value/versions/2?deleted=true')).status, 200);
    assert.deepEqual((await req('DELETE', '/subjects/del-value?permanent=true')).body, {
      error_code: 40405,
      message: "Subject 'del-value' was not deleted first before being permanently deleted",
    });
    assert.deepEqual((await req('DELETE', '/subjects/del-value')).body, [1]);
    assert.deepEqual((await req('DELETE', '/subjects/del-value')).body, {
      error_code: 40404,
      message: "Subject 'del-value' was soft deleted.Set permanent=true to delete permanently",
    });
    assert.ok(!((await req('GET', '/subjects')).body as string[]).includes('del-value'));
    assert.ok(((await req('GET', '/subjects?deleted=true')).body as string[]).includes('del-value'));
    assert.deepEqual((await req('GET', '/subjects?deletedOnly=true&subjectPrefix=del-')).body, ['del-value']);
    // the id still resolves after a soft delete
    const id = (
      (await req('POST', '/subjects/del-value?deleted=true', { schema: userV1 })).body as { id: number }
    ).id;
    assert.equal((await req('GET', `/schemas/ids/${id}`)).status, 200);
    assert.deepEqual((await req('DELETE', '/subjects/del-value?permanent=true')).body, [1, 2]);
    assert.deepEqual((await req('GET', '/subjects/del-value/versions?deleted=true')).body, {
      error_code: 40401,
      message: "Subject 'del-value' not found.",
    });
    // versions restart after a permanent delete; the id of the same schema stays
    const again = await req('POST', '/subjects/del-value/versions', { schema: userV2 });
    assert.equal(again.status, 200);
    assert.deepEqual((await req('GET', '/subjects/del-value/versions')).body, [1]);
  });

  test('after a soft delete, new versions continue the numbering', async () => {
    await req('POST', '/subjects/num-value/versions', { schema: '"string"' });
    await req('DELETE', '/subjects/num-value');
    await req('POST', '/subjects/num-value/versions', { schema: '"string"' });
    assert.deepEqual((await req('GET', '/subjects/num-value/versions')).body, [2]);
  });
});

describe('config and mode', () => {
  test('global and subject compatibility with 40408 and 42203', async () => {
    assert.deepEqual((await req('GET', '/config')).body, { compatibilityLevel: 'BACKWARD' });
    assert.deepEqual((await req('GET', '/config/cfg-value')).body, {
      error_code: 40408,
      message: "Subject 'cfg-value' does not have subject-level compatibility configured",
    });
    assert.deepEqual((await req('GET', '/config/cfg-value?defaultToGlobal=true')).body, {
      compatibilityLevel: 'BACKWARD',
    });
    assert.deepEqual((await req('PUT', '/config/cfg-value', { compatibility: 'full_transitive' })).body, {
      compatibility: 'FULL_TRANSITIVE',
    });
    assert.deepEqual((await req('GET', '/config/cfg-value')).body, { compatibilityLevel: 'FULL_TRANSITIVE' });
    const invalid = await req('PUT', '/config/cfg-value', { compatibility: 'SIDEWAYS' });
    assert.equal(invalid.status, 422);
    assert.deepEqual(invalid.body, {
      error_code: 42203,
      message:
        'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
    });
    assert.deepEqual((await req('DELETE', '/config/cfg-value')).body, {
      compatibilityLevel: 'FULL_TRANSITIVE',
    });
    assert.equal((await req('DELETE', '/config/cfg-value')).status, 404);
    assert.deepEqual((await req('PUT', '/config', { compatibility: 'NONE' })).body, {
      compatibility: 'NONE',
    });
    assert.deepEqual((await req('GET', '/config')).body, { compatibilityLevel: 'NONE' });
    assert.deepEqual((await req('DELETE', '/config')).body, { compatibilityLevel: 'NONE' });
    assert.deepEqual((await req('GET', '/config')).body, { compatibilityLevel: 'BACKWARD' });
  });

  test('READONLY refuses writes with 42205; IMPORT keeps given ids and versions', async () => {
    await req('PUT', '/mode/ro-value', { mode: 'READONLY' });
    assert.deepEqual((await req('GET', '/mode/ro-value')).body, { mode: 'READONLY' });
    const refused = await req('POST', '/subjects/ro-value/versions', { schema: '"int"' });
    assert.deepEqual(refused.body, { error_code: 42205, message: 'Subject ro-value is in read-only mode' });
    assert.deepEqual((await req('PUT', '/mode/ro-value', { mode: 'WRITEONLY' })).body, {
      error_code: 42204,
      message: 'Invalid mode. Valid values are READWRITE, READONLY, and IMPORT.',
    });
    assert.deepEqual((await req('DELETE', '/mode/ro-value')).body, { mode: 'READONLY' });
    assert.deepEqual((await req('GET', '/mode/ro-value')).body, {
      error_code: 40409,
      message: "Subject 'ro-value' does not have subject-level mode configured",
    });
    assert.deepEqual((await req('GET', '/mode/ro-value?defaultToGlobal=true')).body, { mode: 'READWRITE' });
    // IMPORT: refused while subjects exist unless forced
    assert.equal(
      ((await req('PUT', '/mode', { mode: 'IMPORT' })).body as { error_code: number }).error_code,
      42205,
    );
    assert.deepEqual((await req('PUT', '/mode/imp-value', { mode: 'IMPORT' })).body, { mode: 'IMPORT' });
    const imported = await req('POST', '/subjects/imp-value/versions', {
      schema: '"long"',
      id: 5000,
      version: 7,
    });
    assert.deepEqual(imported.body, { id: 5000 });
    assert.deepEqual((await req('GET', '/subjects/imp-value/versions/7')).body, {
      subject: 'imp-value',
      version: 7,
      id: 5000,
      schema: '"long"',
    });
    const clash = await req('POST', '/subjects/imp-value/versions', {
      schema: '"double"',
      id: 5000,
      version: 8,
    });
    assert.equal((clash.body as { error_code: number }).error_code, 42207);
    await req('DELETE', '/mode/imp-value');
    const notImport = await req('POST', '/subjects/imp-value/versions', { schema: '"float"', id: 6000 });
    assert.deepEqual(notImport.body, {
      error_code: 42205,
      message: 'Subject imp-value is not in import mode',
    });
    // ids continue after the largest imported one
    const next = (await req('POST', '/subjects/after-import-value/versions', { schema: '"boolean"' }))
      .body as { id: number };
    assert.equal(next.id, 5001);
  });
});

describe('compatibility endpoint', () => {
  test('is_compatible, verbose messages, all versions, unknown subject and version', async () => {
    await req('POST', '/subjects/cmp-value/versions', { schema: userV1 });
    const ok = await req('POST', '/compatibility/subjects/cmp-value/versions/latest', { schema: userV2 });
    assert.deepEqual(ok.body, { is_compatible: true });
    const no = await req('POST', '/compatibility/subjects/cmp-value/versions/latest?verbose=true', {
      schema: '"int"',
    });
    const body = no.body as { is_compatible: boolean; messages: string[] };
    assert.equal(body.is_compatible, false);
    assert.equal(
      body.messages[0],
      "{errorType:'TYPE_MISMATCH', description:'The type (path '/') of a field in the new schema does not match with the old schema', additionalInfo:'reader type: INT not compatible with writer type: RECORD'}",
    );
    assert.equal(body.messages.at(-1), "{validateFields: 'false', compatibility: 'BACKWARD'}");
    assert.deepEqual(
      (await req('POST', '/compatibility/subjects/cmp-value/versions', { schema: userV2 })).body,
      {
        is_compatible: true,
      },
    );
    assert.deepEqual(
      (await req('POST', '/compatibility/subjects/cmp-none-value/versions/latest', { schema: userV2 })).body,
      {
        is_compatible: true,
      },
    );
    assert.equal(
      (await req('POST', '/compatibility/subjects/cmp-value/versions/3', { schema: userV2 })).status,
      404,
    );
  });
});

describe('HTTP conventions', () => {
  test('Accept and Content-Type negotiation, JSON errors, unknown routes', async () => {
    assert.equal(
      (await req('GET', '/subjects', undefined, { accept: 'application/json' })).type?.split(';')[0],
      'application/json',
    );
    assert.equal(
      (
        await req('GET', '/subjects', undefined, { accept: 'application/vnd.schemaregistry+json' })
      ).type?.split(';')[0],
      'application/vnd.schemaregistry+json',
    );
    assert.equal((await req('GET', '/subjects', undefined, { accept: 'text/html' })).status, 406);
    const plain = await fetch(`${url}/subjects/ct-value/versions`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ schema: '"int"' }),
    });
    assert.equal(plain.status, 415);
    assert.deepEqual(await plain.json(), { error_code: 415, message: 'HTTP 415 Unsupported Media Type' });
    const json = await fetch(`${url}/subjects/ct-value/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ schema: '"int"' }),
    });
    assert.equal(json.status, 200);
    const broken = await req('POST', '/subjects/ct-value/versions', '{"schema": ');
    assert.equal(broken.status, 400);
    assert.equal((broken.body as { error_code: number }).error_code, 400);
    assert.deepEqual((await req('GET', '/no/such/path')).body, {
      error_code: 404,
      message: 'HTTP 404 Not Found',
    });
    assert.deepEqual((await req('GET', '/')).body, {});
    assert.deepEqual((await req('GET', '/contexts')).body, ['.']);
  });

  test('subjects with slashes and spaces round-trip URL encoding', async () => {
    const subject = 'a/b c-value';
    const enc = encodeURIComponent(subject);
    assert.equal((await req('POST', `/subjects/${enc}/versions`, { schema: '"bytes"' })).status, 200);
    assert.deepEqual((await req('GET', `/subjects/${enc}/versions`)).body, [1]);
    assert.ok(((await req('GET', '/subjects')).body as string[]).includes(subject));
  });
});
