/** Listener lists in Kafka's form, and the broker settings that configure security. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/broker/config.ts';
import { parseListeners } from '../../src/broker/listeners.ts';

it('parses several listeners with their security protocols', () => {
  assert.deepEqual(parseListeners('PLAINTEXT://127.0.0.1:9092, SASL_SSL://localhost:9094,SSL://[::1]:9093'), [
    { protocol: 'PLAINTEXT', host: '127.0.0.1', port: 9092 },
    { protocol: 'SASL_SSL', host: 'localhost', port: 9094 },
    { protocol: 'SSL', host: '::1', port: 9093 },
  ]);
});

it('refuses malformed listeners with a message naming the entry', () => {
  assert.throws(
    () => parseListeners('HTTP://127.0.0.1:80'),
    /HTTP:\/\/127.0.0.1:80.*protocol must be one of/,
  );
  assert.throws(() => parseListeners('PLAINTEXT://127.0.0.1'), /must look like PROTOCOL:\/\/host:port/);
  assert.throws(() => parseListeners('PLAINTEXT://a:1,SSL://a:1'), /same host:port/);
  assert.throws(() => parseListeners(''), /no listener/);
});

it('reads repeatable SCRAM users from flags and environment, and validates them', () => {
  const fromFlags = loadConfig({ 'scram-user': ['alice:s3cret', 'bob:pw:with:colons'] });
  assert.deepEqual(fromFlags.scramUsers, ['alice:s3cret', 'bob:pw:with:colons']);
  const fromEnv = loadConfig({}, { SAMSA_SCRAM_USER: 'carol:x,dave:y' });
  assert.deepEqual(fromEnv.scramUsers, ['carol:x', 'dave:y']);
  assert.throws(() => loadConfig({ 'scram-user': ['nopassword'] }), ConfigError);
  assert.throws(() => loadConfig({ 'tls-client-auth': 'sometimes' }), /none, requested or required/);
});
