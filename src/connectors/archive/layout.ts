/**
 * Where archived files live: `<archive.path>/<topic>/partition=<p>/<path.format>/` and a name that
 * carries topic, partition and first offset as the Confluent S3 sink names them
 * (`<topic>+<partition>+<first offset, 10+ digits>.<parquet|jsonl.gz>`), so a batch written again
 * after a crash lands on the same name. Files being written have a leading dot and are skipped.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export type ArchiveFormatName = 'parquet' | 'jsonl.gz';

export interface ArchiveFile {
  readonly path: string;
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: bigint;
  readonly format: ArchiveFormatName;
  readonly bytes: number;
}

const NAME = /^(.+)\+(\d+)\+(\d+)\.(parquet|jsonl\.gz)$/;

export function fileName(
  topic: string,
  partition: number,
  firstOffset: bigint,
  format: ArchiveFormatName,
): string {
  return `${topic}+${partition}+${String(firstOffset).padStart(10, '0')}.${format}`;
}

export function parseFileName(
  name: string,
): { topic: string; partition: number; firstOffset: bigint; format: ArchiveFormatName } | null {
  const m = NAME.exec(name);
  if (!m) return null;
  return {
    topic: m[1]!,
    partition: Number(m[2]),
    firstOffset: BigInt(m[3]!),
    format: m[4] as ArchiveFormatName,
  };
}

export function partitionDir(root: string, topic: string, partition: number): string {
  return join(root, topic, `partition=${partition}`);
}

async function entries(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

async function walk(dir: string, out: ArchiveFile[]): Promise<void> {
  for (const e of await entries(dir)) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) await walk(path, out);
    else if (e.isFile()) {
      const parsed = parseFileName(e.name);
      if (parsed) out.push({ path, ...parsed, bytes: (await stat(path)).size });
    }
  }
}

/** Topics with an archive under `root`. */
export async function archivedTopics(root: string): Promise<string[]> {
  const topics: string[] = [];
  for (const e of await entries(root)) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    if ((await entries(join(root, e.name))).some((p) => p.isDirectory() && p.name.startsWith('partition=')))
      topics.push(e.name);
  }
  return topics.sort();
}

/** Every archived file of a topic (optionally one partition), by partition then first offset. */
export async function listFiles(root: string, topic: string, partition?: number): Promise<ArchiveFile[]> {
  const out: ArchiveFile[] = [];
  if (partition !== undefined) await walk(partitionDir(root, topic, partition), out);
  else await walk(join(root, topic), out);
  return out
    .filter((f) => f.topic === topic && (partition === undefined || f.partition === partition))
    .sort(
      (a, b) =>
        a.partition - b.partition ||
        (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0),
    );
}
