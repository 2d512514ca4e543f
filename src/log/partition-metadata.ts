/**
 * `partition.metadata` in every partition directory: the facts needed to rebuild the topic from its
 * data if `__meta/topics/<topic>.json` is lost or damaged. The first two lines are Kafka's file
 * (`version: 0`, `topic_id:` the id in Kafka's base64 form); Samsa adds the topic name, partition
 * count and config overrides:
 *
 *   version: 0
 *   topic_id: AAECAwQFBgcICQoLDA0ODw
 *   topic: orders
 *   partitions: 3
 *   configs: {"cleanup.policy":"compact"}
 *
 * The topic file stays the source of truth: these files are written after it (create, new
 * partitions, config changes) and rewritten from it on every start when missing or different.
 * They are replaced by rename without an fsync of their own (a crash loses at most an update that
 * the next start redoes from the topic file).
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from './atomic-file.ts';
import type { TopicMetadata } from './topic-metadata.ts';

export const PARTITION_METADATA_FILE = 'partition.metadata';

/** Kafka's Uuid.toString(): URL-safe base64 without padding. */
function kafkaUuid(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64url');
}

function fromKafkaUuid(text: string): string | null {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.length === 16 && kafkaUuid(bytes.toString('hex')) === text ? bytes.toString('hex') : null;
}

export function formatPartitionMetadata(meta: TopicMetadata): string {
  return [
    'version: 0',
    `topic_id: ${kafkaUuid(meta.topicId)}`,
    `topic: ${meta.name}`,
    `partitions: ${meta.partitions}`,
    `configs: ${JSON.stringify(meta.configs)}`,
    '',
  ].join('\n');
}

export function writePartitionMetadata(partitionDir: string, meta: TopicMetadata): void {
  writeFileAtomicSync(path.join(partitionDir, PARTITION_METADATA_FILE), formatPartitionMetadata(meta), {
    sync: false,
  });
}

export type PartitionMetadataRead =
  | { kind: 'ok'; meta: TopicMetadata }
  | { kind: 'missing' }
  | { kind: 'invalid'; reason: string };

/** Reads and checks a partition directory's file. */
export function readPartitionMetadata(partitionDir: string): PartitionMetadataRead {
  let text: string;
  try {
    text = fs.readFileSync(path.join(partitionDir, PARTITION_METADATA_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'invalid', reason: (err as Error).message };
  }
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(': ');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 2));
  }
  if (fields.get('version') !== '0') return { kind: 'invalid', reason: 'no "version: 0" line' };
  const topicId = fromKafkaUuid(fields.get('topic_id') ?? '');
  if (topicId === null) return { kind: 'invalid', reason: 'no valid topic_id' };
  const name = fields.get('topic');
  const partitions = Number(fields.get('partitions'));
  if (!name || !Number.isSafeInteger(partitions) || partitions < 1) {
    return { kind: 'invalid', reason: 'no topic name or partition count' };
  }
  let configs: unknown;
  try {
    configs = JSON.parse(fields.get('configs') ?? '');
  } catch {
    return { kind: 'invalid', reason: 'configs are not JSON' };
  }
  if (
    typeof configs !== 'object' ||
    configs === null ||
    Array.isArray(configs) ||
    !Object.values(configs).every((v) => typeof v === 'string')
  ) {
    return { kind: 'invalid', reason: 'configs are not a map of strings' };
  }
  return {
    kind: 'ok',
    meta: { name, topicId, partitions, configs: { ...(configs as Record<string, string>) } },
  };
}

/** Whether two metadata records say the same thing (the partition file needs no rewrite). */
export function sameTopicMetadata(a: TopicMetadata, b: TopicMetadata): boolean {
  return formatPartitionMetadata(a) === formatPartitionMetadata(b);
}
