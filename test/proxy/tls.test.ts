/**
 * The proxy over HTTPS with PEM files like the broker's (`--tls-cert/--tls-key`): a client that
 * trusts the CA gets answers; a plain-HTTP client gets none.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { Agent, request } from 'undici';
import { type RunningProxy, startProxy } from '../../src/proxy/index.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { makeCerts, type TestCerts } from '../security/certs.ts';

let broker: TestBroker;
let proxy: RunningProxy;
let certs: TestCerts;

before(async () => {
  certs = makeCerts();
  broker = await startBroker();
  proxy = await startProxy({
    connection: { bootstrapBrokers: [broker.bootstrap] },
    port: 0,
    tls: { cert: readFileSync(certs.serverCert, 'utf8'), key: readFileSync(certs.serverKey, 'utf8') },
  });
});
after(async () => {
  await proxy?.stop();
  await broker?.stop();
  rmSync(certs.dir, { recursive: true, force: true });
});

it('serves HTTPS with the given certificate; plain HTTP is refused', async () => {
  assert.match(proxy.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const dispatcher = new Agent({ connect: { ca: readFileSync(certs.ca, 'utf8') } });
  try {
    const res = await request(`${proxy.url}/v3/clusters`, { dispatcher });
    assert.equal(res.statusCode, 200);
    assert.equal(((await res.body.json()) as { kind: string }).kind, 'KafkaClusterList');
  } finally {
    await dispatcher.close();
  }
  await assert.rejects(
    request(proxy.url.replace('https:', 'http:') + '/topics', { headersTimeout: 2000, bodyTimeout: 2000 }),
  );
});
