/**
 * CoordinatorContext: what every coordinator operation works on — config, clock and keyed timers,
 * the groups, the committed offsets, and the ordered append to the durable store. Appends complete
 * in the order they were issued, so effects applied on completion follow the log's order.
 */

import { ErrorCode } from '../protocol/errors.ts';
import type { Clock } from './clock.ts';
import type { GroupCoordinatorConfig } from './config.ts';
import type { ClassicGroup } from './group.ts';
import { OffsetStore } from './offsets.ts';
import { KeyedTimers } from './timers.ts';
import type { RecordStore, StoredRecord } from './types.ts';

export interface InflightPartition {
  topic: string;
  partition: number;
  count: number;
}

export interface CoordinatorContext {
  readonly config: GroupCoordinatorConfig;
  readonly clock: Clock;
  readonly timers: KeyedTimers;
  readonly groups: Map<string, ClassicGroup>;
  readonly offsets: OffsetStore;
  /** Offset commits written but not yet durable, per group (keyed by topic and partition). */
  readonly inflightCommits: Map<string, Map<string, InflightPartition>>;
  readonly newUuid: () => string;
  /** Appends records; resolves with NONE or the Kafka error code of the failure (never rejects). */
  append(records: StoredRecord[]): Promise<number>;
  reportError(error: unknown): void;
}

export interface ContextOptions {
  config: GroupCoordinatorConfig;
  clock: Clock;
  store: RecordStore;
  newUuid: () => string;
  onError: (error: unknown) => void;
}

/** A store failure's Kafka error code: its numeric `errorCode` if it has one, else a storage error. */
export function storeErrorCode(error: unknown): number {
  if (typeof error === 'object' && error !== null && 'errorCode' in error) {
    const code = (error as { errorCode: unknown }).errorCode;
    if (typeof code === 'number') return code;
  }
  return ErrorCode.KAFKA_STORAGE_ERROR;
}

export function createContext(options: ContextOptions): CoordinatorContext {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    config: options.config,
    clock: options.clock,
    timers: new KeyedTimers(options.clock),
    groups: new Map(),
    offsets: new OffsetStore(),
    inflightCommits: new Map(),
    newUuid: options.newUuid,
    reportError: options.onError,
    append(records) {
      const done = options.store.append(records).then(
        () => ErrorCode.NONE,
        (error: unknown) => {
          options.onError(error);
          return storeErrorCode(error);
        },
      );
      const ordered = Promise.all([tail, done]).then(([, code]) => code);
      tail = ordered;
      return ordered;
    },
  };
}
