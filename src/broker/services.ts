/**
 * What handlers may call: the broker's configuration, logger, handler registry, the topic/partition
 * logs and the coordinators. Built once by the server and shared by every connection.
 */
import type { Logger } from 'pino';
import type { GroupCoordinator } from '../coordinator/index.ts';
import type { TransactionCoordinator } from '../coordinator/transactions/index.ts';
import type { LogManager } from '../log/index.ts';
import type { BrokerConfig } from './config.ts';
import type { HandlerRegistry } from './dispatch.ts';
import type { TopicService } from './topics.ts';

export interface AdvertisedAddress {
  nodeId: number;
  host: string;
  port: number;
}

export interface BrokerServices {
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly handlers: HandlerRegistry;
  readonly logs: LogManager;
  readonly topics: TopicService;
  readonly groups: GroupCoordinator;
  readonly transactions: TransactionCoordinator;
  readonly clusterId: string;
  /** Where clients reach this broker (filled in once the listener is bound). */
  readonly advertised: AdvertisedAddress;
}
