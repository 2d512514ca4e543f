/**
 * Decoder-level fuzzing (fast-check, fixed seeds): for every request the broker serves, at every
 * version it serves, the generated decoder given random bytes, or a valid encoding that was
 * byte-flipped, truncated, extended or had a length field overwritten, either returns a value or
 * throws a DecodeError — never another exception (which would be a bug in a codec) and never a
 * hang. The request header decoder gets the same treatment. This covers every API and version
 * deterministically in a second or two; the socket fuzz (test/broker/fuzz.test.ts) checks that the
 * broker turns such frames into closed connections and stays up.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { loadAllHandlers } from '../../src/broker/handlers/index.ts';
import { API_KEY_BY_ID } from '../../src/protocol/generated/api-keys.ts';
import { readRequestHeader } from '../../src/protocol/generated/messages/request-header.ts';
import { DecodeError } from '../../src/protocol/primitives/decode-error.ts';
import { Reader } from '../../src/protocol/primitives/reader.ts';
import { Writer } from '../../src/protocol/primitives/writer.ts';
import { SampleGen } from './sample-gen.ts';

type ReadFn = (r: Reader, v: number) => unknown;
type WriteFn = (w: Writer, v: number, m: unknown) => void;
type SampleFn = (g: SampleGen, v: number) => unknown;

interface RequestCodec {
  name: string;
  min: number;
  max: number;
  read: ReadFn;
  write: WriteFn;
  sample: SampleFn;
}

async function servedRequests(): Promise<RequestCodec[]> {
  const out: RequestCodec[] = [];
  for (const h of await loadAllHandlers()) {
    const info = API_KEY_BY_ID.get(h.apiKey)!;
    const name = `${info.name}Request`;
    const codec = (await import(`../../src/protocol/generated/messages/${info.module}-request.ts`)) as Record<
      string,
      unknown
    >;
    const samples = (await import(`./samples/messages/${info.module}-request.ts`)) as Record<string, unknown>;
    out.push({
      name,
      min: h.minVersion,
      max: h.maxVersion,
      read: codec[`read${name}`] as ReadFn,
      write: codec[`write${name}`] as WriteFn,
      sample: samples[`sample${name}`] as SampleFn,
    });
  }
  return out;
}

/** Decodes `bytes`; fails the property on anything but a value or a DecodeError. */
function decodesOrRejects(read: ReadFn, bytes: Uint8Array, v: number): boolean {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    read(new Reader(buf), v);
  } catch (err) {
    if (!(err instanceof DecodeError)) {
      throw new Error(
        `v${v} threw ${(err as Error).name}: ${(err as Error).message} on ${buf.toString('hex')}`,
      );
    }
  }
  return true;
}

/** What a damaged frame body can look like: the mutation kinds the socket fuzz sends, as data. */
const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({
    kind: fc.constant('length' as const),
    at: fc.nat(),
    value: fc.oneof(
      fc.constant(0x7fffffff),
      fc.constant(-1),
      fc.integer({ min: -1000, max: -2 }),
      fc.integer({ min: 0, max: 0xffff }),
    ),
  }),
);

function mutate(valid: Buffer, m: typeof mutation extends fc.Arbitrary<infer T> ? T : never): Buffer {
  const out = Buffer.from(valid);
  switch (m.kind) {
    case 'flip':
      if (out.length === 0) return out;
      for (const at of m.at) out[at % out.length] = m.byte;
      return out;
    case 'truncate':
      return out.subarray(0, out.length === 0 ? 0 : m.at % out.length);
    case 'append':
      return Buffer.concat([out, m.extra]);
    case 'length':
      if (out.length < 4) return out;
      out.writeInt32BE(m.value, m.at % (out.length - 3));
      return out;
  }
}

const RUNS = 40;

describe('request decoders on random and damaged bytes', async () => {
  const requests = await servedRequests();

  it('covers every API the broker serves', () => {
    assert.ok(requests.length >= 40, `${requests.length} request types`);
  });

  it('request header: a value or a DecodeError', () => {
    for (let v = 0; v <= 2; v++) {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 128 }), (bytes) =>
          decodesOrRejects(readRequestHeader, bytes, v),
        ),
        { seed: 20261207 + v, numRuns: 200 },
      );
    }
  });

  for (const [index, req] of requests.entries()) {
    it(`${req.name} v${req.min}-${req.max}: a value or a DecodeError`, () => {
      for (let v = req.min; v <= req.max; v++) {
        const seed = 20261207 + index * 100 + v;
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => decodesOrRejects(req.read, bytes, v)),
          { seed, numRuns: RUNS },
        );
        fc.assert(
          fc.property(fc.integer({ min: 1, max: 0x7fffffff }), mutation, (sampleSeed, m) => {
            const w = new Writer(256);
            req.write(w, v, req.sample(new SampleGen(sampleSeed), v));
            return decodesOrRejects(req.read, mutate(w.toBuffer(), m), v);
          }),
          { seed, numRuns: RUNS },
        );
      }
    });
  }
});
