/**
 * Persisted topic metadata: one JSON file per topic in `<dataDir>/__meta/topics/<name>.json`,
 * replaced atomically. The topic id is 16 random bytes in hex. A copy of the same facts lives in
 * every partition directory (partition-metadata.ts) to rebuild a lost or damaged file.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TMP_SUFFIX, unlinkDurableSync, writeFileAtomicSync } from './atomic-file.ts';

export interface TopicMetadata {
  name: string;
  topicId: string;
  partitions: number;
  /** Kafka config names to string values (only the topic's overrides). */
  configs: Readonly<Record<string, string>>;
}

export const META_DIR = '__meta';

export function topicMetaDir(dataDir: string): string {
  return path.join(dataDir, META_DIR, 'topics');
}

export function newTopicId(): string {
  return randomBytes(16).toString('hex');
}

function isTopicMetadata(v: unknown): v is TopicMetadata {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as { [k: string]: unknown };
  return (
    typeof m.name === 'string' &&
    typeof m.topicId === 'string' &&
    /^[0-9a-f]{32}$/.test(m.topicId) &&
    Number.isSafeInteger(m.partitions) &&
    (m.partitions as number) > 0 &&
    typeof m.configs === 'object' &&
    m.configs !== null &&
    Object.values(m.configs).every((x) => typeof x === 'string')
  );
}

/** A topic file that exists but cannot be used; the topic is rebuilt from its partitions if possible. */
export interface DamagedTopicFile {
  /** The topic name the file is named after. */
  name: string;
  file: string;
  reason: string;
}

export interface LoadedTopicMetadata {
  topics: TopicMetadata[];
  damaged: DamagedTopicFile[];
}

/** Reads every `<name>.json`; unreadable, empty or invalid ones are returned as damaged. */
export function loadTopicMetadata(dir: string): LoadedTopicMetadata {
  fs.mkdirSync(dir, { recursive: true });
  const topics: TopicMetadata[] = [];
  const damaged: DamagedTopicFile[] = [];
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    if (name.endsWith(TMP_SUFFIX)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (!name.endsWith('.json')) continue;
    const topic = name.slice(0, -'.json'.length);
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      damaged.push({ name: topic, file, reason: (err as Error).message });
      continue;
    }
    if (!isTopicMetadata(parsed)) {
      damaged.push({ name: topic, file, reason: 'not a valid topic metadata record' });
      continue;
    }
    if (parsed.name !== topic) {
      damaged.push({ name: topic, file, reason: `names topic "${parsed.name}"` });
      continue;
    }
    topics.push({ ...parsed, configs: { ...parsed.configs } });
  }
  return { topics, damaged };
}

export function saveTopicMetadata(dir: string, meta: TopicMetadata): void {
  const body = { name: meta.name, topicId: meta.topicId, partitions: meta.partitions, configs: meta.configs };
  writeFileAtomicSync(path.join(dir, `${meta.name}.json`), `${JSON.stringify(body, null, 2)}\n`);
}

export function removeTopicMetadata(dir: string, name: string): void {
  unlinkDurableSync(path.join(dir, `${name}.json`));
}
