/**
 * Each handler's file states its API key and versions once (`SERVES`); the generated handler table
 * (handlers/generated-table.ts) carries them without loading the module, so ApiVersions can answer
 * before any handler is loaded; each entry must match its handler, the table must be current, and
 * ApiVersions must answer exactly the handlers' declarations. Handlers
 * load on the first request for their API: a client's pipelined requests for several APIs not yet
 * loaded are answered in order, and a broker that has served only ApiVersions has not loaded the rest.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { HANDLER_MODULES, loadAllHandlers } from '../../src/broker/handlers/index.ts';
import { API_KEY_BY_ID } from '../../src/protocol/generated/api-keys.ts';
import {
  defaultApiVersionsRequest,
  writeApiVersionsRequest,
} from '../../src/protocol/generated/messages/api-versions-request.ts';
import { readApiVersionsResponse } from '../../src/protocol/generated/messages/api-versions-response.ts';
import {
  defaultDescribeClusterRequest,
  writeDescribeClusterRequest,
} from '../../src/protocol/generated/messages/describe-cluster-request.ts';
import { readDescribeClusterResponse } from '../../src/protocol/generated/messages/describe-cluster-response.ts';
import {
  defaultMetadataRequest,
  writeMetadataRequest,
} from '../../src/protocol/generated/messages/metadata-request.ts';
import { readMetadataResponse } from '../../src/protocol/generated/messages/metadata-response.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { WireClient } from './kafka-wire.ts';

describe('handler table', () => {
  it('matches every handler it loads: API key, name and versions', async () => {
    const handlers = await loadAllHandlers();
    assert.equal(handlers.length, HANDLER_MODULES.length);
    for (const [i, m] of HANDLER_MODULES.entries()) {
      const h = handlers[i]!;
      assert.deepEqual(
        { apiKey: h.apiKey, name: h.name, minVersion: h.minVersion, maxVersion: h.maxVersion },
        { apiKey: m.apiKey, name: m.name, minVersion: m.minVersion, maxVersion: m.maxVersion },
      );
    }
    assert.equal(new Set(HANDLER_MODULES.map((m) => m.apiKey)).size, HANDLER_MODULES.length, 'no key twice');
  });

  it('is generated from the handler files as they are now', () => {
    const script = fileURLToPath(new URL('../../scripts/generate-handler-table.ts', import.meta.url));
    const out = execFileSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    assert.match(out, /up to date/);
  });

  it('declares versions each within what the generated codecs encode', async () => {
    for (const h of await loadAllHandlers()) {
      const spec = API_KEY_BY_ID.get(h.apiKey);
      assert.ok(spec, `API key ${h.apiKey} is in Kafka's specs`);
      assert.ok(
        h.minVersion >= spec.minVersion && h.maxVersion <= spec.maxVersion && h.minVersion <= h.maxVersion,
        `${h.name} ${h.minVersion}-${h.maxVersion} within ${spec.minVersion}-${spec.maxVersion}`,
      );
    }
  });
});

describe('handlers loaded on first use', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startBroker();
  });
  after(async () => {
    await broker?.stop();
  });

  it('advertise every API before loading it, then answer pipelined first requests in order', async () => {
    const registry = broker.broker.services.handlers;
    const c = await WireClient.open(broker.port);
    const versions = readApiVersionsResponse(
      await c.request(18, 3, (w) => writeApiVersionsRequest(w, 3, defaultApiVersionsRequest())),
      3,
    );
    assert.equal(versions.errorCode, 0);
    const declared = (await loadAllHandlers())
      .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
    assert.deepEqual(
      versions.apiKeys.map((k) => ({ apiKey: k.apiKey, minVersion: k.minVersion, maxVersion: k.maxVersion })),
      declared,
      "ApiVersions answers exactly the handlers' declarations",
    );
    assert.equal(registry.get(3), undefined, 'Metadata not loaded by ApiVersions');
    assert.equal(registry.get(60), undefined, 'DescribeCluster not loaded by ApiVersions');
    // Metadata, DescribeCluster, Metadata: pipelined while neither handler is loaded.
    const order: string[] = [];
    const track = <T>(name: string, p: Promise<T>): Promise<T> =>
      p.then((r) => {
        order.push(name);
        return r;
      });
    const metadata = () => c.request(3, 12, (w) => writeMetadataRequest(w, 12, defaultMetadataRequest()));
    const [m1, dc, m2] = await Promise.all([
      track('Metadata', metadata()),
      track(
        'DescribeCluster',
        c.request(60, 1, (w) => writeDescribeClusterRequest(w, 1, defaultDescribeClusterRequest())),
      ),
      track('Metadata again', metadata()),
    ]);
    assert.deepEqual(order, ['Metadata', 'DescribeCluster', 'Metadata again'], 'answered in request order');
    assert.equal(readMetadataResponse(m1, 12).brokers.length, 1);
    assert.equal(readDescribeClusterResponse(dc, 1).errorCode, 0);
    assert.equal(readMetadataResponse(m2, 12).brokers.length, 1);
    assert.ok(registry.get(3) && registry.get(60), 'loaded on first use');
    c.close();
  });
});
