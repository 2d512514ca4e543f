/**
 * Security hardening on one broker with a SASL_PLAINTEXT and an mTLS listener, ACLs and two
 * tenants: tenants see neither other tenants' SCRAM users nor their principals in DescribeAcls
 * (the samsa CLI); unknown users get a deterministic mock SCRAM salt and cost the same PBKDF2 work
 * as known ones under PLAIN; a client that has not authenticated cannot send a frame over
 * sasl.server.max.receive.size (while an authenticated kcat still produces a larger record); and a
 * certificate DN given to `--super-users` with Kafka's `;` separator is a super user (kcat).
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/broker/config.ts';
import { writeDescribeUserScramCredentialsRequest } from '../../src/protocol/generated/messages/describe-user-scram-credentials-request.ts';
import { readDescribeUserScramCredentialsResponse } from '../../src/protocol/generated/messages/describe-user-scram-credentials-response.ts';
import { readSaslAuthenticateResponse } from '../../src/protocol/generated/messages/sasl-authenticate-response.ts';
import { readSaslHandshakeResponse } from '../../src/protocol/generated/messages/sasl-handshake-response.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { WireClient } from '../broker/kafka-wire.ts';
import { json, samsaInProcess } from '../cli/run-cli.ts';
import { run } from '../helpers/run.ts';
import { AuthzClient, Operation, ResourceType } from './authz-client.ts';
import { makeCerts, type TestCerts } from './certs.ts';

const SUPER_USERS = 'User:CN=alice,OU=eng,O=Acme;User:admin';

let broker: TestBroker;
let certs: TestCerts;
let saslPort: number;
let sslPort: number;
const open: WireClient[] = [];

before(async () => {
  certs = makeCerts('alice');
  broker = await startBroker({
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0',
    tlsCert: certs.serverCert,
    tlsKey: certs.serverKey,
    tlsCa: certs.ca,
    tlsClientAuth: 'required',
    authorizer: 'acl',
    superUsers: loadConfig({ 'super-users': SUPER_USERS }).superUsers,
    scramUsers: ['admin:admin-pw', 't1:t1-pw', 't2:t2-pw'],
    tenants: ['t1:team1.', 't2:team2.'],
    // Only the size cap, not the handshake timeout, may close an unauthenticated connection here.
    saslHandshakeTimeoutMs: 120_000,
  });
  saslPort = broker.listeners[0]!.port;
  sslPort = broker.listeners[1]!.port;
});
after(async () => {
  for (const c of open) c.close();
  await broker?.stop();
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
});

function as(user: string): string[] {
  return [
    '-b',
    `127.0.0.1:${saslPort}`,
    '--sasl-mechanism',
    'SCRAM-SHA-512',
    '--sasl-username',
    user,
    '--sasl-password',
    `${user}-pw`,
  ];
}

async function wire(): Promise<WireClient> {
  const c = await WireClient.open(saslPort);
  open.push(c);
  return c;
}

/** One SASL round: SaslHandshake v1 then SaslAuthenticate v1 with `token`. */
async function saslFirst(mechanism: string, token: string) {
  const c = await wire();
  const hs = readSaslHandshakeResponse(await c.request(17, 1, (w) => w.writeString(mechanism)), 1);
  assert.equal(hs.errorCode, 0);
  const res = readSaslAuthenticateResponse(
    await c.request(36, 1, (w) => w.writeBytes(Buffer.from(token))),
    1,
  );
  c.close();
  return res;
}

/** The salt and iteration count of the server-first message SCRAM gives `user`. */
async function scramChallenge(user: string, mechanism = 'SCRAM-SHA-256') {
  const res = await saslFirst(mechanism, `n,,n=${user},r=fyko+d2lbbFgONRv9qkxdawL`);
  assert.equal(res.errorCode, 0, 'an unknown user gets a challenge, not an error');
  const attrs = new Map(
    res.authBytes
      .toString()
      .split(',')
      .map((kv) => [kv.slice(0, 1), kv.slice(2)] as const),
  );
  return { salt: attrs.get('s'), iterations: attrs.get('i') };
}

describe('tenant isolation of users and ACL principals (samsa CLI)', () => {
  it('a tenant lists only its own SCRAM user; the super user lists all', async () => {
    const users = (user: string) =>
      samsaInProcess(['users', '--json', ...as(user)]).then((r) =>
        json<{ user: string }[]>(r).map((u) => u.user),
      );
    const [all, own] = await Promise.all([users('admin'), users('t1')]);
    assert.deepEqual(all, ['admin', 't1', 't2']);
    assert.deepEqual(own, ['t1']);
  });

  it('a tenant asking for other users by name is told they do not exist', async () => {
    const t1 = await AuthzClient.login(saslPort, 't1', 't1-pw');
    open.push(t1.wire);
    const describe = async (names: string[] | null) => {
      const res = readDescribeUserScramCredentialsResponse(
        await t1.wire.request(50, 0, (w) =>
          writeDescribeUserScramCredentialsRequest(w, 0, {
            users: names === null ? null : names.map((name) => ({ name })),
          }),
        ),
        0,
      );
      return res.results.map((r) => `${r.user} ${r.errorCode} ${r.credentialInfos.length}`);
    };
    assert.deepEqual(await describe(['t1', 't2', 'admin', 'nobody']), [
      't1 0 2',
      't2 91 0',
      'admin 91 0',
      'nobody 91 0',
    ]);
    assert.deepEqual(await describe(null), ['t1 0 2']);
    assert.deepEqual(await describe([]), ['t1 0 2'], 'an empty list means every user, as in Kafka');
  });

  it("DescribeAcls on a tenant's prefix hides other tenants' principals", async () => {
    const admin = await AuthzClient.login(saslPort, 'admin', 'admin-pw');
    open.push(admin.wire);
    const created = await admin.createAcls(
      ['User:t2', 'User:app'].map((principal) => ({
        resourceType: ResourceType.TOPIC,
        resourceName: 'team1.orders',
        principal,
        operation: Operation.READ,
      })),
    );
    assert.deepEqual(created, [0, 0]);
    assert.deepEqual(
      (await admin.describeAcls(null)).bindings.map((b) => b.principal).sort(),
      ['User:app', 'User:t2'],
      'the super user sees both',
    );
    const seen = (user: string) =>
      samsaInProcess(['acls', '--json', ...as(user)]).then((r) =>
        json<{ resourceName: string; principal: string }[]>(r).map((b) => `${b.resourceName} ${b.principal}`),
      );
    const [t1, t2] = await Promise.all([seen('t1'), seen('t2')]);
    assert.deepEqual(t1, ['team1.orders User:app']);
    assert.deepEqual(t2, [], 'nothing on team2.');
  });
});

describe('user enumeration', () => {
  it('SCRAM gives an unknown user the same salt every time, with the default iteration count', async () => {
    const ghost = await scramChallenge('ghost');
    assert.deepEqual(await scramChallenge('ghost'), ghost, 'repeated attempts see the same salt');
    assert.equal(ghost.iterations, '4096');
    assert.equal(Buffer.from(ghost.salt ?? '', 'base64').length, 32, 'as long as a real salt');
    const other = await scramChallenge('phantom');
    assert.notEqual(other.salt, ghost.salt, 'each name has its own salt');
    const sha512 = await scramChallenge('ghost', 'SCRAM-SHA-512');
    assert.notEqual(sha512.salt, ghost.salt, 'and each mechanism');
    const known = await scramChallenge('t1');
    assert.equal(known.iterations, '4096');
    assert.deepEqual(await scramChallenge('t1'), known);
    const secret = join(broker.dataDir, '__meta', 'scram-mock-secret');
    assert.ok(existsSync(secret), 'the server secret is kept in the data directory');
    assert.equal(statSync(secret).mode & 0o777, 0o600);
  });

  it('an unknown user costs PLAIN the same PBKDF2 work as a known user with a wrong password', async () => {
    // Observe (not replace) the key derivation the broker runs in this process.
    const crypto = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
    const real = crypto.pbkdf2Sync;
    const calls: number[] = [];
    crypto.pbkdf2Sync = ((...args: Parameters<typeof real>) => {
      calls.push(args[2]);
      return real(...args);
    }) as typeof real;
    syncBuiltinESMExports();
    try {
      const attempt = async (user: string) => {
        calls.length = 0;
        const res = await saslFirst('PLAIN', `\u0000${user}\u0000not-the-password`);
        assert.equal(res.errorCode, 58, 'SASL_AUTHENTICATION_FAILED');
        assert.equal(res.errorMessage, 'Authentication failed: Invalid username or password');
        return [...calls];
      };
      const known = await attempt('t1');
      assert.deepEqual(known, [4096]);
      assert.deepEqual(await attempt('ghost'), known, 'same iterations for an unknown user');
    } finally {
      crypto.pbkdf2Sync = real;
      syncBuiltinESMExports();
    }
  });
});

describe('request size before authentication', () => {
  it('closes an unauthenticated connection that announces a frame over 512 KiB without reading it', async () => {
    const c = await wire();
    const head = Buffer.alloc(4 + 1024);
    head.writeInt32BE(524_288 + 1, 0);
    head.writeInt16BE(36, 4); // SaslAuthenticate
    c.sendRaw(head);
    assert.equal(await c.waitClosed(10_000), true, 'closed after the size, long before the body');
  });

  it('accepts a frame at the limit before authentication, and larger ones after it (kcat)', async () => {
    // A 512 KiB SaslAuthenticate token is read (and refused as a login), not cut off by size.
    const token = `\u0000ghost\u0000${'x'.repeat(524_288 - 200)}`;
    const res = await saslFirst('PLAIN', token);
    assert.equal(res.errorCode, 58);
    const value = 'v'.repeat(700_000);
    const args = [
      '-b',
      `127.0.0.1:${saslPort}`,
      ...['-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN'],
      ...['-X', 'sasl.username=t1', '-X', 'sasl.password=t1-pw', '-X', 'message.max.bytes=2000000'],
    ];
    const p = await run('kcat', [...args, '-P', '-t', 'team1.big'], { input: `${value}\n` });
    assert.equal(p.code, 0, p.stderr);
    const c = await run('kcat', [...args, '-C', '-t', 'team1.big', '-o', 'beginning', '-e', '-q']);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout.trim().length, value.length);
  });
});

describe('super users', () => {
  it("splits on Kafka's ';' and on commas only before a new principal", () => {
    assert.deepEqual(loadConfig({ 'super-users': SUPER_USERS }).superUsers, [
      'User:CN=alice,OU=eng,O=Acme',
      'User:admin',
    ]);
    assert.deepEqual(loadConfig({ 'super-users': 'User:a,User:b' }).superUsers, ['User:a', 'User:b']);
    assert.deepEqual(loadConfig({}, { SAMSA_SUPER_USERS: 'User:CN=x,O=Acme, User:y' }).superUsers, [
      'User:CN=x,O=Acme',
      'User:y',
    ]);
    // Kafka's server.properties form
    const file = join(broker.dataDir, 'server.properties');
    writeFileSync(file, `super.users=${SUPER_USERS}\n`);
    assert.deepEqual(loadConfig({}, {}, file).superUsers, ['User:CN=alice,OU=eng,O=Acme', 'User:admin']);
    assert.deepEqual(loadConfig({ 'super-users': ['User:CN=a\\,b,O=c', 'User:d'] }).superUsers, [
      'User:CN=a\\,b,O=c',
      'User:d',
    ]);
  });

  it('a client certificate whose DN is a super user may do anything (kcat over mTLS)', async () => {
    const args = [
      '-b',
      `127.0.0.1:${sslPort}`,
      ...['-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${certs.ca}`],
      ...['-X', `ssl.certificate.location=${certs.clientCert}`, '-X', `ssl.key.location=${certs.clientKey}`],
    ];
    const p = await run('kcat', [...args, '-P', '-t', 'ops.audit'], { input: 'by-alice\n' });
    assert.equal(p.code, 0, p.stderr);
    const c = await run('kcat', [...args, '-C', '-t', 'ops.audit', '-o', 'beginning', '-e', '-q']);
    assert.equal(c.stdout, 'by-alice\n', c.stderr);
  });
});
