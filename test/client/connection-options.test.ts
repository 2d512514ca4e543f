import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionConfigError, connectionOptions } from '../../src/client/connection-options.ts';

test('defaults to 127.0.0.1:9092 without flag or KAFKA_URL', () => {
  assert.deepEqual(connectionOptions({}, {}), { bootstrapBrokers: ['127.0.0.1:9092'] });
});

test('--bootstrap takes host:port lists and wins over KAFKA_URL', () => {
  const options = connectionOptions({ bootstrap: 'a:1, b:2' }, { KAFKA_URL: 'kafka://c:3' });
  assert.deepEqual(options.bootstrapBrokers, ['a:1', 'b:2']);
  assert.equal(options.tls, undefined);
});

test('KAFKA_URL: comma-separated kafka:// URLs, default port 9092, IPv6', () => {
  const options = connectionOptions(
    {},
    { KAFKA_URL: 'kafka://b1.example.com:9096,kafka://b2.example.com,kafka://[::1]:9093/' },
  );
  assert.deepEqual(options.bootstrapBrokers, ['b1.example.com:9096', 'b2.example.com:9092', '[::1]:9093']);
  assert.equal(options.tls, undefined);
});

test('kafka+ssl:// turns TLS on with the PEM variables', () => {
  const env = {
    KAFKA_URL: 'kafka+ssl://b1.example.com:9096,kafka+ssl://b2.example.com:9096',
    KAFKA_TRUSTED_CERT: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----',
    KAFKA_CLIENT_CERT: '-----BEGIN CERTIFICATE-----\\nCERT\\n-----END CERTIFICATE-----',
    KAFKA_CLIENT_CERT_KEY: '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----',
  };
  const options = connectionOptions({}, env);
  assert.equal(options.tls?.ca, env.KAFKA_TRUSTED_CERT);
  assert.equal(
    options.tls?.cert,
    '-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----',
    'escaped newlines restored',
  );
  assert.equal(options.tls?.key, env.KAFKA_CLIENT_CERT_KEY);
  assert.equal(options.tls?.rejectUnauthorized, true);
  assert.equal(options.tls?.checkServerIdentity, undefined);
  assert.equal(options.tlsServerName, true);
});

test('TLS to IP addresses sends no SNI; the host name check can be skipped on request', () => {
  const options = connectionOptions({ bootstrap: 'kafka+ssl://10.0.0.1:9096', skipHostnameCheck: true }, {});
  assert.equal(options.tlsServerName, undefined);
  assert.equal(options.tls?.checkServerIdentity?.('x', {} as never), undefined);
});

test('rejects mixed schemes, other schemes, credentials in URLs, bad ports and half a client cert', () => {
  const bad: [Parameters<typeof connectionOptions>[0], NodeJS.ProcessEnv, RegExp][] = [
    [{}, { KAFKA_URL: 'kafka://a:1,kafka+ssl://b:2' }, /mixes/],
    [{ bootstrap: 'http://a:1' }, {}, /unsupported scheme/],
    [{ bootstrap: 'kafka://u:p@a:1' }, {}, /credentials/],
    [{ bootstrap: 'a:99999' }, {}, /out of range/],
    [{ bootstrap: 'a:b:c' }, {}, /not host:port/],
    [{ bootstrap: ' , ' }, {}, /empty/],
    [{ bootstrap: 'kafka+ssl://a:1' }, { KAFKA_CLIENT_CERT: 'x' }, /together/],
  ];
  for (const [input, env, message] of bad) {
    assert.throws(
      () => connectionOptions(input, env),
      (err: Error) => err instanceof ConnectionConfigError && message.test(err.message),
    );
  }
});

test('SASL from flags or env; PLAIN by default; mechanism validated', () => {
  assert.deepEqual(connectionOptions({ saslUsername: 'u', saslPassword: 'p' }, {}).sasl, {
    mechanism: 'PLAIN',
    username: 'u',
    password: 'p',
  });
  const env = { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'eu', KAFKA_SASL_PASSWORD: 'ep' };
  assert.deepEqual(connectionOptions({}, env).sasl, {
    mechanism: 'SCRAM-SHA-512',
    username: 'eu',
    password: 'ep',
  });
  assert.equal(connectionOptions({ saslUsername: 'flag' }, env).sasl?.username, 'flag');
  assert.throws(() => connectionOptions({ saslUsername: 'u' }, {}), /both a username and a password/);
  assert.throws(() => connectionOptions({ saslMechanism: 'PLAIN' }, {}), /needs a username/);
  assert.throws(
    () => connectionOptions({ saslUsername: 'u', saslPassword: 'p', saslMechanism: 'GSSAPI' }, {}),
    /unsupported SASL/,
  );
});
