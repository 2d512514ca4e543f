/**
 * Persisted topic metadata: one JSON file per topic in `<dataDir>/__meta/topics/<name>.json`,
 * replaced atomically. The topic id is 16 random bytes in hex.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TMP_SUFFIX, unlinkDurableSync, writeFileAtomicSync } from './atomic-file.ts';
import type { LogLogger } from './logger.ts';

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

export function loadTopicMetadata(dir: string, logger: LogLogger): TopicMetadata[] {
  fs.mkdirSync(dir, { recursive: true });
  const out: TopicMetadata[] = [];
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    if (name.endsWith(TMP_SUFFIX)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (!name.endsWith('.json')) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      logger.warn({ file, err }, 'unreadable topic metadata skipped');
      continue;
    }
    if (!isTopicMetadata(parsed) || `${parsed.name}.json` !== name) {
      logger.warn({ file }, 'invalid topic metadata skipped');
      continue;
    }
    out.push({ ...parsed, configs: { ...parsed.configs } });
  }
  return out;
}

export function saveTopicMetadata(dir: string, meta: TopicMetadata): void {
  const body = { name: meta.name, topicId: meta.topicId, partitions: meta.partitions, configs: meta.configs };
  writeFileAtomicSync(path.join(dir, `${meta.name}.json`), `${JSON.stringify(body, null, 2)}\n`);
}

export function removeTopicMetadata(dir: string, name: string): void {
  unlinkDurableSync(path.join(dir, `${name}.json`));
}
