/**
 * Global stores (`globalTable`, `addGlobalStore`): every instance holds all partitions of the
 * global topic. Each record read from the topic goes through the store's processor (which writes
 * the store). The runtime fills them from the start of the topic before processing begins and
 * keeps them up to date while running; the topic itself is their changelog. They are kept in
 * memory and rebuilt at every start.
 */
import type { Logger } from '../errors.ts';
import { StreamsException } from '../errors.ts';
import type { Processor, ProcessorContext, StateStore } from '../processor/api.ts';
import type { GlobalStoreDef, Topology } from '../processor/topology.ts';
import type { Serde } from '../serdes.ts';
import { resolveSerde } from '../state/store-base.ts';
import type { RawRecord } from './stream-task.ts';
import { taskId } from './stream-task.ts';

export interface GlobalEnv {
  applicationId: string;
  stateDir: string | null;
  defaultKeySerde: Serde<unknown>;
  defaultValueSerde: Serde<unknown>;
  logger: Logger;
}

interface Running {
  def: GlobalStoreDef;
  store: StateStore;
  processor: Processor<unknown, unknown, unknown, unknown>;
  keySerde: Serde<unknown>;
  valueSerde: Serde<unknown>;
}

export class GlobalStores {
  private readonly topology: Topology;
  private readonly env: GlobalEnv;
  private readonly byTopic = new Map<string, Running>();
  private readonly byStore = new Map<string, Running>();
  private streamTime = -1;

  constructor(topology: Topology, env: GlobalEnv) {
    this.topology = topology;
    this.env = env;
  }

  topics(): string[] {
    return [...this.byTopic.keys()];
  }

  init(): void {
    const { defaultKeySerde: dk, defaultValueSerde: dv } = this.env;
    for (const def of this.topology.globalStores.values()) {
      const store = def.store.build();
      store.init({
        applicationId: this.env.applicationId,
        taskId: taskId(-1, -1),
        partition: -1,
        stateDir: null,
        cacheMaxBytes: 0,
        defaultKeySerde: dk,
        defaultValueSerde: dv,
        streamTime: () => this.streamTime,
        logChange: () => {},
      });
      const processor = def.supplier();
      const running: Running = {
        def,
        store,
        processor,
        keySerde: resolveSerde(def.keySerde, dk, dk, dv),
        valueSerde: resolveSerde(def.valueSerde, dv, dk, dv),
      };
      const context: ProcessorContext<unknown, unknown> = {
        applicationId: this.env.applicationId,
        taskId: taskId(-1, -1),
        forward() {
          throw new StreamsException('a global store processor must not forward records');
        },
        getStateStore<S = StateStore>(name: string): S {
          if (name !== store.name)
            throw new StreamsException(
              `global processor ${def.processorName} can only use store ${store.name}`,
            );
          return store as unknown as S;
        },
        schedule() {
          throw new StreamsException('global store processors cannot schedule punctuation');
        },
        recordMetadata: () => null,
        currentStreamTimeMs: () => this.streamTime,
        currentSystemTimeMs: () => Date.now(),
        commit() {},
      };
      processor.init?.(context);
      this.byTopic.set(def.topic, running);
      this.byStore.set(store.name, running);
    }
  }

  handles(topic: string): boolean {
    return this.byTopic.has(topic);
  }

  store(name: string): StateStore | undefined {
    return this.byStore.get(name)?.store;
  }

  apply(raw: RawRecord): void {
    const r = this.byTopic.get(raw.topic);
    if (!r) return;
    let key: unknown;
    let value: unknown;
    try {
      key = r.keySerde.deserializer().deserialize(raw.topic, raw.key);
      value = r.valueSerde.deserializer().deserialize(raw.topic, raw.value);
    } catch (err) {
      this.env.logger.warn(
        {
          topic: raw.topic,
          partition: raw.partition,
          offset: String(raw.offset),
          err: (err as Error).message,
        },
        'skipping global store record that could not be deserialized',
      );
      return;
    }
    if (raw.timestamp > this.streamTime) this.streamTime = raw.timestamp;
    r.processor.process({ key, value, timestamp: raw.timestamp, headers: raw.headers });
  }

  flush(): void {
    for (const r of this.byStore.values()) r.store.flush();
  }

  close(): void {
    for (const r of this.byStore.values()) {
      r.processor.close?.();
      r.store.close();
    }
    this.byStore.clear();
    this.byTopic.clear();
  }
}
