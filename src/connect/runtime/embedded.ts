/**
 * The Connect worker `samsa start` runs beside its broker: distributed mode (so a second
 * `samsa connect` can join it), REST on 127.0.0.1:8083 (`SAMSA_CONNECT_PORT` changes it; a free port when the broker
 * itself was given port 0, as tests do), internal
 * topics with replication factor 1, offsets flushed every 10 s. Started in the background: a
 * failure (port taken, broker requiring SASL) is logged and the broker keeps running.
 */
import type { Logger } from 'pino';
import { type RunningWorker, startWorker } from './worker.ts';

export const EMBEDDED_CONNECT_PORT = 8083;

export interface EmbeddedConnect {
  /** The REST API's URL once the worker runs; undefined when it failed to start. */
  url(): Promise<string | undefined>;
  stop(): Promise<void>;
}

export function startEmbeddedConnect(
  bootstrap: string,
  logger: Logger,
  brokerPortWasZero = false,
  print: (line: string) => void = () => {},
  env: NodeJS.ProcessEnv = process.env,
): EmbeddedConnect {
  const port = Number(env.SAMSA_CONNECT_PORT ?? (brokerPortWasZero ? 0 : EMBEDDED_CONNECT_PORT));
  const starting: Promise<RunningWorker | null> = startWorker({
    connection: { bootstrapBrokers: [bootstrap] },
    properties: {
      'config.storage.replication.factor': '1',
      'offset.storage.replication.factor': '1',
      'status.storage.replication.factor': '1',
      'offset.storage.partitions': '5',
      'status.storage.partitions': '1',
      'offset.flush.interval.ms': '10000',
    },
    settings: { restHost: '127.0.0.1', restPort: port },
    logger: logger.child({ service: 'samsa-connect' }),
  }).then(
    (worker) => {
      print(`Connect REST API on ${worker.restUrl}`);
      return worker;
    },
    (err) => {
      logger.warn(
        { err },
        `Connect worker not started: ${(err as Error).message} (--no-connect turns it off)`,
      );
      return null;
    },
  );
  return {
    url: async () => (await starting)?.restUrl,
    async stop() {
      await (await starting)?.stop();
    },
  };
}
