/**
 * What handlers may call: the broker's configuration, logger, handler registry, the topic/partition
 * logs and the coordinators. Built once by the server and shared by every connection.
 */
import type { Logger } from 'pino';
import type { ConsumerGroupCoordinator } from '../coordinator/consumer-group/consumer-groups.ts';
import type { GroupCoordinator } from '../coordinator/index.ts';
import type { TransactionCoordinator } from '../coordinator/transactions/index.ts';
import type { LogManager } from '../log/index.ts';
import type { LogThrottle } from '../log/log-throttle.ts';
import type { Authorizer } from './auth/authorizer.ts';
import type { CredentialStore } from './auth/credential-store.ts';
import type { SaslMechanism } from './auth/sasl-session.ts';
import type { BrokerConfig } from './config.ts';
import type { HandlerRegistry } from './handler-registry.ts';
import type { BrokerLoggers } from './loggers.ts';
import type { BrokerMetrics } from './metrics.ts';
import type { QuotaManager } from './quotas/quota-manager.ts';
import type { ResponseMemory } from './response-memory.ts';
import type { SchemaIdValidator } from './schema-validation.ts';
import type { TopicService } from './topics.ts';

export interface AdvertisedAddress {
  nodeId: number;
  host: string;
  port: number;
}

export interface BrokerServices {
  readonly config: BrokerConfig;
  readonly logger: Logger;
  /** The named module loggers and their runtime levels (BROKER_LOGGER resources). */
  readonly loggers: BrokerLoggers;
  readonly handlers: HandlerRegistry;
  readonly logs: LogManager;
  readonly topics: TopicService;
  readonly groups: GroupCoordinator;
  /** Groups of the consumer group protocol (KIP-848, ConsumerGroupHeartbeat). */
  readonly consumerGroups: ConsumerGroupCoordinator;
  readonly transactions: TransactionCoordinator;
  readonly clusterId: string;
  /** Where clients reach this broker on its first listener (filled in once bound). */
  readonly advertised: AdvertisedAddress;
  /** SCRAM users (salted and hashed). */
  readonly credentials: CredentialStore;
  /** Mechanisms offered on SASL listeners. */
  readonly saslMechanisms: readonly SaslMechanism[];
  /** ACLs and tenant confinement (allows everything unless --authorizer acl or --tenant). */
  readonly authorizer: Authorizer;
  /** Client quotas: their store (DescribeClientQuotas/AlterClientQuotas) and enforcement. */
  readonly quotas: QuotaManager;
  /** Rate limit for warnings that can repeat per request or per connection (log-throttle.ts). */
  readonly logThrottle: LogThrottle;
  /** Memory held for unsent responses, broker-wide and per connection (response-memory.ts). */
  readonly responseMemory: ResponseMemory;
  /** Schema ids by subject, for topics with confluent.*.schema.validation (set by `samsa start`). */
  schemaIds?: SchemaIdValidator;
  /** Prometheus counters, when metrics are on (metrics.ts); handlers skip counting otherwise. */
  metrics?: BrokerMetrics;
}

/** This broker's address as seen from the listener a request arrived on (Kafka answers per listener). */
export function selfAddress(
  services: BrokerServices,
  listener: { host: string; port: number },
): AdvertisedAddress {
  return { nodeId: services.advertised.nodeId, host: listener.host, port: listener.port };
}
