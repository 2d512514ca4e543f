/**
 * The schema registry inside `samsa start`: on 127.0.0.1:8081 (`--registry-port`), talking to the
 * broker's first PLAINTEXT listener, switched off with `--no-registry`. It starts after the broker
 * accepts connections; if it cannot (port taken, no plaintext listener) the broker keeps running
 * and the reason is printed. It also hands the broker the schema-id check for topics with
 * `confluent.*.schema.validation`.
 */
import type { Logger } from 'pino';
import type { SchemaIdLookup } from '../registry/schema-id-validator.ts';
import type { OptionSpec } from './args.ts';

export const REGISTRY_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'registry',
    type: 'boolean',
    description: 'run the schema registry on 127.0.0.1:8081 (default; --no-registry: off)',
  },
  {
    name: 'registry-port',
    type: 'string',
    placeholder: 'PORT',
    description: 'schema registry port (default 8081)',
  },
];

export interface EmbeddedRegistry {
  readonly url: string;
  readonly validator: SchemaIdLookup;
  stop(): Promise<void>;
}

/** Starts the registry unless `--no-registry`; null (with the reason printed) when it does not run. */
export async function startEmbeddedRegistry(
  flags: Record<string, unknown>,
  listeners: readonly { protocol: string; host: string; port: number }[],
  logger: Logger,
): Promise<EmbeddedRegistry | null> {
  if (flags.registry === false) return null;
  const portText = typeof flags['registry-port'] === 'string' ? flags['registry-port'] : '8081';
  const port = Number(portText);
  const plain = listeners.find((l) => l.protocol === 'PLAINTEXT');
  const fail = (reason: string) => {
    console.error(`samsa start: schema registry not started: ${reason} (--registry-port N or --no-registry)`);
    return null;
  };
  if (!/^\d+$/.test(portText) || port > 65535)
    return fail(`--registry-port must be a port number, got "${portText}"`);
  if (!plain) return fail('it needs a PLAINTEXT listener; run `samsa registry` with credentials instead');
  try {
    const [{ startRegistry }, { schemaIdValidator }] = await Promise.all([
      import('../registry/server/registry-server.ts'),
      import('../registry/schema-id-validator.ts'),
    ]);
    const host = plain.host === '0.0.0.0' ? '127.0.0.1' : plain.host;
    const server = await startRegistry({
      connection: { bootstrapBrokers: [`${host}:${plain.port}`] },
      host: '127.0.0.1',
      port,
      logger: logger.child({ service: 'samsa-registry' }),
    });
    console.log(`Schema registry listening on ${server.url}`);
    return { url: server.url, validator: schemaIdValidator(server.store.state), stop: () => server.stop() };
  } catch (err) {
    return fail((err as Error).message);
  }
}
