/** The two archive formats behind one interface, chosen by `format.class` or a file's extension. */
import { decodeJsonl, encodeJsonl, summarizeJsonl } from './jsonl-format.ts';
import type { ArchiveFormatName } from './layout.ts';
import { decodeParquet, encodeParquet, summarizeParquet } from './parquet-format.ts';
import type { ArchivedRecord, FileSummary } from './record.ts';

export interface ArchiveFormat {
  readonly name: ArchiveFormatName;
  encode(
    records: readonly ArchivedRecord[],
    options?: { parquetCodec?: 'SNAPPY' | 'UNCOMPRESSED' },
  ): Promise<Uint8Array>;
  decode(path: string): Promise<ArchivedRecord[]>;
  summary(path: string): Promise<FileSummary>;
}

export const FORMATS: Record<ArchiveFormatName, ArchiveFormat> = {
  parquet: {
    name: 'parquet',
    encode: async (records, options) => encodeParquet(records, options?.parquetCodec),
    decode: decodeParquet,
    summary: summarizeParquet,
  },
  'jsonl.gz': { name: 'jsonl.gz', encode: encodeJsonl, decode: decodeJsonl, summary: summarizeJsonl },
};
