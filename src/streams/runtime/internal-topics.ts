/**
 * Creates the topics a topology needs before it runs: repartition topics
 * (`<application.id>-<name>-repartition`, cleanup.policy=delete, unlimited retention) with the
 * partition count given, else the largest partition count of the sub-topology that writes them;
 * and changelog topics (`<application.id>-<store>-changelog`, compacted — compact,delete with
 * retention for window and session stores) with the partition count of the store's
 * sub-topology. Existing topics are kept. Also checks that source topics exist.
 */
import type { Admin } from '@platformatic/kafka';
import type { Logger } from '../errors.ts';
import { StreamsException } from '../errors.ts';
import type { Topology } from '../processor/topology.ts';

export interface InternalTopicsPlan {
  /** Partition count of every topic the topology reads (resolved names). */
  partitionCounts: Map<string, number>;
  /** store name → changelog topic (logged stores only). */
  changelogs: Map<string, string>;
  /** sub-topology id → resolved source topics. */
  subtopologies: { id: number; sourceTopics: string[] }[];
}

export function changelogTopicName(applicationId: string, store: string): string {
  return `${applicationId}-${store}-changelog`;
}

export async function prepareInternalTopics(
  admin: Admin,
  topology: Topology,
  applicationId: string,
  replicationFactor: number,
  logger: Logger,
): Promise<InternalTopicsPlan> {
  const resolve = (t: string) => (topology.internalTopics.has(t) ? `${applicationId}-${t}` : t);
  const subtopologies = topology.subtopologies();
  const external = [
    ...new Set(subtopologies.flatMap((s) => s.sourceTopics).filter((t) => !topology.internalTopics.has(t))),
  ];
  external.push(...[...topology.globalStores.values()].map((g) => g.topic));
  const counts = new Map<string, number>();
  if (external.length > 0) {
    const metadata = await admin.metadata({ topics: external, forceUpdate: true }).catch((err: unknown) => {
      throw new StreamsException(
        `source topics ${external.join(', ')} could not be described: ${(err as Error).message}`,
        { cause: err },
      );
    });
    const missing = external.filter((t) => !metadata.topics.has(t));
    if (missing.length > 0)
      throw new StreamsException(
        `source topic(s) ${missing.join(', ')} do not exist; create them before starting the application`,
      );
    for (const t of external) counts.set(t, metadata.topics.get(t)!.partitionsCount);
  }
  // repartition topics: partitions of the writing sub-topology, resolved until stable
  const toCreate: { name: string; partitions: number; configs: { [k: string]: string } }[] = [];
  const repartition = [...topology.internalTopics.values()];
  for (let round = 0; round <= repartition.length; round++) {
    for (const def of repartition) {
      const name = resolve(def.name);
      if (counts.has(name)) continue;
      if (def.partitions !== undefined) {
        counts.set(name, def.partitions);
        continue;
      }
      const writer = subtopologies.find((s) => s.sinkTopics.includes(def.name));
      const sources = writer?.sourceTopics.map(resolve) ?? [];
      if (sources.length > 0 && sources.every((t) => counts.has(t)))
        counts.set(name, Math.max(...sources.map((t) => counts.get(t)!)));
    }
  }
  for (const def of repartition) {
    const name = resolve(def.name);
    const partitions = counts.get(name);
    if (partitions === undefined)
      throw new StreamsException(`cannot decide the partition count of repartition topic ${name}`);
    toCreate.push({
      name,
      partitions,
      configs: { 'cleanup.policy': 'delete', 'retention.ms': '-1', 'segment.bytes': '52428800' },
    });
  }
  const changelogs = new Map<string, string>();
  for (const st of subtopologies) {
    const partitions = Math.max(0, ...st.sourceTopics.map((t) => counts.get(resolve(t)) ?? 0));
    for (const store of st.stores) {
      const builder = topology.stores.get(store)!;
      if (!builder.loggingEnabled) continue;
      const name = changelogTopicName(applicationId, store);
      changelogs.set(store, name);
      toCreate.push({ name, partitions, configs: { ...builder.logConfig } });
    }
  }
  if (toCreate.length > 0) {
    const existing = await admin
      .metadata({ topics: toCreate.map((t) => t.name), forceUpdate: true })
      .catch(() => null);
    const missing = toCreate.filter((t) => !existing?.topics.has(t.name));
    for (const t of toCreate) {
      const have = existing?.topics.get(t.name)?.partitionsCount;
      if (have !== undefined && have !== t.partitions)
        throw new StreamsException(
          `internal topic ${t.name} has ${have} partitions, expected ${t.partitions}; delete it or reset the application`,
        );
    }
    if (missing.length > 0) {
      logger.info({ topics: missing.map((t) => t.name) }, 'creating internal topics');
      // one request per topic: each has its own partition count and configs
      for (const t of missing) {
        try {
          await admin.createTopics({
            topics: [t.name],
            partitions: t.partitions,
            replicas: replicationFactor,
            configs: Object.entries(t.configs).map(([name, value]) => ({ name, value })),
          });
        } catch (err) {
          if (
            !/already exists|TOPIC_ALREADY_EXISTS/i.test(JSON.stringify(err, Object.getOwnPropertyNames(err)))
          )
            throw err;
        }
      }
    }
  }
  return {
    partitionCounts: counts,
    changelogs,
    subtopologies: subtopologies.map((s) => ({ id: s.id, sourceTopics: s.sourceTopics.map(resolve) })),
  };
}
