/**
 * `samsa/testing`: a real broker inside any Node test suite, no Docker.
 *
 *   import { startBroker } from 'samsa/testing';
 *   const broker = await startBroker();          // port 0, fresh temp dir
 *   // ... point any Kafka client at broker.bootstrap ...
 *   await broker.stop();                         // stops and removes the temp dir
 *
 * Options override any broker setting (`{ numPartitions: 3, fsync: 'always' }`); pass `dataDir`
 * to keep data across stop/start, and `keepData: true` to leave it on disk after stop.
 * `metrics: true` serves Prometheus metrics on a free port (`broker.metricsUrl`); a number (or the
 * `metricsPort` setting) picks the port. Off by default.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { type BrokerConfig, DEFAULT_CONFIG } from '../broker/config.ts';
import { Broker } from '../broker/server.ts';

export interface StartBrokerOptions extends Partial<BrokerConfig> {
  /** Leave the data directory on disk after stop (always true when dataDir is given). */
  keepData?: boolean;
  /** Serve Prometheus metrics at `metricsUrl`: true = a free port, or the port to use. */
  metrics?: boolean | number;
}

export interface TestBroker {
  /** `host:port` for the client's bootstrap servers. */
  readonly bootstrap: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly broker: Broker;
  /** Every listener with its bound port (`{ protocol: 'SASL_SSL', host, port }`), in config order. */
  readonly listeners: readonly { protocol: string; host: string; port: number }[];
  /** `http://host:port/metrics` with the `metrics` option, else undefined. */
  readonly metricsUrl: string | undefined;
  stop(): Promise<void>;
}

export async function startBroker(options: StartBrokerOptions = {}): Promise<TestBroker> {
  const { keepData, metrics, ...overrides } = options;
  const ownDir = overrides.dataDir === undefined;
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'samsa-test-'));
  const config: BrokerConfig = {
    ...DEFAULT_CONFIG,
    port: 0,
    groupInitialRebalanceDelayMs: 0,
    logLevel: process.env.SAMSA_TEST_LOG_LEVEL ?? 'error',
    ...overrides,
    dataDir,
  };
  const logger = pino({ level: config.logLevel, base: { service: 'samsa-test' } });
  const metricsPort =
    metrics === true
      ? 0
      : typeof metrics === 'number'
        ? metrics
        : overrides.metricsPort
          ? overrides.metricsPort
          : undefined;
  const broker = await Broker.start(config, {
    logger,
    ...(metricsPort === undefined ? {} : { metrics: { port: metricsPort } }),
  });
  return {
    bootstrap: broker.bootstrap,
    host: config.host,
    port: broker.port,
    dataDir,
    broker,
    listeners: broker.listeners,
    metricsUrl: broker.metricsUrl,
    async stop() {
      await broker.stop();
      if (ownDir && !keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
