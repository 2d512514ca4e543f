/**
 * The broker process: opens the data directory, builds the services and handler registry, listens
 * for Kafka clients, and shuts down gracefully (stop accepting, answer in-flight requests, flush
 * and close the logs).
 */
import { createServer, type Server, type Socket } from 'node:net';
import pino, { type Logger } from 'pino';
import { GroupCoordinator, realClock } from '../coordinator/index.ts';
import { LogManager } from '../log/index.ts';
import { loadOrCreateClusterId } from './cluster-id.ts';
import type { BrokerConfig } from './config.ts';
import { Connection } from './connection.ts';
import { HandlerRegistry } from './dispatch.ts';
import { ALL_HANDLERS } from './handlers/index.ts';
import {
  OFFSETS_TOPIC,
  OFFSETS_TOPIC_CONFIGS,
  OffsetsTopicStore,
  readStoredRecords,
} from './offsets-topic.ts';
import type { AdvertisedAddress, BrokerServices } from './services.ts';
import { TopicService } from './topics.ts';
import { openTransactions } from './transaction-topic.ts';

const SHUTDOWN_DRAIN_MS = 5000;

export interface BrokerOptions {
  logger?: Logger;
}

export class Broker {
  readonly config: BrokerConfig;
  readonly services: BrokerServices;
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private stopping: Promise<void> | null = null;

  private constructor(config: BrokerConfig, services: BrokerServices, server: Server) {
    this.config = config;
    this.services = services;
    this.server = server;
  }

  /** Opens storage and starts listening; resolves once connections are accepted. */
  static async start(config: BrokerConfig, opts: BrokerOptions = {}): Promise<Broker> {
    const logger = opts.logger ?? pino({ level: config.logLevel, base: { service: 'samsa' } });
    const clusterId = loadOrCreateClusterId(config.dataDir, config.nodeId);
    const logs = await LogManager.open(config.dataDir, {
      logger,
      defaults: {
        flushPolicy: config.fsync,
        flushMs: config.flushIntervalMs,
        segmentBytes: config.segmentBytes,
        retentionMs: config.retentionMs,
      },
    });
    logs.startBackgroundTasks({
      retentionCheckIntervalMs: config.logRetentionCheckIntervalMs,
      cleanerIntervalMs: config.logCleanerBackoffMs,
    });
    const handlers = new HandlerRegistry();
    for (const h of ALL_HANDLERS) handlers.register(h);
    const advertised: AdvertisedAddress = {
      nodeId: config.nodeId,
      host: config.advertisedHost ?? config.host,
      port: config.port,
    };
    const topics = new TopicService(logs, config);
    if (!topics.get(OFFSETS_TOPIC)) await topics.create(OFFSETS_TOPIC, 1, OFFSETS_TOPIC_CONFIGS);
    const offsetsLog = topics.partition(OFFSETS_TOPIC, 0)!;
    const groups = new GroupCoordinator({
      store: new OffsetsTopicStore(offsetsLog, config.fsync),
      clock: realClock,
      config: {
        groupInitialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
        groupMinSessionTimeoutMs: config.groupMinSessionTimeoutMs,
        offsetsRetentionMs: config.offsetsRetentionMs,
      },
      onError: (err) => logger.error({ err }, 'group coordinator error'),
    });
    const stored = readStoredRecords(offsetsLog);
    groups.load(stored);
    logger.info({ records: stored.length }, 'group coordinator loaded');
    const transactions = await openTransactions(config, topics, groups, logger);
    const services: BrokerServices = {
      config,
      logger,
      handlers,
      logs,
      topics,
      groups,
      transactions,
      clusterId,
      advertised,
    };
    const server = createServer({ noDelay: true });
    const broker = new Broker(config, services, server);
    server.on('connection', (socket: Socket) => broker.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch(async (err: unknown) => {
      await logs.close();
      throw err;
    });
    const bound = server.address();
    if (bound && typeof bound === 'object') advertised.port = bound.port;
    logger.info(
      { host: config.host, port: advertised.port, dataDir: config.dataDir, clusterId },
      'broker started',
    );
    return broker;
  }

  /** host:port clients connect to. */
  get bootstrap(): string {
    return `${this.services.advertised.host}:${this.services.advertised.port}`;
  }

  get port(): number {
    return this.services.advertised.port;
  }

  private accept(socket: Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const conn = new Connection(socket, this.services);
    this.connections.add(conn);
    socket.on('close', () => this.connections.delete(conn));
  }

  /** Drops every client connection from the broker side (tests use it to cut connections mid-stream). */
  dropConnections(): void {
    for (const c of this.connections) c.close();
  }

  /** Graceful stop: no new connections, in-flight requests answered, logs flushed and closed. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const drained = Promise.all([...this.connections].map((c) => c.drain()));
    await Promise.race([drained, new Promise((r) => setTimeout(r, SHUTDOWN_DRAIN_MS).unref())]);
    for (const c of this.connections) c.close();
    await closed;
    this.services.groups.shutdown();
    this.services.transactions.shutdown();
    await this.services.logs.close();
    this.services.logger.info('broker stopped');
  }
}
