/**
 * `Stores`: factories for store suppliers and builders, named as in Kafka Streams
 * (`Stores.persistentKeyValueStore("name")`, `Stores.keyValueStoreBuilder(supplier, keySerde,
 * valueSerde)`, ...). Persistent stores live in lmdb under the task's state directory; in-memory
 * stores are rebuilt from their changelog. Logging (the changelog) is on by default, caching off
 * for Processor API stores and on for DSL stores, as in Kafka.
 */

import type { StateStore, StoreBuilder } from '../processor/api.ts';
import type { Serde } from '../serdes.ts';
import { KeyValueStoreImpl } from './key-value-store.ts';
import { SessionStoreImpl } from './session-store.ts';
import { WindowStoreImpl } from './window-store.ts';

export interface KeyValueBytesStoreSupplier {
  readonly kind: 'kv';
  readonly name: string;
  readonly persistent: boolean;
}

export interface WindowBytesStoreSupplier {
  readonly kind: 'window';
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
}

export interface SessionBytesStoreSupplier {
  readonly kind: 'session';
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
}

/** Extra time a window store's changelog keeps records past the store's retention (Kafka's default). */
export const WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS = 24 * 60 * 60 * 1000;

class Builder<S extends StateStore> implements StoreBuilder<S> {
  readonly name: string;
  readonly loggingEnabled: boolean;
  readonly logConfig: { [key: string]: string };
  readonly cachingEnabled: boolean;
  private readonly make: (logging: boolean, caching: boolean) => S;

  constructor(
    name: string,
    make: (logging: boolean, caching: boolean) => S,
    logConfig: { [key: string]: string },
    logging = true,
    caching = false,
  ) {
    this.name = name;
    this.make = make;
    this.logConfig = logConfig;
    this.loggingEnabled = logging;
    this.cachingEnabled = caching;
  }

  build(): S {
    return this.make(this.loggingEnabled, this.cachingEnabled);
  }

  withLoggingDisabled(): StoreBuilder<S> {
    return new Builder(this.name, this.make, this.logConfig, false, this.cachingEnabled);
  }

  withLoggingEnabled(config: { [key: string]: string }): StoreBuilder<S> {
    return new Builder(this.name, this.make, { ...this.logConfig, ...config }, true, this.cachingEnabled);
  }

  withCachingEnabled(): StoreBuilder<S> {
    return new Builder(this.name, this.make, this.logConfig, this.loggingEnabled, true);
  }

  withCachingDisabled(): StoreBuilder<S> {
    return new Builder(this.name, this.make, this.logConfig, this.loggingEnabled, false);
  }
}

function windowLogConfig(retentionMs: number): { [key: string]: string } {
  return {
    'cleanup.policy': 'compact,delete',
    'retention.ms': String(retentionMs + WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS),
  };
}

export const Stores = {
  persistentKeyValueStore: (name: string): KeyValueBytesStoreSupplier => ({
    kind: 'kv',
    name,
    persistent: true,
  }),
  persistentTimestampedKeyValueStore: (name: string): KeyValueBytesStoreSupplier => ({
    kind: 'kv',
    name,
    persistent: true,
  }),
  inMemoryKeyValueStore: (name: string): KeyValueBytesStoreSupplier => ({
    kind: 'kv',
    name,
    persistent: false,
  }),
  persistentWindowStore: (
    name: string,
    retentionMs: number,
    windowSizeMs: number,
    retainDuplicates = false,
  ): WindowBytesStoreSupplier => ({
    kind: 'window',
    name,
    persistent: true,
    retentionMs,
    windowSizeMs,
    retainDuplicates,
  }),
  inMemoryWindowStore: (
    name: string,
    retentionMs: number,
    windowSizeMs: number,
    retainDuplicates = false,
  ): WindowBytesStoreSupplier => ({
    kind: 'window',
    name,
    persistent: false,
    retentionMs,
    windowSizeMs,
    retainDuplicates,
  }),
  persistentSessionStore: (name: string, retentionMs: number): SessionBytesStoreSupplier => ({
    kind: 'session',
    name,
    persistent: true,
    retentionMs,
  }),
  inMemorySessionStore: (name: string, retentionMs: number): SessionBytesStoreSupplier => ({
    kind: 'session',
    name,
    persistent: false,
    retentionMs,
  }),

  keyValueStoreBuilder<K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
  ): StoreBuilder<KeyValueStoreImpl<K, V>> {
    return new Builder(
      supplier.name,
      (logging, caching) =>
        new KeyValueStoreImpl<K, V>(
          supplier.name,
          { persistent: supplier.persistent, logging, caching },
          keySerde,
          valueSerde,
        ),
      { 'cleanup.policy': 'compact' },
    );
  },

  windowStoreBuilder<K, V>(
    supplier: WindowBytesStoreSupplier,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
  ): StoreBuilder<WindowStoreImpl<K, V>> {
    return new Builder(
      supplier.name,
      (logging, caching) =>
        new WindowStoreImpl<K, V>(
          supplier.name,
          {
            persistent: supplier.persistent,
            logging,
            caching,
            retentionMs: supplier.retentionMs,
            windowSizeMs: supplier.windowSizeMs,
            retainDuplicates: supplier.retainDuplicates,
          },
          keySerde,
          valueSerde,
        ),
      windowLogConfig(supplier.retentionMs),
    );
  },

  sessionStoreBuilder<K, V>(
    supplier: SessionBytesStoreSupplier,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
  ): StoreBuilder<SessionStoreImpl<K, V>> {
    return new Builder(
      supplier.name,
      (logging, caching) =>
        new SessionStoreImpl<K, V>(
          supplier.name,
          { persistent: supplier.persistent, logging, caching, retentionMs: supplier.retentionMs },
          keySerde,
          valueSerde,
        ),
      windowLogConfig(supplier.retentionMs),
    );
  },
};
