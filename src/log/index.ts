/** Storage layer public API: partition logs, the topic store, and their configuration. */
export {
  DEFAULT_LOG_CONFIG,
  type FlushPolicy,
  type LogConfig,
  logConfigFor,
  validateLogConfigs,
} from './config.ts';
export {
  isTopicError,
  LogManager,
  type LogManagerOptions,
  MAX_PARTITIONS,
  type TopicError,
} from './log-manager.ts';
export { type LogLogger, noopLogger } from './logger.ts';
export {
  type AppendListener,
  type AppendOptions,
  type AppendResult,
  type DeleteRecordsResult,
  PartitionLog,
  type PartitionLogOptions,
  type ReadOptions,
  type ReadResult,
} from './partition-log.ts';
export type { Segment } from './segment.ts';
export type { TimestampOffset } from './time-index.ts';
export type { TopicMetadata } from './topic-metadata.ts';
export { MAX_TOPIC_NAME_LENGTH, validateTopicName } from './topic-name.ts';
