/**
 * Fetch requests with arbitrary sizes, offsets and session fields (negative, zero, huge) at every
 * version 4-17: each gets a decodable answer with Kafka error codes, never a handler failure
 * (UNKNOWN_SERVER_ERROR and an error in the log). Property test over real requests on a socket.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import pino from 'pino';
import { DEFAULT_CONFIG } from '../../src/broker/config.ts';
import { Broker } from '../../src/broker/server.ts';
import {
  defaultFetchRequest,
  writeFetchRequest,
} from '../../src/protocol/generated/messages/fetch-request.ts';
import { readFetchResponse } from '../../src/protocol/generated/messages/fetch-response.ts';
import { buildRecordBatch } from '../../src/protocol/records/batch.ts';
import { autoCreateTopic, produceBatch, WireClient } from './kafka-wire.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'samsa-fetch-fuzz-'));
const failures: string[] = [];
let broker: Broker;
let client: WireClient;
let topicId = '';

before(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n'))
        if (line.includes('handler failed')) failures.push(line);
      done();
    },
  });
  broker = await Broker.start(
    { ...DEFAULT_CONFIG, port: 0, dataDir, logLevel: 'error' },
    { logger: pino({ level: 'error' }, sink) },
  );
  client = await WireClient.open(broker.port);
  await autoCreateTopic(client, 'fuzzed');
  for (let i = 0; i < 20; i++) {
    const records = Array.from({ length: 10 }, (_, j) => ({ key: null, value: Buffer.alloc(200, i + j) }));
    assert.equal((await produceBatch(client, 'fuzzed', buildRecordBatch({ records }))).errorCode, 0);
  }
  topicId = broker.services.topics.get('fuzzed')!.topicId;
});
after(async () => {
  client?.close();
  await broker?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const int32 = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.constantFrom(-(2 ** 31), -1, 0, 1, 100, 2 ** 31 - 1),
);
const int64 = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.constantFrom(-(2n ** 63n), -1n, 0n, 5n, 150n, 199n, 200n, 201n, 2n ** 53n + 1n, 2n ** 63n - 1n),
);

const partition = fc.record({
  partition: fc.oneof(fc.constantFrom(0, 1, -1), int32),
  fetchOffset: int64,
  partitionMaxBytes: int32,
  logStartOffset: int64,
  currentLeaderEpoch: int32,
  lastFetchedEpoch: int32,
});

const request = fc.record({
  version: fc.integer({ min: 4, max: 17 }),
  maxWaitMs: fc.oneof(fc.integer({ min: -(2 ** 31), max: 0 }), fc.integer({ min: 1, max: 20 })),
  minBytes: int32,
  maxBytes: int32,
  isolationLevel: fc.integer({ min: -128, max: 127 }),
  sessionId: fc.oneof(fc.constant(0), int32),
  sessionEpoch: int32,
  topics: fc.array(
    fc.record({
      known: fc.boolean(),
      partitions: fc.array(partition, { maxLength: 3 }),
    }),
    { maxLength: 3 },
  ),
});

it('every fuzzed Fetch is answered with Kafka error codes, never a handler failure', async () => {
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      failures.length = 0;
      const req = defaultFetchRequest();
      Object.assign(req, {
        maxWaitMs: r.maxWaitMs,
        minBytes: r.minBytes,
        maxBytes: r.maxBytes,
        isolationLevel: r.isolationLevel,
        sessionId: r.sessionId,
        sessionEpoch: r.sessionEpoch,
      });
      req.topics = r.topics.map((t) => ({
        topic: t.known ? 'fuzzed' : 'nope',
        topicId: t.known ? topicId : 'f'.repeat(32),
        partitions: t.partitions.map((p) => ({ ...p, replicaDirectoryId: '0'.repeat(32) })),
      }));
      const reader = await client.request(1, r.version, (w) => writeFetchRequest(w, r.version, req));
      const res = readFetchResponse(reader, r.version);
      assert.notEqual(res.errorCode, -1, 'no UNKNOWN_SERVER_ERROR');
      for (const t of res.responses) for (const p of t.partitions) assert.notEqual(p.errorCode, -1);
      const asked = r.topics.reduce((n, t) => n + t.partitions.length, 0);
      if (res.errorCode === 0) {
        assert.equal(
          res.responses.reduce((n, t) => n + t.partitions.length, 0),
          asked,
          'every partition asked for is answered',
        );
      }
      assert.deepEqual(failures, []);
    }),
    { numRuns: 400 },
  );
});
