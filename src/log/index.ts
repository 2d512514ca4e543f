/** Storage layer public API: partition logs, the topic store, and their configuration. */
export {
  type BackgroundTaskOptions,
  DEFAULT_CLEANER_BACKOFF_MS,
  DEFAULT_RETENTION_CHECK_INTERVAL_MS,
  LogBackgroundTasks,
  type PartitionRef,
} from './background.ts';
export { type CleanerOptions, type CleanResult, cleanLog } from './cleaner.ts';
export {
  type CleanupPolicy,
  DEFAULT_LOG_CONFIG,
  type FlushPolicy,
  type LogConfig,
  logConfigFor,
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
export { applyRetention, type RetentionResult } from './retention.ts';
export type { Segment } from './segment.ts';
export type { TimestampOffset } from './time-index.ts';
export {
  type ConfigType,
  TOPIC_CONFIG_NAMES,
  type TopicConfigRule,
  topicConfigRule,
  validateTopicConfig,
  validateTopicConfigs,
} from './topic-config-rules.ts';
export type { TopicMetadata } from './topic-metadata.ts';
export { MAX_TOPIC_NAME_LENGTH, validateTopicName } from './topic-name.ts';
