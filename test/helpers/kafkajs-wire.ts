/**
 * Test helper: one request encoded and its response decoded by KafkaJS's own protocol layer
 * (`kafkajs/src/protocol/requests/<api>`), sent over a plain socket. For tests that must see what
 * KafkaJS's decoders see (null vs "" strings, error codes) where its admin API hides the response.
 */
import { createRequire } from 'node:module';
import { connect } from 'node:net';

/** A decoded KafkaJS response: untyped JavaScript objects. */
// biome-ignore lint/suspicious/noExplicitAny: KafkaJS decoders are untyped JavaScript.
export type KafkaJsResponse = Record<string, any>;

const require = createRequire(import.meta.url);
const frame = require('kafkajs/src/protocol/request') as (args: {
  correlationId: number;
  clientId: string;
  request: unknown;
}) => Promise<{ buffer: Buffer }>;

interface KafkaJsProtocol {
  request: unknown;
  response: { decode(raw: Buffer): Promise<unknown>; parse(decoded: unknown): Promise<unknown> };
}

/**
 * Sends `requests/<api>` version `version` built from `args`; resolves with KafkaJS's decoded
 * response (before `parse`, which throws on error codes).
 */
export async function kafkajsRequest(
  port: number,
  api: string,
  version: number,
  args: unknown,
): Promise<KafkaJsResponse> {
  const { protocol } = require(`kafkajs/src/protocol/requests/${api}`) as {
    protocol: (o: { version: number }) => (a: unknown) => KafkaJsProtocol;
  };
  const { request, response } = protocol({ version })(args);
  const encoded = await frame({ correlationId: 1, clientId: 'kafkajs-wire', request });
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(encoded.buffer));
    let buf = Buffer.alloc(0);
    socket.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        socket.destroy();
        resolve(buf.subarray(8, 4 + buf.readInt32BE(0)));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('connection closed before the response')));
  });
  return (await response.decode(raw)) as KafkaJsResponse;
}
