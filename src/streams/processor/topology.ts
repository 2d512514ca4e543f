/**
 * `Topology`: the graph of sources, processors and sinks plus the state stores they use — what the
 * DSL builds and what the Processor API writes by hand (Kafka's `Topology` with addSource,
 * addProcessor, addSink, addStateStore, addGlobalStore, connectProcessorAndStateStores, describe).
 * It also splits the graph into sub-topologies (nodes connected through parents or shared stores;
 * repartition topics separate them), each of which runs as one task per input partition.
 * Internal topics are named without the application id here; the runtime prefixes
 * `<application.id>-`.
 */
import { TopologyException } from '../errors.ts';
import type { Serde } from '../serdes.ts';
import type { ProcessorSupplier, StoreBuilder } from './api.ts';

/** Picks the event time of a consumed record (Kafka's `TimestampExtractor`). */
export type TimestampExtractor = (
  record: {
    topic: string;
    partition: number;
    offset: bigint;
    key: unknown;
    value: unknown;
    timestamp: number;
  },
  partitionTime: number,
) => number;

/** Chooses the output topic per record (Kafka's `TopicNameExtractor`). */
export type TopicNameExtractor<K = unknown, V = unknown> = (
  key: K,
  value: V,
  context: { topic: string | null },
) => string;

/** Chooses the output partition (Kafka's `StreamPartitioner`); undefined = default (murmur2 of the key). */
export type StreamPartitioner<K = unknown, V = unknown> = (
  topic: string,
  key: K,
  value: V,
  numPartitions: number,
) => number | undefined;

export interface SourceNodeDef {
  kind: 'source';
  name: string;
  topics: string[];
  keySerde?: Serde<unknown> | undefined;
  valueSerde?: Serde<unknown> | undefined;
  timestampExtractor?: TimestampExtractor | undefined;
  offsetReset?: 'earliest' | 'latest' | undefined;
}

export interface ProcessorNodeDef {
  kind: 'processor';
  name: string;
  supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
  parents: string[];
  stores: Set<string>;
}

export interface SinkNodeDef {
  kind: 'sink';
  name: string;
  topic: string | TopicNameExtractor;
  keySerde?: Serde<unknown> | undefined;
  valueSerde?: Serde<unknown> | undefined;
  partitioner?: StreamPartitioner | undefined;
  parents: string[];
}

export type NodeDef = SourceNodeDef | ProcessorNodeDef | SinkNodeDef;

export interface GlobalStoreDef {
  store: StoreBuilder;
  sourceName: string;
  topic: string;
  keySerde?: Serde<unknown> | undefined;
  valueSerde?: Serde<unknown> | undefined;
  processorName: string;
  supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
}

export interface InternalTopicDef {
  /** Name without the application id. */
  name: string;
  kind: 'repartition';
  /** Partition count; undefined = the maximum of the upstream sub-topology's source topics. */
  partitions?: number | undefined;
}

export interface Subtopology {
  id: number;
  /** Node names in topological (insertion) order. */
  nodes: string[];
  sourceTopics: string[];
  sinkTopics: string[];
  stores: string[];
}

export interface SourceOptions {
  name: string;
  topics: string[];
  keySerde?: Serde<unknown>;
  valueSerde?: Serde<unknown>;
  timestampExtractor?: TimestampExtractor;
  offsetReset?: 'earliest' | 'latest';
}

export interface SinkOptions {
  name: string;
  topic: string | TopicNameExtractor;
  parents: string[];
  keySerde?: Serde<unknown>;
  valueSerde?: Serde<unknown>;
  partitioner?: StreamPartitioner;
}

export class Topology {
  readonly nodes = new Map<string, NodeDef>();
  readonly stores = new Map<string, StoreBuilder>();
  readonly globalStores = new Map<string, GlobalStoreDef>();
  readonly internalTopics = new Map<string, InternalTopicDef>();
  /** Stores queryable under a name that differs from the builder's (none today; reserved). */
  private readonly topicToSource = new Map<string, string>();

  private checkName(name: string): void {
    if (!name) throw new TopologyException('node name must not be empty');
    if (this.nodes.has(name)) throw new TopologyException(`Processor ${name} is already added.`);
  }

  private checkParents(name: string, parents: string[]): void {
    if (parents.length === 0) throw new TopologyException(`Processor ${name} must have at least one parent`);
    for (const p of parents) {
      const parent = this.nodes.get(p);
      if (!parent) throw new TopologyException(`Parent processor ${p} is not added yet for ${name}.`);
      if (parent.kind === 'sink') throw new TopologyException(`Sink ${p} cannot be used as a parent.`);
    }
  }

  addSource(nameOrOptions: string | SourceOptions, ...topics: string[]): this {
    const o: SourceOptions =
      typeof nameOrOptions === 'string' ? { name: nameOrOptions, topics } : nameOrOptions;
    this.checkName(o.name);
    if (o.topics.length === 0) throw new TopologyException(`Source ${o.name} must have at least one topic`);
    for (const t of o.topics) {
      const other = this.topicToSource.get(t);
      if (other !== undefined)
        throw new TopologyException(`Topic ${t} has already been registered by source ${other}.`);
      this.topicToSource.set(t, o.name);
    }
    this.nodes.set(o.name, {
      kind: 'source',
      name: o.name,
      topics: [...o.topics],
      keySerde: o.keySerde,
      valueSerde: o.valueSerde,
      timestampExtractor: o.timestampExtractor,
      offsetReset: o.offsetReset,
    });
    return this;
  }

  addProcessor<KIn, VIn, KOut, VOut>(
    name: string,
    supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>,
    ...parentNames: string[]
  ): this {
    this.checkName(name);
    this.checkParents(name, parentNames);
    this.nodes.set(name, {
      kind: 'processor',
      name,
      supplier: supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>,
      parents: parentNames,
      stores: new Set(),
    });
    return this;
  }

  addSink(
    nameOrOptions: string | SinkOptions,
    topic?: string | TopicNameExtractor,
    ...parentNames: string[]
  ): this {
    const o: SinkOptions =
      typeof nameOrOptions === 'string'
        ? { name: nameOrOptions, topic: topic as string | TopicNameExtractor, parents: parentNames }
        : nameOrOptions;
    this.checkName(o.name);
    this.checkParents(o.name, o.parents);
    this.nodes.set(o.name, {
      kind: 'sink',
      name: o.name,
      topic: o.topic,
      keySerde: o.keySerde,
      valueSerde: o.valueSerde,
      partitioner: o.partitioner,
      parents: o.parents,
    });
    return this;
  }

  addStateStore(builder: StoreBuilder, ...processorNames: string[]): this {
    if (this.stores.has(builder.name) || this.globalStores.has(builder.name))
      throw new TopologyException(`StateStore ${builder.name} is already added.`);
    this.stores.set(builder.name, builder);
    this.connectProcessorAndStateStores(processorNames, builder.name);
    return this;
  }

  connectProcessorAndStateStores(processorName: string | string[], ...storeNames: string[]): this {
    for (const p of Array.isArray(processorName) ? processorName : [processorName]) {
      const node = this.nodes.get(p);
      if (node?.kind !== 'processor') throw new TopologyException(`Processor ${p} is not added yet.`);
      for (const s of storeNames) {
        if (!this.stores.has(s) && !this.globalStores.has(s))
          throw new TopologyException(`StateStore ${s} is not added yet.`);
        node.stores.add(s);
      }
    }
    return this;
  }

  addGlobalStore<K, V>(
    store: StoreBuilder,
    sourceName: string,
    topic: string,
    serdes: { keySerde?: Serde<K>; valueSerde?: Serde<V> },
    processorName: string,
    supplier: ProcessorSupplier<K, V, void, void>,
  ): this {
    if (this.stores.has(store.name) || this.globalStores.has(store.name))
      throw new TopologyException(`StateStore ${store.name} is already added.`);
    this.globalStores.set(store.name, {
      store,
      sourceName,
      topic,
      keySerde: serdes.keySerde as Serde<unknown> | undefined,
      valueSerde: serdes.valueSerde as Serde<unknown> | undefined,
      processorName,
      supplier: supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>,
    });
    return this;
  }

  /** Registers an internal (repartition) topic; used by the DSL. */
  addInternalTopic(def: InternalTopicDef): void {
    this.internalTopics.set(def.name, def);
  }

  children(name: string): string[] {
    const out: string[] = [];
    for (const n of this.nodes.values())
      if (n.kind !== 'source' && n.parents.includes(name)) out.push(n.name);
    return out;
  }

  /** Sub-topologies: nodes joined through parent links and shared state stores. */
  subtopologies(): Subtopology[] {
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      let r = x;
      while (parent.get(r) !== r) r = parent.get(r)!;
      parent.set(x, r);
      return r;
    };
    const union = (a: string, b: string) => {
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent.set(rb, ra);
    };
    for (const n of this.nodes.keys()) parent.set(n, n);
    const storeOwner = new Map<string, string>();
    for (const n of this.nodes.values()) {
      if (n.kind === 'source') continue;
      for (const p of n.parents) union(p, n.name);
      if (n.kind === 'processor') {
        for (const s of n.stores) {
          if (this.globalStores.has(s)) continue;
          const owner = storeOwner.get(s);
          if (owner === undefined) storeOwner.set(s, n.name);
          else union(owner, n.name);
        }
      }
    }
    const groups = new Map<string, string[]>();
    for (const n of this.nodes.keys()) {
      const r = find(n);
      groups.set(r, [...(groups.get(r) ?? []), n]);
    }
    const ordered = [...groups.values()].sort(
      (a, b) => [...this.nodes.keys()].indexOf(a[0]!) - [...this.nodes.keys()].indexOf(b[0]!),
    );
    return ordered.map((nodes, id) => {
      const sourceTopics: string[] = [];
      const sinkTopics: string[] = [];
      const stores = new Set<string>();
      for (const name of nodes) {
        const n = this.nodes.get(name)!;
        if (n.kind === 'source') sourceTopics.push(...n.topics);
        else if (n.kind === 'sink' && typeof n.topic === 'string') sinkTopics.push(n.topic);
        else if (n.kind === 'processor')
          for (const s of n.stores) if (!this.globalStores.has(s)) stores.add(s);
      }
      return { id, nodes, sourceTopics, sinkTopics, stores: [...stores] };
    });
  }

  /** Text description in the layout of Kafka's `TopologyDescription`. */
  describe(): string {
    const lines = ['Topologies:'];
    for (const st of this.subtopologies()) {
      lines.push(`   Sub-topology: ${st.id}`);
      for (const name of st.nodes) {
        const n = this.nodes.get(name)!;
        const children = this.children(name);
        if (n.kind === 'source') lines.push(`    Source: ${name} (topics: [${n.topics.join(', ')}])`);
        else if (n.kind === 'processor')
          lines.push(`    Processor: ${name} (stores: [${[...n.stores].join(', ')}])`);
        else
          lines.push(`    Sink: ${name} (topic: ${typeof n.topic === 'string' ? n.topic : '<extractor>'})`);
        if (n.kind !== 'sink') lines.push(`      --> ${children.length ? children.join(', ') : 'none'}`);
        if (n.kind !== 'source') lines.push(`      <-- ${n.parents.join(', ')}`);
      }
      lines.push('');
    }
    for (const g of this.globalStores.values()) {
      lines.push(`  Sub-topology: global (store: ${g.store.name})`);
      lines.push(`    Source: ${g.sourceName} (topics: [${g.topic}])`);
      lines.push(`      --> ${g.processorName}`);
      lines.push(`    Processor: ${g.processorName} (stores: [${g.store.name}])`);
      lines.push('');
    }
    return lines.join('\n');
  }
}
