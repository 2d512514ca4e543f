/**
 * `samsa archive:ls --path DIR [--topic T]`: what an archive written by the archive sink holds, per
 * topic and partition: files, records, offset range, time range and size (Parquet footers are
 * read; jsonl.gz files are read whole). Needs no broker.
 */
import { archivedTopics, describeFiles } from '../../connectors/archive/reader.ts';
import { UsageError } from '../args.ts';
import { defineCommand } from '../command.ts';
import { CliError } from '../errors.ts';
import { formatJson, formatTable } from '../output.ts';

interface PartitionRow {
  topic: string;
  partition: number;
  files: number;
  records: number;
  firstOffset: bigint;
  lastOffset: bigint;
  from: string;
  until: string;
  bytes: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

export const archiveLsCommand = defineCommand({
  name: 'archive:ls',
  summary: 'list what an archive holds per topic and partition',
  description:
    'Lists the files the archive sink wrote under --path: per topic and partition the number of files and records, the first and last offset, the time range of the records and the size on disk.',
  options: [
    { name: 'path', type: 'string', placeholder: 'DIR', description: 'the archive directory (archive.path)' },
    { name: 'topic', short: 't', type: 'string', placeholder: 'TOPIC', description: 'only this topic' },
  ],
  examples: [
    'samsa archive:ls --path ./archive',
    'samsa archive:ls --path /mnt/archive --topic orders --json',
  ],
  async run(ctx) {
    const root = ctx.string('path');
    if (root === undefined) throw new UsageError('--path DIR is required');
    const only = ctx.string('topic');
    const topics = only !== undefined ? [only] : await archivedTopics(root);
    const rows: PartitionRow[] = [];
    for (const topic of topics) {
      const byPartition = new Map<number, Awaited<ReturnType<typeof describeFiles>>>();
      for (const f of await describeFiles(root, topic))
        byPartition.set(f.partition, [...(byPartition.get(f.partition) ?? []), f]);
      for (const [partition, files] of byPartition) {
        const withRecords = files.filter((f) => f.count > 0);
        let lastOffset = -1n;
        for (const f of files) if (f.lastOffset > lastOffset) lastOffset = f.lastOffset;
        rows.push({
          topic,
          partition,
          files: files.length,
          records: files.reduce((n, f) => n + f.count, 0),
          firstOffset: files[0]!.firstOffset,
          lastOffset,
          from: iso(Math.min(...withRecords.map((f) => f.minTimestamp))),
          until: iso(Math.max(...withRecords.map((f) => f.maxTimestamp))),
          bytes: files.reduce((n, f) => n + f.bytes, 0),
        });
      }
    }
    if (only !== undefined && rows.length === 0)
      throw new CliError(`no archive of topic ${only} under ${root}`);
    if (ctx.json) {
      ctx.out(formatJson(rows));
      return 0;
    }
    ctx.out(
      formatTable(
        [
          { header: 'topic', value: (r: PartitionRow) => r.topic },
          { header: 'partition', value: (r) => r.partition, right: true },
          { header: 'files', value: (r) => r.files, right: true },
          { header: 'records', value: (r) => r.records, right: true },
          { header: 'offsets', value: (r) => `${r.firstOffset}-${r.lastOffset}` },
          { header: 'from', value: (r) => r.from },
          { header: 'until', value: (r) => r.until },
          { header: 'size', value: (r) => size(r.bytes), right: true },
        ],
        rows,
        `No archive under ${root}.`,
      ),
    );
    return 0;
  },
});
