/**
 * `TestInputTopic` and `TestOutputTopic` of the test driver (Kafka's names): typed piping in,
 * typed reading out, with record timestamps that start at a chosen time and can auto-advance.
 */

import type { KeyValue } from '../dsl/options.ts';
import type { Headers } from '../processor/api.ts';
import type { Serde } from '../serdes.ts';
import type { TopologyTestDriver } from './topology-test-driver.ts';

export interface TestRecord<K, V> {
  key: K | null;
  value: V | null;
  timestamp: number;
  headers: Headers;
}

export class TestInputTopic<K, V> {
  private readonly driver: TopologyTestDriver;
  private readonly topic: string;
  private readonly keySerde: Serde<K>;
  private readonly valueSerde: Serde<V>;
  private currentTime: number;
  private readonly autoAdvance: number;

  constructor(
    driver: TopologyTestDriver,
    topic: string,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    start: number,
    autoAdvance: number,
  ) {
    this.driver = driver;
    this.topic = topic;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
    this.currentTime = start;
    this.autoAdvance = autoAdvance;
  }

  /** Moves the time of the next records without a timestamp. */
  advanceTime(ms: number): void {
    this.currentTime += ms;
  }

  /** pipeInput(value), pipeInput(key, value) or pipeInput(key, value, timestampMs). */
  pipeInput(
    ...args: [value: V | null] | [key: K | null, value: V | null, timestamp?: number, headers?: Headers]
  ): void {
    const hasKey = args.length >= 2;
    const key = hasKey ? (args[0] as K | null) : null;
    const v = hasKey ? ((args[1] as V | null) ?? null) : (args[0] as V | null);
    const timestamp = args[2];
    const headers = args[3] ?? [];
    const ts = timestamp ?? this.currentTime;
    if (timestamp === undefined) this.currentTime += this.autoAdvance;
    this.driver.pipeRaw(
      this.topic,
      key === null ? null : this.keySerde.serializer().serialize(this.topic, key),
      v === null ? null : this.valueSerde.serializer().serialize(this.topic, v),
      ts,
      headers,
    );
  }

  /** Pipes bytes as they are (to test what a serde does with bad input). */
  pipeRawInput(key: Buffer | null, value: Buffer | null, timestamp?: number): void {
    this.driver.pipeRaw(this.topic, key, value, timestamp ?? this.currentTime, []);
  }

  pipeKeyValueList(list: KeyValue<K, V>[]): void {
    for (const kv of list) this.pipeInput(kv.key, kv.value);
  }

  pipeValueList(values: V[]): void {
    for (const v of values) this.pipeInput(v);
  }

  pipeRecordList(records: { key: K | null; value: V | null; timestamp?: number }[]): void {
    for (const r of records) this.pipeInput(r.key, r.value, r.timestamp);
  }
}

export class TestOutputTopic<K, V> {
  private readonly driver: TopologyTestDriver;
  private readonly topic: string;
  private readonly keySerde: Serde<K>;
  private readonly valueSerde: Serde<V>;

  constructor(driver: TopologyTestDriver, topic: string, keySerde: Serde<K>, valueSerde: Serde<V>) {
    this.driver = driver;
    this.topic = topic;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
  }

  readRecord(): TestRecord<K, V> {
    const [r] = this.driver.takeOutput(this.topic, 1);
    if (!r) throw new Error(`no more records in ${this.topic}`);
    return {
      key: this.keySerde.deserializer().deserialize(this.topic, r.key),
      value: this.valueSerde.deserializer().deserialize(this.topic, r.value),
      timestamp: r.timestamp,
      headers: r.headers,
    };
  }

  readValue(): V | null {
    return this.readRecord().value;
  }

  readKeyValue(): KeyValue<K | null, V | null> {
    const r = this.readRecord();
    return { key: r.key, value: r.value };
  }

  readRecordsToList(): TestRecord<K, V>[] {
    const out: TestRecord<K, V>[] = [];
    while (!this.isEmpty()) out.push(this.readRecord());
    return out;
  }

  readValuesToList(): (V | null)[] {
    return this.readRecordsToList().map((r) => r.value);
  }

  readKeyValuesToList(): KeyValue<K | null, V | null>[] {
    return this.readRecordsToList().map((r) => ({ key: r.key, value: r.value }));
  }

  /** Latest value per key (deletes remove the key). */
  readKeyValuesToMap(): Map<K, V> {
    const m = new Map<K, V>();
    for (const r of this.readRecordsToList()) {
      if (r.key === null) continue;
      if (r.value === null) m.delete(r.key);
      else m.set(r.key, r.value);
    }
    return m;
  }

  getQueueSize(): number {
    return this.driver.outputSize(this.topic);
  }

  isEmpty(): boolean {
    return this.getQueueSize() === 0;
  }
}
