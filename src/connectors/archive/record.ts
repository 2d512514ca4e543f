/**
 * An archived record: exactly what was in the topic (raw key, value and header bytes, timestamp,
 * offset), so a replay writes the same bytes back.
 */
export interface ArchivedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly (readonly [string, Buffer])[];
}

/** What a file holds, from its footer (Parquet) or a read (jsonl.gz). */
export interface FileSummary {
  readonly count: number;
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
  readonly minTimestamp: number;
  readonly maxTimestamp: number;
}

export function summarize(records: readonly ArchivedRecord[]): FileSummary {
  let minTimestamp = Number.POSITIVE_INFINITY;
  let maxTimestamp = Number.NEGATIVE_INFINITY;
  for (const r of records) {
    if (r.timestamp < minTimestamp) minTimestamp = r.timestamp;
    if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
  }
  return {
    count: records.length,
    firstOffset: records[0]?.offset ?? -1n,
    lastOffset: records.at(-1)?.offset ?? -1n,
    minTimestamp: records.length > 0 ? minTimestamp : 0,
    maxTimestamp: records.length > 0 ? maxTimestamp : 0,
  };
}
