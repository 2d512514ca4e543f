/**
 * The console's server over HTTP against a broker that requires SASL (SCRAM users, ACLs with a
 * super user): `samsa start`'s embedded console asks for basic credentials on such a listener, the
 * credentials are checked by the broker's SASL handshake, and the console acts as that user, so the
 * ACLs decide what it sees and may do. Also: message pages by offset, time and filter; precise 4xx
 * answers to bad input; the Connect and registry routes when those services are not configured;
 * `samsa console` as a process; ACLs and SCRAM users; throughput read from a Prometheus endpoint (prom-client's output).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AclOperations,
  AclPermissionTypes,
  Admin,
  ResourcePatternTypes,
  ResourceTypes,
} from '@platformatic/kafka';
import { Counter, Registry } from 'prom-client';
import { startEmbeddedConsole } from '../../src/console/embedded.ts';
import { type RunningConsole, startConsole } from '../../src/console/server/index.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { samsaInProcess } from '../cli/run-cli.ts';
import { createTopics } from '../proxy/helpers.ts';

let broker: TestBroker;
let console_: RunningConsole;
const adminSasl = { mechanism: 'SCRAM-SHA-256' as const, username: 'admin', password: 'admin-pw' };
const ADMIN = 'admin:admin-pw';
const T0 = 1_700_000_000_000;

async function call(
  method: string,
  path: string,
  options: { auth?: string; body?: unknown } = {},
): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  const headers: Record<string, string> = {};
  if (options.auth) headers.authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${console_.url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

before(async () => {
  broker = await startBroker({
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
    scramUsers: ['admin:admin-pw', 'alice:alice-pw'],
    authorizer: 'acl',
    superUsers: ['User:admin'],
  });
  const bootstrap = `127.0.0.1:${broker.listeners[0]!.port}`;
  await createTopics(bootstrap, ['secret'], 3, adminSasl);
  const { Producer } = await import('@platformatic/kafka');
  const producer = new Producer({ clientId: 'console-test', bootstrapBrokers: [bootstrap], sasl: adminSasl });
  await producer.send({
    messages: Array.from({ length: 30 }, (_, i) => ({
      topic: 'secret',
      partition: 1,
      key: Buffer.from(`k${i}`),
      value: Buffer.from(JSON.stringify({ n: i, colour: i % 3 === 0 ? 'red' : 'blue' })),
      timestamp: BigInt(T0 + i * 1000),
      headers: new Map([[Buffer.from('trace'), Buffer.from(`t${i}`)]]),
    })),
  });
  await producer.close();
  const lines: string[] = [];
  const started = await startEmbeddedConsole(broker.listeners, true, {}, (l) => lines.push(l));
  assert.ok(started, lines.join('\n'));
  console_ = started;
  assert.match(lines.join('\n'), /^Console on http:\/\/127\.0\.0\.1:\d+$/m);
});

after(async () => {
  await console_?.stop();
  await broker?.stop();
});

describe('login as a Kafka user on a SASL broker', () => {
  it('asks for credentials and refuses wrong ones, for the page and the API', async () => {
    for (const path of ['/', '/api/topics']) {
      const none = await call('GET', path);
      assert.equal(none.status, 401, path);
      assert.match(none.headers.get('www-authenticate') ?? '', /^Basic realm="Samsa console"/);
    }
    assert.equal((await call('GET', '/api/cluster', { auth: 'alice:wrong' })).status, 401);
    assert.equal((await call('GET', '/api/cluster', { auth: 'mallory:x' })).status, 401);
    const session = await call('GET', '/api/session', { auth: ADMIN });
    assert.deepEqual(session.json, {
      authentication: 'basic',
      user: 'admin',
      connect: false,
      registry: false,
      metrics: false,
    });
  });

  it('acts as the logged-in user: the ACLs decide what it sees and may do', async () => {
    const byAdmin = await call('GET', '/api/topics', { auth: ADMIN });
    assert.equal(byAdmin.status, 200, byAdmin.text);
    const secret = (byAdmin.json as { name: string; messages: number; partitions: number }[]).find(
      (t) => t.name === 'secret',
    );
    assert.deepEqual(
      { messages: secret?.messages, partitions: secret?.partitions },
      { messages: 30, partitions: 3 },
    );
    const byAlice = await call('GET', '/api/topics', { auth: 'alice:alice-pw' });
    assert.equal(byAlice.status, 200, byAlice.text);
    assert.deepEqual(byAlice.json, [], 'alice may describe no topic');
    const create = await call('POST', '/api/topics', { auth: 'alice:alice-pw', body: { name: 'mine' } });
    assert.equal(create.status, 403, create.text);
    assert.match((create.json as { error: string }).error, /AUTHORIZATION_FAILED/);
  });
});

describe('message pages', () => {
  const page = async (query: string) => {
    const r = await call('GET', `/api/topics/secret/messages?${query}`, { auth: ADMIN });
    assert.equal(r.status, 200, r.text);
    return r.json as {
      low: number;
      high: number;
      start: number;
      next: number;
      messages: {
        offset: number;
        timestamp: number;
        key: string;
        value: string;
        headers: { key: string; value: string }[];
      }[];
    };
  };
  const text = (b64: string) => Buffer.from(b64, 'base64').toString();

  it('reads from the beginning, the end, an offset and a time, a page at a time', async () => {
    const first = await page('partition=1&from=beginning&limit=10');
    assert.deepEqual(
      first.messages.map((m) => m.offset),
      [...Array(10).keys()],
    );
    assert.deepEqual([first.low, first.high, first.next], [0, 30, 10]);
    assert.equal(text(first.messages[3]!.key), 'k3');
    assert.deepEqual(JSON.parse(text(first.messages[3]!.value)), { n: 3, colour: 'red' });
    assert.deepEqual(
      first.messages[3]!.headers.map((h) => [h.key, text(h.value)]),
      [['trace', 't3']],
    );
    assert.equal(first.messages[3]!.timestamp, T0 + 3000);
    const last = await page('partition=1&from=end&limit=5');
    assert.deepEqual(
      last.messages.map((m) => m.offset),
      [25, 26, 27, 28, 29],
    );
    const middle = await page('partition=1&from=offset&offset=12&limit=3');
    assert.deepEqual(
      middle.messages.map((m) => m.offset),
      [12, 13, 14],
    );
    const atTime = await page(`partition=1&from=timestamp&timestamp=${T0 + 20_500}&limit=2`);
    assert.deepEqual(
      atTime.messages.map((m) => m.offset),
      [21, 22],
    );
    const empty = await page('partition=0&from=beginning');
    assert.deepEqual([empty.messages.length, empty.high], [0, 0]);
  });

  it('filters by text in key, value or headers', async () => {
    const red = await page('partition=1&from=beginning&limit=100&filter=red');
    assert.deepEqual(
      red.messages.map((m) => m.offset),
      [0, 3, 6, 9, 12, 15, 18, 21, 24, 27],
    );
    const header = await page('partition=1&from=beginning&filter=t17');
    assert.deepEqual(
      header.messages.map((m) => m.offset),
      [17],
    );
  });

  it('reads all partitions merged by time, forward and backward by cursor, filtered or not', async () => {
    await createTopics(`127.0.0.1:${broker.listeners[0]!.port}`, ['merged'], 3, adminSasl);
    const { Producer } = await import('@platformatic/kafka');
    const producer = new Producer({
      clientId: 'console-test',
      bootstrapBrokers: [`127.0.0.1:${broker.listeners[0]!.port}`],
      sasl: adminSasl,
    });
    // m0..m29: partition i % 3, one second apart, so time order is m0, m1, m2, ...
    await producer.send({
      messages: Array.from({ length: 30 }, (_, i) => ({
        topic: 'merged',
        partition: i % 3,
        key: Buffer.from(`m${i}`),
        value: Buffer.from(`v${i}`),
        timestamp: BigInt(T0 + i * 1000),
      })),
    });
    await producer.close();
    type Merged = {
      start: string;
      next: string;
      hasOlder: boolean;
      hasNewer: boolean;
      messages: { key: string }[];
    };
    const merged = async (query: string) => {
      const r = await call('GET', `/api/topics/merged/messages?partition=all&${query}`, { auth: ADMIN });
      assert.equal(r.status, 200, r.text);
      return r.json as Merged;
    };
    const keys = (p: Merged) => p.messages.map((m) => text(m.key));
    const all = Array.from({ length: 30 }, (_, i) => `m${i}`);
    // Forward from the beginning, page after page.
    const seen: string[] = [];
    let p = await merged('from=beginning&limit=7');
    assert.equal(p.hasOlder, false);
    for (;;) {
      seen.push(...keys(p));
      if (!p.hasNewer) break;
      p = await merged(`after=${p.next}&limit=7`);
    }
    assert.deepEqual(seen, all);
    // Backward from the end: each page in time order, the pages newest first.
    const back: string[][] = [];
    p = await merged('from=end&limit=7');
    for (;;) {
      back.push(keys(p));
      if (!p.hasOlder) break;
      p = await merged(`before=${p.start}&limit=7`);
    }
    assert.deepEqual(back.reverse().flat(), all);
    assert.deepEqual(keys(await merged('from=end&limit=3')), ['m27', 'm28', 'm29']);
    // From a time, and filtered.
    assert.deepEqual(keys(await merged(`from=timestamp&timestamp=${T0 + 10_000}&limit=3`)), [
      'm10',
      'm11',
      'm12',
    ]);
    const filtered = await merged('from=beginning&limit=5&filter=m1');
    assert.deepEqual(keys(filtered), ['m1', 'm10', 'm11', 'm12', 'm13']);
    assert.deepEqual(keys(await merged(`after=${filtered.next}&limit=20&filter=m1`)), [
      'm14',
      'm15',
      'm16',
      'm17',
      'm18',
      'm19',
    ]);
    const bad = await call('GET', '/api/topics/merged/messages?partition=all&after=zero', { auth: ADMIN });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /cursor must be PARTITION:OFFSET/);
  });

  it('produces a message with key, headers and partition', async () => {
    const r = await call('POST', '/api/topics/secret/messages', {
      auth: ADMIN,
      body: { key: 'new', value: 'hello', headers: { a: 'b' }, partition: 2 },
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { partition: 2, offset: 0 });
    const read = await page('partition=2&from=beginning');
    assert.equal(text(read.messages[0]!.value), 'hello');
  });
});

describe('bad input gets a precise answer', () => {
  const cases: [string, string, unknown, number, RegExp][] = [
    ['POST', '/api/topics', { name: 'bad name!' }, 400, /topic names use letters/],
    ['POST', '/api/topics', { name: 'ok', partitions: 0 }, 400, /partitions must be an integer ≥ 1/],
    ['POST', '/api/topics', [1], 400, /expected a JSON object/],
    ['POST', '/api/topics', { name: 'secret' }, 400, /TOPIC_ALREADY_EXISTS/],
    ['GET', '/api/topics/nope', undefined, 404, /topic nope not found/],
    ['GET', '/api/topics/nope/messages', undefined, 404, /nope/],
    ['GET', '/api/topics/secret/messages?partition=7', undefined, 404, /no partition 7/],
    ['GET', '/api/topics/secret/messages?from=yesterday', undefined, 400, /from must be/],
    ['GET', '/api/topics/secret/messages?limit=x', undefined, 400, /limit must be an integer/],
    ['POST', '/api/topics/secret/partitions', { count: 2 }, 400, /INVALID_PARTITIONS/],
    ['POST', '/api/groups/g/reset', { topic: 'secret', mode: 'sideways' }, 400, /mode must be/],
    ['POST', '/api/groups/g/reset', { topic: 'secret', mode: 'offset', value: 'x' }, 400, /integer/],
    ['POST', '/api/groups/g/reset', { topic: 'nope', mode: 'earliest' }, 404, /topic nope not found/],
    ['GET', '/api/groups/nobody', undefined, 404, /consumer group nobody not found/],
    ['GET', '/api/connect/connectors', undefined, 404, /Kafka Connect is not configured/],
    ['GET', '/api/registry/subjects', undefined, 404, /schema registry is not configured/],
    ['GET', '/api/what', undefined, 404, /no such API/],
    ['GET', '/api/topics/secret/messages?partition=1&after=0:1', undefined, 400, /go with partition=all/],
    ['GET', '/api/topics/secret/messages?partition=all&before=1:x', undefined, 400, /cursor must be/],
    [
      'POST',
      '/api/security/acls',
      { principal: 'User:x', operation: 'EAT', resourceType: 'TOPIC', resourceName: 't' },
      400,
      /operation must be one of ALL, READ, WRITE/,
    ],
    [
      'POST',
      '/api/security/acls',
      { principal: 'User:x', operation: 'READ', resourceType: 'PLANET', resourceName: 't' },
      400,
      /resourceType must be one of TOPIC, GROUP/,
    ],
    [
      'POST',
      '/api/security/acls',
      { principal: 'User:x', operation: 'READ', resourceType: 'TOPIC' },
      400,
      /resourceName is required/,
    ],
    [
      'POST',
      '/api/security/acls/delete',
      { principal: 'User:nobody', operation: 'READ', resourceType: 'TOPIC', resourceName: 'none' },
      404,
      /no such ACL binding/,
    ],
  ];
  for (const [method, path, body, status, message] of cases) {
    it(`${method} ${path} ${body === undefined ? '' : JSON.stringify(body)}→ ${status}`, async () => {
      const r = await call(method, path, { auth: ADMIN, ...(body !== undefined ? { body } : {}) });
      assert.equal(r.status, status, r.text);
      assert.match((r.json as { error: string }).error, message);
    });
  }
});

describe('samsa console', () => {
  it('serves the console for any cluster until SIGTERM, and refuses bad options', async () => {
    const bin = join(import.meta.dirname, '../../bin/samsa.js');
    const bootstrap = `127.0.0.1:${broker.listeners[0]!.port}`;
    const bad = await samsaInProcess([
      'console',
      '--bootstrap-server',
      bootstrap,
      '--authentication',
      'magic',
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--authentication must be none or basic, got "magic"/);
    const badUrl = await samsaInProcess(['console', '-b', bootstrap, '--connect-url', 'connect:8083']);
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /--connect-url must be an http:\/\/ or https:\/\/ URL/);
    const child = spawn(
      process.execPath,
      [bin, 'console', '-b', bootstrap, '--port', '0', '--authentication', 'basic'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let out = '';
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /Console on (http:\/\/[\d.:]+) \(Kafka at /.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const auth = `Basic ${Buffer.from(ADMIN).toString('base64')}`;
      const cluster = await fetch(`${url}/api/cluster`, { headers: { authorization: auth } });
      assert.equal(cluster.status, 200);
      // secret, and merged (the merged-pages test's).
      assert.equal(((await cluster.json()) as { topics: number }).topics, 2);
      assert.equal((await fetch(`${url}/api/cluster`)).status, 401);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
  });
});

describe('throughput from the broker metrics', () => {
  it('sums the per-topic counters of a Prometheus endpoint, and says when there is none', async () => {
    const registry = new Registry();
    const counters = Object.fromEntries(
      ['messagesin', 'bytesin', 'bytesout'].map((name) => [
        name,
        new Counter({
          name: `kafka_server_brokertopicmetrics_${name}_total`,
          help: name,
          labelNames: ['topic'],
          registers: [registry],
        }),
      ]),
    );
    counters.messagesin!.inc({ topic: 'a' }, 5);
    counters.messagesin!.inc({ topic: 'b' }, 7);
    counters.bytesin!.inc({ topic: 'a' }, 500);
    counters.bytesout!.inc({ topic: 'b' }, 90);
    const server = createServer(async (_req, res) => {
      res.setHeader('content-type', registry.contentType);
      res.end(await registry.metrics());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const withMetrics = await startConsole({
      connection: { bootstrapBrokers: [`127.0.0.1:${broker.listeners[0]!.port}`] },
      port: 0,
      metricsUrl: `http://127.0.0.1:${port}/metrics`,
    });
    try {
      const reading = (await (await fetch(`${withMetrics.url}/api/metrics`)).json()) as Record<
        string,
        unknown
      >;
      assert.equal(reading.available, true);
      assert.deepEqual(reading.totals, { messagesIn: 12, bytesIn: 500, bytesOut: 90 });
      assert.deepEqual(reading.topics, {
        a: { messagesIn: 5, bytesIn: 500, bytesOut: 0 },
        b: { messagesIn: 7, bytesIn: 0, bytesOut: 90 },
      });
      server.close();
      const gone = (await (await fetch(`${withMetrics.url}/api/metrics`)).json()) as Record<string, unknown>;
      assert.equal(gone.available, false);
      assert.match(String(gone.error), /127\.0\.0\.1/);
    } finally {
      server.close();
      await withMetrics.stop();
    }
    const none = await call('GET', '/api/metrics', { auth: ADMIN });
    assert.deepEqual(none.json, { available: false });
  });
});

describe('security: ACLs and SCRAM users', () => {
  it('lists ACL bindings and users, creates a user who can then log in, deletes it', async () => {
    const admin = new Admin({
      clientId: 'console-test-acl',
      bootstrapBrokers: [`127.0.0.1:${broker.listeners[0]!.port}`],
      sasl: adminSasl,
    });
    await admin.createAcls({
      creations: [
        {
          resourceType: ResourceTypes.TOPIC,
          resourceName: 'secret',
          resourcePatternType: ResourcePatternTypes.LITERAL,
          principal: 'User:alice',
          host: '*',
          operation: AclOperations.READ,
          permissionType: AclPermissionTypes.ALLOW,
        },
      ],
    });
    await admin.close();
    type Security = {
      acls: { list?: Record<string, string>[]; error?: string };
      users: { list?: { user: string; credentials: { mechanism: string }[] }[]; error?: string };
    };
    const before = (await call('GET', '/api/security', { auth: ADMIN })).json as Security;
    assert.deepEqual(before.acls.list, [
      {
        resourceType: 'TOPIC',
        resourceName: 'secret',
        patternType: 'LITERAL',
        principal: 'User:alice',
        host: '*',
        operation: 'READ',
        permission: 'ALLOW',
      },
    ]);
    assert.deepEqual(
      before.users.list?.map((u) => u.user),
      ['admin', 'alice'],
    );
    const created = await call('POST', '/api/security/users', {
      auth: ADMIN,
      body: { name: 'carol', password: 'carol-pw', mechanism: 'SCRAM-SHA-256' },
    });
    assert.equal(created.status, 201, created.text);
    const listed = (await call('GET', '/api/security', { auth: ADMIN })).json as Security;
    assert.deepEqual(
      listed.users.list?.find((u) => u.user === 'carol')?.credentials.map((c) => c.mechanism),
      ['SCRAM-SHA-256'],
    );
    const carol = await call('GET', '/api/cluster', { auth: 'carol:carol-pw' });
    assert.equal(carol.status, 200, carol.text);
    const alice = (await call('GET', '/api/security', { auth: 'alice:alice-pw' })).json as Security;
    assert.match(String(alice.acls.error), /AUTHORIZATION_FAILED/, 'alice may not describe ACLs');
    const removed = await call('DELETE', '/api/security/users/carol', { auth: ADMIN });
    assert.equal(removed.status, 200, removed.text);
    const after = (await call('GET', '/api/security', { auth: ADMIN })).json as Security;
    assert.deepEqual(
      after.users.list?.map((u) => u.user),
      ['admin', 'alice'],
    );
    assert.equal((await call('DELETE', '/api/security/users/nobody', { auth: ADMIN })).status, 404);
    assert.equal(
      (
        await call('POST', '/api/security/users', {
          auth: ADMIN,
          body: { name: 'x', password: 'y', mechanism: 'MD5' },
        })
      ).status,
      400,
    );
  });
});
