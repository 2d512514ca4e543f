/** A broker plus registry instance(s) on free ports for the registry tests, and a small HTTP helper. */
import pino from 'pino';
import { type RegistryServer, startRegistry } from '../../src/registry/server/registry-server.ts';
import { type StartBrokerOptions, startBroker, type TestBroker } from '../../src/testing/index.ts';

export const V1 = 'application/vnd.schemaregistry.v1+json';

export interface Stack {
  broker: TestBroker;
  registry: RegistryServer;
  url: string;
  /** Another registry instance against the same cluster. */
  addInstance(options?: { leaderEligible?: boolean }): Promise<RegistryServer>;
  stop(): Promise<void>;
}

const quiet = () => pino({ level: process.env.SAMSA_TEST_LOG_LEVEL ?? 'silent' });

export function registryFor(
  broker: TestBroker,
  options: { leaderEligible?: boolean } = {},
): Promise<RegistryServer> {
  return startRegistry({
    connection: { bootstrapBrokers: [broker.bootstrap] },
    port: 0,
    logger: quiet(),
    sessionTimeoutMs: 6_000,
    ...options,
  });
}

export async function startStack(brokerOptions: StartBrokerOptions = {}): Promise<Stack> {
  const broker = await startBroker(brokerOptions);
  const registry = await registryFor(broker);
  const extra: RegistryServer[] = [];
  return {
    broker,
    registry,
    url: registry.url,
    async addInstance(options = {}) {
      const r = await registryFor(broker, options);
      extra.push(r);
      return r;
    },
    async stop() {
      await Promise.allSettled([...extra, registry].map((r) => r.stop()));
      await broker.stop();
    },
  };
}

export interface Answer {
  status: number;
  type: string | null;
  body: unknown;
  text: string;
}

/** One request with Confluent's content type; the body parsed when it is JSON. */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': V1 }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // raw schema text
  }
  return { status: res.status, type: res.headers.get('content-type'), body: parsed, text };
}

export const avroRecord = (name: string, fields: object[]) =>
  JSON.stringify({ type: 'record', name, fields });
