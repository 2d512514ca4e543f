/**
 * The worker thread behind `sync-call.ts`: does the registry's part of preparing a serializer
 * (resolve a topic's writer schema, registering it when asked to) or a deserializer (fetch an id's
 * schema) with the ordinary async clients, posts the answer on its port and wakes the waiting
 * thread through the shared flag. It builds no encoders itself: the caller does, from the answer.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { RegistryClient, type RegistryClientOptions } from '../client.ts';
import { SchemaDeserializer, SchemaSerializer, type SerializerOptions } from './serde.ts';

export type SyncRequest =
  | {
      op: 'resolve';
      client: RegistryClientOptions;
      options: Omit<SerializerOptions, 'registry'>;
      topic: string;
    }
  | { op: 'fetch'; client: RegistryClientOptions; id: number };

const { port, flag } = workerData as { port: MessagePort; flag: Int32Array };
const clients = new Map<string, RegistryClient>();

function clientFor(options: RegistryClientOptions): RegistryClient {
  const key = JSON.stringify(options);
  let client = clients.get(key);
  if (!client) {
    client = new RegistryClient(options);
    clients.set(key, client);
  }
  return client;
}

async function handle(req: SyncRequest): Promise<unknown> {
  const registry = clientFor(req.client);
  if (req.op === 'fetch') return new SchemaDeserializer({ registry }).fetch(req.id);
  return new SchemaSerializer({ ...req.options, registry }).resolve(req.topic);
}

parentPort?.on('message', (req: SyncRequest) => {
  handle(req)
    .then(
      (ok) => port.postMessage({ ok }),
      (err: unknown) => port.postMessage({ error: err instanceof Error ? err.message : String(err) }),
    )
    .finally(() => {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    });
});
