/**
 * A running schema registry instance: reads `_schemas` to its end, listens for HTTP, joins the
 * `schema-registry` group to elect a primary, and serves Confluent's API. The primary, once
 * elected, first catches up with the topic (so its ids and versions continue where the last
 * primary stopped) and then takes writes; followers forward theirs. Stopping leaves the group (so
 * another instance takes over at once), closes HTTP and the Kafka clients.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { createAdmin } from '../../client/clients.ts';
import type { KafkaConnectionOptions } from '../../client/connection-options.ts';
import { LeaderElection, type LeaderInfo } from '../cluster/leader-election.ts';
import type { CompatibilityLevel } from '../compatibility.ts';
import { SchemaRegistry } from '../registry.ts';
import { KafkaStore } from '../store/kafka-store.ts';
import { SCHEMAS_TOPIC } from '../store/records.ts';
import { installConventions } from './http.ts';
import { installRegistryMetrics } from './metrics.ts';
import { type RegistryNode, registerRoutes } from './routes.ts';

export interface RegistryServerOptions {
  connection: KafkaConnectionOptions;
  /** Address to listen on (default 127.0.0.1) and port (default 8081; 0: any free port). */
  host?: string;
  port?: number;
  /** Host other instances reach this one at (default: the listen host). */
  advertisedHost?: string;
  topic?: string;
  groupId?: string;
  /** Whether this instance may become the primary (default true). */
  leaderEligible?: boolean;
  defaultCompatibility?: CompatibilityLevel;
  logger?: Logger;
  /** Group session timeout; a crashed primary is replaced after it. */
  sessionTimeoutMs?: number;
}

export class RegistryServer implements RegistryNode {
  readonly registry: SchemaRegistry;
  readonly store: KafkaStore;
  readonly app: FastifyInstance;
  kafkaClusterId: string | null = null;
  private readonly options: RegistryServerOptions;
  private readonly logger: Logger;
  private election: LeaderElection | null = null;
  private leader: LeaderInfo | null = null;
  private ready = false;
  private leaderReady: Promise<void> = Promise.resolve();
  private boundPort = 0;
  private stopping: Promise<void> | null = null;
  private leaderWaiters: (() => void)[] = [];

  private constructor(options: RegistryServerOptions, logger: Logger) {
    this.options = options;
    this.logger = logger;
    this.store = new KafkaStore({
      connection: options.connection,
      topic: options.topic ?? SCHEMAS_TOPIC,
      clientId: 'samsa-schema-registry',
      logger,
    });
    this.registry = new SchemaRegistry(this.store, {
      ...(options.defaultCompatibility ? { defaultCompatibility: options.defaultCompatibility } : {}),
      isLeader: () => this.isLeader(),
    });
    this.app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024, forceCloseConnections: true });
    installConventions(this.app);
    installRegistryMetrics(this.app, this.registry, () => this.isLeader());
    registerRoutes(this.app, this);
  }

  static async start(options: RegistryServerOptions): Promise<RegistryServer> {
    const logger = options.logger ?? pino({ level: 'info', base: { service: 'samsa-registry' } });
    const server = new RegistryServer(options, logger);
    try {
      await server.run();
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  private async run(): Promise<void> {
    const { connection } = this.options;
    const admin = createAdmin(connection, { clientId: 'samsa-schema-registry' });
    try {
      this.kafkaClusterId = (await admin.metadata({ topics: [] })).id ?? null;
    } finally {
      await admin.close();
    }
    await this.store.start();
    const host = this.options.host ?? '127.0.0.1';
    await this.app.listen({ host, port: this.options.port ?? 8081 });
    const address = this.app.server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : (this.options.port ?? 8081);
    this.election = new LeaderElection({
      connection,
      groupId: this.options.groupId ?? 'schema-registry',
      identity: {
        host: this.options.advertisedHost ?? host,
        port: this.boundPort,
        scheme: 'http',
        leaderEligible: this.options.leaderEligible ?? true,
      },
      clientId: 'samsa-schema-registry',
      logger: this.logger,
      ...(this.options.sessionTimeoutMs ? { sessionTimeoutMs: this.options.sessionTimeoutMs } : {}),
      onLeaderChange: (leader) => this.onLeaderChange(leader),
    });
    await this.election.start();
    await this.leaderReady;
    this.logger.info({ url: this.url, leader: this.leader?.url ?? null }, 'schema registry started');
  }

  private onLeaderChange(leader: LeaderInfo | null): Promise<void> {
    this.leader = leader;
    this.ready = false;
    this.notifyLeader();
    if (!leader?.self) return Promise.resolve();
    // A new primary reads everything written before it took over, then writes.
    this.leaderReady = this.store.catchUp().then(
      () => {
        if (this.leader !== leader) return;
        this.ready = true;
        this.notifyLeader();
      },
      (err) => {
        if (!this.stopping)
          this.logger.error({ err }, 'the new primary could not catch up with the schemas topic');
      },
    );
    return this.leaderReady;
  }

  private notifyLeader(): void {
    const waiting = this.leaderWaiters;
    this.leaderWaiters = [];
    for (const wake of waiting) wake();
  }

  /** Resolves when `done()` holds (checked after every leadership change) or after `timeoutMs`. */
  private waitForLeadership(done: () => boolean, timeoutMs: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.leaderWaiters = this.leaderWaiters.filter((w) => w !== check);
        resolve();
      }, timeoutMs);
      const check = (): void => {
        if (done() || this.stopping) {
          clearTimeout(timer);
          resolve();
        } else this.leaderWaiters.push(check);
      };
      this.leaderWaiters.push(check);
    });
  }

  leaderKnown(timeoutMs: number): Promise<void> {
    return this.waitForLeadership(() => this.isLeader() || this.leaderUrl() !== null, timeoutMs);
  }

  leaderChanged(from: string | null, timeoutMs: number): Promise<void> {
    return this.waitForLeadership(
      () => this.isLeader() || (this.leaderUrl() !== null && this.leaderUrl() !== from),
      timeoutMs,
    );
  }

  isLeader(): boolean {
    return this.ready && this.leader?.self === true;
  }

  leaderUrl(): string | null {
    return this.leader && !this.leader.self ? this.leader.url : null;
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.boundPort}`;
  }

  /** Leaves the group, stops serving, closes the Kafka clients (once; later calls wait for it). */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.notifyLeader();
      await this.election?.stop().catch(() => undefined);
      await this.app.close().catch(() => undefined);
      await this.store.close();
    })();
    return this.stopping;
  }
}

export function startRegistry(options: RegistryServerOptions): Promise<RegistryServer> {
  return RegistryServer.start(options);
}
