/**
 * A Connect worker against a broker's SSL listener (`kafka+ssl://`, the CA from KAFKA_TRUSTED_CERT):
 * FileStreamSource → topic → FileStreamSink, every line arriving in order, the source task's
 * records produced on the batch producer's own TLS connections (batch-producer-on-client.ts).
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { allRunning, startConnect, type TestConnect } from '../helpers/connect.ts';
import { countLeanProduce } from '../helpers/lean-produce.ts';
import { makeCerts } from '../security/certs.ts';

const certs = makeCerts('alice');
const dir = mkdtempSync(join(tmpdir(), 'samsa-connect-tls-'));
let broker: TestBroker;
let connect: TestConnect;
const leanProduce = countLeanProduce();

before(async () => {
  broker = await startBroker({
    listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0',
    tlsCert: certs.serverCert,
    tlsKey: certs.serverKey,
    tlsCa: certs.ca,
  });
  process.env.KAFKA_TRUSTED_CERT = readFileSync(certs.ca, 'utf8');
  const ssl = broker.listeners.find((l) => l.protocol === 'SSL')!.port;
  connect = await startConnect({ bootstrap: `kafka+ssl://127.0.0.1:${ssl}` });
});

after(async () => {
  leanProduce.stop();
  await connect?.stop();
  await broker?.stop();
  delete process.env.KAFKA_TRUSTED_CERT;
  rmSync(dir, { recursive: true, force: true });
  rmSync(certs.dir, { recursive: true, force: true });
});

test('file source to file sink over TLS, the source records on the lean TLS connections', async () => {
  const input = join(dir, 'in.txt');
  const output = join(dir, 'out.txt');
  const lines = Array.from({ length: 500 }, (_, i) => `line ${i}`);
  writeFileSync(input, `${lines.slice(0, 250).join('\n')}\n`);
  for (const [name, config] of [
    ['tls-src', { 'connector.class': 'FileStreamSource', file: input, topic: 'tls-lines' }],
    ['tls-sink', { 'connector.class': 'FileStreamSink', file: output, topics: 'tls-lines' }],
  ] as const) {
    const r = await connect.call('POST', '/connectors', { name, config });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  await connect.waitForStatus('tls-src', allRunning());
  await connect.waitForStatus('tls-sink', allRunning());
  appendFileSync(input, `${lines.slice(250).join('\n')}\n`);
  const deadline = Date.now() + 30_000;
  let text = '';
  while (Date.now() < deadline) {
    try {
      text = readFileSync(output, 'utf8');
    } catch {}
    if (text.split('\n').length > lines.length) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(text, `${lines.join('\n')}\n`);
  assert.ok(leanProduce.count > 0, 'the source task produced on the lean connections');
});
