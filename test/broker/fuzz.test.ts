/**
 * Bad input cannot hurt the broker: random frames, mutated valid requests for every API the broker
 * serves (valid requests come from the generated random samples), truncated frames, a 2 GiB length
 * prefix, unknown API keys and unsupported versions. Each either gets an answer or a closed
 * connection; afterwards the broker still serves a real produce/fetch round trip.
 * FUZZ_FRAMES (default 20,000; `npm run fuzz` sends 1,000,000) sets how many frames are sent;
 * resident memory must stay bounded. Every request decoder at every version is fuzzed on its own,
 * without sockets, in test/protocol/decoder-fuzz.test.ts.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadAllHandlers } from '../../src/broker/handlers/index.ts';
import { API_KEY_BY_ID } from '../../src/protocol/generated/api-keys.ts';
import type { Writer } from '../../src/protocol/primitives/writer.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { SampleGen } from '../protocol/sample-gen.ts';
import { requestFrame, roundTrip } from './kafka-wire.ts';

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 20_000);

/** Heap still reachable after a full collection: what the broker actually retains. */
function retainedHeap(): number {
  setFlagsFromString('--expose_gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}
let broker: TestBroker;

before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker?.stop();
});

type SampleFn = (g: SampleGen, v: number) => unknown;
type WriteFn = (w: Writer, v: number, m: unknown) => void;

interface ApiSampler {
  apiKey: number;
  min: number;
  max: number;
  sample: SampleFn;
  write: WriteFn;
}

async function loadSamplers(): Promise<ApiSampler[]> {
  const out: ApiSampler[] = [];
  for (const h of await loadAllHandlers()) {
    const info = API_KEY_BY_ID.get(h.apiKey)!;
    const name = `${info.name}Request`;
    const codec = (await import(`../../src/protocol/generated/messages/${info.module}-request.ts`)) as Record<
      string,
      unknown
    >;
    const samples = (await import(`../protocol/samples/messages/${info.module}-request.ts`)) as Record<
      string,
      unknown
    >;
    out.push({
      apiKey: h.apiKey,
      min: h.minVersion,
      max: h.maxVersion,
      sample: samples[`sample${name}`] as SampleFn,
      write: codec[`write${name}`] as WriteFn,
    });
  }
  return out;
}

function frame(apiKey: number, version: number, correlationId: number, body: (w: Writer) => void): Buffer {
  return requestFrame(apiKey, version, correlationId, 'fuzz', body);
}

function mutate(g: SampleGen, buf: Buffer): Buffer {
  const out = Buffer.from(buf);
  const kind = g.int(0, 4);
  if (kind === 0 && out.length > 8) {
    // flip bytes after the size prefix
    for (let i = 0; i < g.int(1, 8); i++) out[g.int(4, out.length - 1)] = g.int(0, 255);
    return out;
  }
  if (kind === 1 && out.length > 8) {
    // truncate the body but keep the declared size consistent with what is sent
    const cut = out.subarray(0, g.int(8, out.length - 1));
    cut.writeInt32BE(cut.length - 4, 0);
    return cut;
  }
  if (kind === 2) {
    // append garbage inside the frame
    const extra = Buffer.alloc(g.int(1, 64));
    for (let i = 0; i < extra.length; i++) extra[i] = g.int(0, 255);
    const grown = Buffer.concat([out, extra]);
    grown.writeInt32BE(grown.length - 4, 0);
    return grown;
  }
  if (kind === 3 && out.length > 12) {
    // corrupt a length field: overwrite 4 bytes with a huge or negative int
    const at = g.int(12, out.length - 4);
    out.writeInt32BE(g.chance(0.5) ? 0x7fffffff : -g.int(2, 1000), at);
    return out;
  }
  return out;
}

function randomFrame(g: SampleGen): Buffer {
  const body = Buffer.alloc(g.int(0, 200));
  for (let i = 0; i < body.length; i++) body[i] = g.int(0, 255);
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

/**
 * Sends frames on one socket until the broker closes it or all are written; resolves with the count.
 * Hangs up itself `hangUpMs` after writing unless the broker closed first.
 */
function blast(frames: Buffer[], hangUpMs = 20): Promise<{ written: number; closedByBroker: boolean }> {
  return new Promise((resolve) => {
    const socket: Socket = connect(broker.port, '127.0.0.1');
    let written = 0;
    let hungUp = false;
    socket.on('error', () => {});
    socket.on('data', () => {});
    // The broker closing first (FIN, or RST when our frames were left unread) is a rejection.
    socket.on('close', () => resolve({ written, closedByBroker: !hungUp }));
    socket.on('connect', () => {
      for (const f of frames) {
        if (socket.destroyed) break;
        socket.write(f);
        written++;
      }
      // Give the broker a moment to answer or close, then hang up ourselves.
      setTimeout(() => {
        hungUp = true;
        socket.destroy();
      }, hangUpMs);
    });
  });
}

it(`survives ${FRAMES} random and mutated frames`, async () => {
  const samplers = await loadSamplers();
  const g = new SampleGen(20261122);
  let sent = 0;
  let closes = 0;
  let correlationId = 1;
  const makeBatch = (): Buffer[] => {
    const batch: Buffer[] = [];
    for (let i = 0; i < 25; i++) {
      const roll = g.next();
      if (roll < 0.2) batch.push(randomFrame(g));
      else if (roll < 0.22)
        batch.push(frame(g.int(100, 32000), 0, correlationId++, () => {})); // unknown API key
      else if (roll < 0.24) {
        const s = samplers[g.int(0, samplers.length - 1)]!;
        batch.push(frame(s.apiKey, s.max + g.int(1, 100), correlationId++, () => {})); // unsupported version
      } else {
        const s = samplers[g.int(0, samplers.length - 1)]!;
        const v = g.int(s.min, s.max);
        const valid = frame(s.apiKey, v, correlationId++, (w) => s.write(w, v, s.sample(g, v)));
        batch.push(g.chance(0.3) ? valid : mutate(g, valid));
      }
    }
    return batch;
  };
  const heapBefore = retainedHeap();
  while (sent < FRAMES) {
    // Eight connections at a time, 25 frames each.
    const results = await Promise.all(Array.from({ length: 8 }, () => blast(makeBatch())));
    for (const r of results) {
      sent += r.written;
      if (r.closedByBroker) closes++;
    }
  }
  // An unknown API key closes the connection: waited for (up to 10 s), so the count of rejections
  // below does not depend on the broker closing within the 20 ms the batches above allow.
  const unknownKey = await blast([frame(32000, 0, correlationId++, () => {})], 10_000);
  assert.ok(unknownKey.closedByBroker, 'an unknown API key closes the connection');
  closes++;
  // Oversized and negative length prefixes close the connection without buffering anything: wait
  // for the broker's close (up to 10 s) rather than 20 ms, which a loaded machine can miss.
  for (const size of [0x7fffffff, -1, 0x40000000]) {
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(size, 0);
    const r = await blast([prefix, Buffer.alloc(1024)], 10_000);
    assert.ok(r.closedByBroker, `length ${size} closes the connection`);
  }
  assert.ok(sent >= FRAMES, `sent ${sent}`);
  assert.ok(closes > 0, 'some frames were rejected by closing the connection');
  // Still serving: a produce/fetch round trip over a fresh connection.
  const value = await roundTrip(broker.port, 'after-fuzz', 'still alive');
  assert.equal(value, 'still alive');
  const rssMb = process.memoryUsage().rss / 1024 / 1024;
  const retainedMb = (retainedHeap() - heapBefore) / 1024 / 1024;
  console.log(
    `fuzz: ${sent} frames, ${closes} connections closed by the broker, rss ${rssMb.toFixed(0)} MB, heap retained +${retainedMb.toFixed(1)} MB`,
  );
  assert.ok(retainedMb < 64, `memory bounded: ${retainedMb.toFixed(1)} MB retained after ${sent} frames`);
});
