/**
 * Reads an archive back for replay and listing: the files of a topic partition by partition in
 * offset order, records filtered by time and partition, each offset once (a record kept in two
 * files is returned the first time only). Parquet files entirely outside the time range are skipped
 * from their footers.
 */
import { FORMATS } from './formats.ts';
import { type ArchiveFile, archivedTopics, listFiles } from './layout.ts';
import type { ArchivedRecord, FileSummary } from './record.ts';

export interface ReadOptions {
  readonly root: string;
  readonly topic: string;
  readonly partitions?: readonly number[];
  /** Epoch ms, inclusive. */
  readonly from?: number;
  /** Epoch ms, exclusive. */
  readonly until?: number;
}

export interface ArchivedFileInfo extends ArchiveFile, FileSummary {}

/** The archive's files of a topic with their summaries. */
export async function describeFiles(
  root: string,
  topic: string,
  partition?: number,
): Promise<ArchivedFileInfo[]> {
  const files = await listFiles(root, topic, partition);
  const out: ArchivedFileInfo[] = [];
  for (const f of files) out.push({ ...f, ...(await FORMATS[f.format].summary(f.path)) });
  return out;
}

export { archivedTopics };

/** Files to read for these options, by partition (each in offset order). */
export async function filesByPartition(options: ReadOptions): Promise<Map<number, ArchiveFile[]>> {
  const wanted = options.partitions ? new Set(options.partitions) : null;
  const byPartition = new Map<number, ArchiveFile[]>();
  for (const f of await listFiles(options.root, options.topic)) {
    if (wanted && !wanted.has(f.partition)) continue;
    if (f.format === 'parquet' && (options.from !== undefined || options.until !== undefined)) {
      const s = await FORMATS.parquet.summary(f.path);
      if (options.from !== undefined && s.maxTimestamp < options.from) continue;
      if (options.until !== undefined && s.minTimestamp >= options.until) continue;
    }
    byPartition.set(f.partition, [...(byPartition.get(f.partition) ?? []), f]);
  }
  return byPartition;
}

/** One partition's records, file by file, in offset order, each offset once. The next file is
 * decoded while the caller works on the current one. */
export async function* readPartition(
  files: readonly ArchiveFile[],
  options: Pick<ReadOptions, 'from' | 'until'> = {},
): AsyncGenerator<{ file: ArchiveFile; records: ArchivedRecord[] }> {
  let last = -1n;
  const decode = (file: ArchiveFile | undefined) => (file ? FORMATS[file.format].decode(file.path) : null);
  let next = decode(files[0]);
  for (let i = 0; i < files.length; i++) {
    const decoded = await next!;
    next = decode(files[i + 1]);
    next?.catch(() => {});
    const records = decoded.filter((r) => {
      if (r.offset <= last) return false;
      last = r.offset;
      if (options.from !== undefined && r.timestamp < options.from) return false;
      if (options.until !== undefined && r.timestamp >= options.until) return false;
      return true;
    });
    yield { file: files[i]!, records };
  }
}
