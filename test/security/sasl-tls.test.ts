/**
 * Encrypted and authenticated listeners with clients nobody here wrote: kcat and
 * python3-confluent-kafka over SASL_SSL with SCRAM-SHA-512, over SSL with a client certificate, and
 * SASL_PLAINTEXT with PLAIN; a wrong password gets SASL_AUTHENTICATION_FAILED and the connection
 * closes; nothing but ApiVersions/SASL is served before authentication; SCRAM users are managed
 * through AlterUserScramCredentials / DescribeUserScramCredentials.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { credentialFromSaltedPassword, saltedPassword } from '../../src/broker/auth/scram.ts';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { writeAlterUserScramCredentialsRequest } from '../../src/protocol/generated/messages/alter-user-scram-credentials-request.ts';
import { readAlterUserScramCredentialsResponse } from '../../src/protocol/generated/messages/alter-user-scram-credentials-response.ts';
import { writeDescribeUserScramCredentialsRequest } from '../../src/protocol/generated/messages/describe-user-scram-credentials-request.ts';
import { readDescribeUserScramCredentialsResponse } from '../../src/protocol/generated/messages/describe-user-scram-credentials-response.ts';
import { readSaslAuthenticateResponse } from '../../src/protocol/generated/messages/sasl-authenticate-response.ts';
import { readSaslHandshakeResponse } from '../../src/protocol/generated/messages/sasl-handshake-response.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { WireClient } from '../broker/kafka-wire.ts';
import { run, runPython } from '../helpers/run.ts';
import { makeCerts, type TestCerts } from './certs.ts';

let certs: TestCerts;
let broker: TestBroker;
const port = (protocol: string): number => broker.listeners.find((l) => l.protocol === protocol)!.port;
const addr = (protocol: string): string => `127.0.0.1:${port(protocol)}`;

before(async () => {
  certs = makeCerts('alice');
  broker = await startBroker({
    listeners:
      'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
    tlsCert: certs.serverCert,
    tlsKey: certs.serverKey,
    tlsCa: certs.ca,
    tlsClientAuth: 'requested',
    scramUsers: ['alice:alice-secret', 'bob:bob-secret'],
  });
});
after(async () => {
  await broker?.stop();
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
});

function kcatArgs(protocol: string, extra: string[]): string[] {
  return ['-b', addr(protocol), '-X', `security.protocol=${protocol.toLowerCase()}`, ...extra];
}

const SCRAM_512 = [
  '-X',
  'sasl.mechanisms=SCRAM-SHA-512',
  '-X',
  'sasl.username=alice',
  '-X',
  'sasl.password=alice-secret',
];

describe('TLS and SASL listeners', () => {
  it('kcat produces and consumes over SASL_SSL with SCRAM-SHA-512', async () => {
    const args = kcatArgs('SASL_SSL', [...SCRAM_512, '-X', `ssl.ca.location=${certs.ca}`]);
    const p = await run('kcat', [...args, '-P', '-t', 'secure-scram'], { input: 'one\ntwo\nthree\n' });
    assert.equal(p.code, 0, p.stderr);
    const c = await run('kcat', [...args, '-C', '-t', 'secure-scram', '-o', 'beginning', '-e', '-q']);
    assert.equal(c.code, 0, c.stderr);
    assert.deepEqual(c.stdout.trim().split('\n'), ['one', 'two', 'three']);
  });

  it('kcat connects over SSL with a client certificate', async () => {
    const args = kcatArgs('SSL', [
      '-X',
      `ssl.ca.location=${certs.ca}`,
      '-X',
      `ssl.certificate.location=${certs.clientCert}`,
      '-X',
      `ssl.key.location=${certs.clientKey}`,
    ]);
    const p = await run('kcat', [...args, '-P', '-t', 'secure-cert'], { input: 'certified\n' });
    assert.equal(p.code, 0, p.stderr);
    const c = await run('kcat', [...args, '-C', '-t', 'secure-cert', '-o', 'beginning', '-e', '-q']);
    assert.equal(c.stdout.trim(), 'certified');
  });

  it('python3-confluent-kafka round-trips over SASL_SSL (SCRAM-SHA-512) and SSL (client certificate)', async () => {
    const script = `
import sys
from confluent_kafka import Producer, Consumer
ca, cert, key, sasl_ssl, ssl = sys.argv[1:6]
configs = {
  "scram": {"bootstrap.servers": sasl_ssl, "security.protocol": "SASL_SSL", "sasl.mechanisms": "SCRAM-SHA-512",
            "sasl.username": "bob", "sasl.password": "bob-secret", "ssl.ca.location": ca},
  "cert": {"bootstrap.servers": ssl, "security.protocol": "SSL", "ssl.ca.location": ca,
           "ssl.certificate.location": cert, "ssl.key.location": key},
}
for name, conf in configs.items():
    topic = "py-secure-" + name
    p = Producer(conf)
    for i in range(1000):
        p.produce(topic, value=f"{name}-{i}".encode())
    assert p.flush(30) == 0
    c = Consumer({**conf, "group.id": "g-" + name, "auto.offset.reset": "earliest"})
    c.subscribe([topic])
    got = []
    while len(got) < 1000:
        m = c.poll(10)
        assert m is not None, f"{name}: timed out after {len(got)}"
        assert m.error() is None, m.error()
        got.append(m.value().decode())
    c.close()
    assert got == [f"{name}-{i}" for i in range(1000)], name
    print("OK", name)
`;
    const r = await runPython(script, [
      certs.ca,
      certs.clientCert,
      certs.clientKey,
      addr('SASL_SSL'),
      addr('SSL'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /OK scram/);
    assert.match(r.stdout, /OK cert/);
  });

  it('kcat with SASL/PLAIN on SASL_PLAINTEXT', async () => {
    const args = kcatArgs('SASL_PLAINTEXT', [
      '-X',
      'sasl.mechanisms=PLAIN',
      '-X',
      'sasl.username=bob',
      '-X',
      'sasl.password=bob-secret',
    ]);
    const p = await run('kcat', [...args, '-P', '-t', 'plain-topic'], { input: 'plain\n' });
    assert.equal(p.code, 0, p.stderr);
  });

  it('answers a wrong password with SASL_AUTHENTICATION_FAILED and closes the connection', async () => {
    const c = await WireClient.open(port('SASL_PLAINTEXT'));
    const hs = readSaslHandshakeResponse(await c.request(17, 1, (w) => w.writeString('PLAIN')), 1);
    assert.equal(hs.errorCode, 0);
    assert.deepEqual(hs.mechanisms, ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);
    const auth = readSaslAuthenticateResponse(
      await c.request(36, 1, (w) => w.writeBytes(Buffer.from('\u0000alice\u0000wrong-password'))),
      1,
    );
    assert.equal(auth.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
    assert.equal(await c.waitClosed(), true);

    // kcat with a wrong SCRAM password fails too.
    const bad = await run(
      'kcat',
      kcatArgs('SASL_SSL', [
        '-X',
        'sasl.mechanisms=SCRAM-SHA-512',
        '-X',
        'sasl.username=alice',
        '-X',
        'sasl.password=nope',
        '-X',
        `ssl.ca.location=${certs.ca}`,
        '-L',
        '-m',
        '5',
      ]),
      { timeoutMs: 20_000 },
    );
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Authentication failed|SASL authentication error/i);
  });

  it('serves nothing but ApiVersions and SASL before authentication', async () => {
    const c = await WireClient.open(port('SASL_PLAINTEXT'));
    const api = await c.request(18, 0, () => {});
    assert.equal(api.readInt16(), 0, 'ApiVersions is answered');
    void c.request(3, 1, (w) => w.writeInt32(-1)); // Metadata before authenticating
    assert.equal(await c.waitClosed(), true);
  });

  it('manages SCRAM users with AlterUserScramCredentials and DescribeUserScramCredentials', async () => {
    const admin = await WireClient.open(port('PLAINTEXT'));
    const salt = randomBytes(24);
    const salted = saltedPassword('SCRAM-SHA-256', 'carol-secret', salt, 8192);
    const altered = readAlterUserScramCredentialsResponse(
      await admin.request(51, 0, (w) =>
        writeAlterUserScramCredentialsRequest(w, 0, {
          deletions: [{ name: 'nobody', mechanism: 1 }],
          upsertions: [
            { name: 'carol', mechanism: 1, iterations: 8192, salt, saltedPassword: salted },
            { name: 'weak', mechanism: 1, iterations: 10, salt, saltedPassword: salted },
          ],
        }),
      ),
      0,
    );
    const byUser = Object.fromEntries(altered.results.map((r) => [r.user, r.errorCode]));
    assert.deepEqual(byUser, {
      nobody: ErrorCode.RESOURCE_NOT_FOUND,
      carol: 0,
      weak: ErrorCode.UNACCEPTABLE_CREDENTIAL,
    });
    const described = readDescribeUserScramCredentialsResponse(
      await admin.request(50, 0, (w) =>
        writeDescribeUserScramCredentialsRequest(w, 0, { users: [{ name: 'carol' }, { name: 'zed' }] }),
      ),
      0,
    );
    assert.deepEqual(
      described.results.map((r) => [r.user, r.errorCode, r.credentialInfos]),
      [
        ['carol', 0, [{ mechanism: 1, iterations: 8192 }]],
        ['zed', ErrorCode.RESOURCE_NOT_FOUND, []],
      ],
    );
    admin.close();
    // The stored credential matches what a client derives; kcat logs in as carol.
    assert.ok(credentialFromSaltedPassword('SCRAM-SHA-256', salted, salt, 8192).storedKey.length === 32);
    const ok = await run(
      'kcat',
      kcatArgs('SASL_PLAINTEXT', [
        '-X',
        'sasl.mechanisms=SCRAM-SHA-256',
        '-X',
        'sasl.username=carol',
        '-X',
        'sasl.password=carol-secret',
        '-P',
        '-t',
        'carol-topic',
      ]),
      { input: 'hi carol\n' },
    );
    assert.equal(ok.code, 0, ok.stderr);
  });
});
