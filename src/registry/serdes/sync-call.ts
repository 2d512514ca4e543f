/**
 * Blocking calls to the schema registry, for callers that must answer synchronously (the streams
 * library's `Serializer.serialize`/`Deserializer.deserialize`): the request runs on one shared,
 * unref'd worker thread (`sync-worker.ts`) while the calling thread waits on a shared flag with
 * `Atomics.wait`. Used only on a cache miss (a topic's first record, an id not seen before), so the
 * cost of blocking is paid once per topic or schema id, as with Confluent's Java serdes.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { SerializationError } from './serde.ts';
import type { SyncRequest } from './sync-worker.ts';

const WORKER_URL = new URL(`./sync-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

let thread: { worker: Worker; port: MessagePort; flag: Int32Array } | null = null;

function start(): NonNullable<typeof thread> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_URL, { workerData: { port: port2, flag }, transferList: [port2] });
  worker.unref();
  worker.on('error', () => {
    thread = null;
  });
  return { worker, port: port1, flag };
}

/** Runs one registry request on the worker thread and waits for its answer (at most `timeoutMs`). */
export function callSync<T>(req: SyncRequest, timeoutMs: number): T {
  thread ??= start();
  const { worker, port, flag } = thread;
  Atomics.store(flag, 0, 0);
  worker.postMessage(req);
  if (Atomics.wait(flag, 0, 0, timeoutMs) === 'timed-out') {
    thread = null;
    void worker.terminate();
    throw new SerializationError(`The schema registry did not answer within ${timeoutMs} ms`);
  }
  const reply = receiveMessageOnPort(port)?.message as { ok?: T; error?: string } | undefined;
  if (!reply) throw new SerializationError('The schema registry worker gave no answer');
  if (reply.error !== undefined) throw new SerializationError(reply.error);
  return reply.ok as T;
}
