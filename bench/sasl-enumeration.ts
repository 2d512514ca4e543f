/**
 * Whether a failed SASL login tells a known user from an unknown one by its time: many failed
 * PLAIN logins (a wrong password for a known user, any password for an unknown one) and SCRAM
 * first rounds against an in-process broker, each on a fresh connection, alternating the two
 * kinds. Prints the median and p90 round-trip time of each. Timings are never asserted in tests.
 * Usage: node bench/sasl-enumeration.ts [attempts]   (default 400 of each)
 */
import { connect, type Socket } from 'node:net';
import { startBroker } from '../src/testing/index.ts';

const ATTEMPTS = Number(process.argv[2] ?? 400);

/** Sends frames (after the size) and resolves once as many responses have arrived. */
function exchange(socket: Socket, frames: Buffer[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    let left = frames.length;
    const onData = (c: Buffer): void => {
      buffered = Buffer.concat([buffered, c]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        buffered = buffered.subarray(4 + buffered.readInt32BE(0));
        if (--left === 0) {
          socket.off('data', onData);
          resolve();
          return;
        }
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    for (const f of frames) socket.write(f);
  });
}

/** A request frame with a v1 header (client id "b") whose body is one int16-length string or int32 bytes. */
function frame(apiKey: number, correlationId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(10 + 1);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(1, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(1, 8);
  header.write('b', 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + body.length);
  return Buffer.concat([size, header, body]);
}

function str(s: string): Buffer {
  const b = Buffer.alloc(2 + Buffer.byteLength(s));
  b.writeInt16BE(Buffer.byteLength(s));
  b.write(s, 2);
  return b;
}

function bytes(s: string): Buffer {
  const b = Buffer.alloc(4 + Buffer.byteLength(s));
  b.writeInt32BE(Buffer.byteLength(s));
  b.write(s, 4);
  return b;
}

async function attempt(port: number, mechanism: string, token: string): Promise<number> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  await exchange(socket, [frame(17, 1, str(mechanism))]);
  const t0 = process.hrtime.bigint();
  await exchange(socket, [frame(36, 2, bytes(token))]);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  socket.destroy();
  return ms;
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): string => s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(3);
  return `median ${at(0.5)} ms, p90 ${at(0.9)} ms`;
}

const broker = await startBroker({
  listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
  scramUsers: ['alice:alice-pw'],
});
const port = broker.listeners[0]!.port;
try {
  const cases: [string, string, (i: number) => string][] = [
    ['PLAIN, known user, wrong password', 'PLAIN', () => '\u0000alice\u0000wrong'],
    ['PLAIN, unknown user', 'PLAIN', (i) => `\u0000ghost${i % 20}\u0000wrong`],
    ['SCRAM-SHA-256 first round, known user', 'SCRAM-SHA-256', () => 'n,,n=alice,r=abcdefgh'],
    ['SCRAM-SHA-256 first round, unknown user', 'SCRAM-SHA-256', (i) => `n,,n=ghost${i % 20},r=abcdefgh`],
  ];
  const times = cases.map(() => [] as number[]);
  for (let i = 0; i < 20; i++) for (const [, m, t] of cases) await attempt(port, m, t(i)); // warm-up
  for (let i = 0; i < ATTEMPTS; i++)
    for (const [k, [, m, t]] of cases.entries()) times[k]!.push(await attempt(port, m, t(i)));
  for (const [k, [name]] of cases.entries()) console.log(`${name.padEnd(42)} ${stats(times[k]!)}`);
} finally {
  await broker.stop();
}
