/**
 * The message browser over all partitions of a topic at once, merged by timestamp (then partition,
 * then offset). A page reads, from every partition, at most a window of records next to a cursor
 * (one offset per partition) — forward from it (`after`) or backward up to it (`before`) — merges
 * the windows and keeps the `limit` earliest (forward) or latest (backward). Window reads are
 * bounded (a page reads at most `limit` records per partition, `SCAN_LIMIT` in all when filtering),
 * so a topic of any size is never loaded into memory. The answer carries cursors for the pages
 * before and after it. Exact when each partition's timestamps do not go back in time (CreateTime
 * from one producer, or LogAppendTime); with more than SCAN_LIMIT / limit partitions the windows
 * shrink and the merge is approximate.
 */
import type { Admin, Consumer } from '@platformatic/kafka';
import { listOffsets } from '../../client/offsets.ts';
import { readPartitions } from '../../client/partition-reader.ts';
import { ApiError } from './errors.ts';
import { type BrowsedMessage, browsed, matches, PAGE_DEADLINE_MS, SCAN_LIMIT } from './messages.ts';

/** partition → offset. Written as "0:12,1:40" in URLs. */
export type Cursor = Map<number, number>;

export type MergedStart =
  | { from: 'beginning' }
  | { from: 'end' }
  | { from: 'offset'; offset: number }
  | { from: 'timestamp'; timestamp: number }
  | { from: 'after'; cursor: Cursor }
  | { from: 'before'; cursor: Cursor };

export interface MergedPage {
  partition: 'all';
  partitions: { partition: number; low: number; high: number }[];
  /** Cursor of the page before this one (read it with `before`). */
  start: string;
  /** Cursor of the page after this one (read it with `after`). */
  next: string;
  hasOlder: boolean;
  hasNewer: boolean;
  scanned: number;
  messages: BrowsedMessage[];
}

export function parseCursor(text: string): Cursor {
  const cursor: Cursor = new Map();
  for (const part of text.split(',')) {
    const m = /^(\d+):(\d+)$/.exec(part.trim());
    if (!m)
      throw new ApiError(400, `cursor must be PARTITION:OFFSET pairs separated by commas, got "${text}"`);
    cursor.set(Number(m[1]), Number(m[2]));
  }
  return cursor;
}

export function formatCursor(cursor: Cursor): string {
  return [...cursor]
    .sort((a, b) => a[0] - b[0])
    .map(([p, o]) => `${p}:${o}`)
    .join(',');
}

interface Range {
  from: number;
  to: number;
}

/** Records of each partition's [from, to), at most `max` matching ones per partition. */
async function readRanges(
  consumer: Consumer,
  topic: string,
  ranges: Map<number, Range>,
  max: number,
  filter: string,
): Promise<{ found: Map<number, BrowsedMessage[]>; reached: Map<number, number>; scanned: number }> {
  const found = new Map<number, BrowsedMessage[]>();
  const reached = new Map<number, number>();
  const positions = new Map<number, bigint>();
  for (const [p, r] of ranges) {
    found.set(p, []);
    reached.set(p, r.from);
    if (r.from < r.to) positions.set(p, BigInt(r.from));
  }
  let scanned = 0;
  if (positions.size === 0) return { found, reached, scanned };
  const abort = new AbortController();
  // A range may hold nothing a reader sees (aborted or control records only): stop after a while.
  const deadline = setTimeout(() => abort.abort(), PAGE_DEADLINE_MS);
  const records = readPartitions({
    consumer,
    topic,
    positions,
    signal: abort.signal,
    maxWaitMs: 50,
    partitionMaxBytes: filter === '' ? Math.max(64 * 1024, max * 1024) : 1024 * 1024,
  });
  try {
    for await (const r of records) {
      const range = ranges.get(r.partition);
      const offset = Number(r.offset);
      if (!range || !positions.has(r.partition) || offset >= range.to) {
        positions.delete(r.partition);
        if (positions.size === 0) break;
        continue;
      }
      scanned++;
      reached.set(r.partition, offset + 1);
      const list = found.get(r.partition)!;
      if (filter === '' || matches(r, filter)) list.push(browsed(r));
      if (list.length >= max || offset + 1 >= range.to || scanned >= SCAN_LIMIT) {
        positions.delete(r.partition);
        if (positions.size === 0 || scanned >= SCAN_LIMIT) break;
      }
    }
  } finally {
    clearTimeout(deadline);
    abort.abort();
    await records.return(undefined);
  }
  return { found, reached, scanned };
}

const byTime = (a: BrowsedMessage, b: BrowsedMessage) =>
  a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset;

export async function readMergedPage(
  admin: Admin,
  consumer: Consumer,
  topic: string,
  partitionCount: number,
  start: MergedStart,
  limit: number,
  filter: string,
): Promise<MergedPage> {
  const all = [...Array(partitionCount).keys()];
  const list = new Map([[topic, all]]);
  const [lowOffsets, highOffsets, atTime] = await Promise.all([
    listOffsets(admin, list, 'earliest'),
    listOffsets(admin, list, 'latest'),
    start.from === 'timestamp' ? listOffsets(admin, list, { timestamp: start.timestamp }) : undefined,
  ]);
  const low = new Map(all.map((p) => [p, Number(lowOffsets.get(topic)?.get(p) ?? 0n)]));
  const high = new Map(all.map((p) => [p, Number(highOffsets.get(topic)?.get(p) ?? 0n)]));
  const clamp = (p: number, o: number) => Math.min(Math.max(o, low.get(p)!), high.get(p)!);
  // Each partition's window: `limit` records, fewer when there are very many partitions.
  const window = Math.max(1, Math.min(limit, Math.floor(SCAN_LIMIT / partitionCount)));
  const scanWindow = filter === '' ? window : Math.max(window, Math.floor(SCAN_LIMIT / partitionCount));
  const backward = start.from === 'end' || start.from === 'before';
  const cursor: Cursor = new Map();
  for (const p of all) {
    let o: number;
    switch (start.from) {
      case 'beginning':
        o = low.get(p)!;
        break;
      case 'end':
        o = high.get(p)!;
        break;
      case 'offset':
        o = start.offset;
        break;
      case 'timestamp': {
        const at = Number(atTime?.get(topic)?.get(p) ?? -1n);
        o = at < 0 ? high.get(p)! : at;
        break;
      }
      default:
        o = start.cursor.get(p) ?? (start.from === 'after' ? low.get(p)! : high.get(p)!);
    }
    cursor.set(p, clamp(p, o));
  }
  const ranges = new Map<number, Range>();
  for (const p of all) {
    const c = cursor.get(p)!;
    ranges.set(
      p,
      backward ? { from: Math.max(low.get(p)!, c - scanWindow), to: c } : { from: c, to: high.get(p)! },
    );
  }
  const { found, reached, scanned } = await readRanges(
    consumer,
    topic,
    ranges,
    backward ? scanWindow : window,
    filter,
  );
  const merged = [...found.values()].flat().sort(byTime);
  const taken = backward ? merged.slice(Math.max(0, merged.length - limit)) : merged.slice(0, limit);
  const takenSet = new Set(taken);
  const before: Cursor = new Map();
  const after: Cursor = new Map();
  for (const p of all) {
    const matched = found.get(p)!;
    const mine = matched.filter((m) => takenSet.has(m));
    const untaken = matched.filter((m) => !takenSet.has(m));
    if (backward) {
      // Taken records are the newest of the window: older pages start where they begin.
      before.set(
        p,
        mine[0]?.offset ?? (untaken.length > 0 ? untaken.at(-1)!.offset + 1 : ranges.get(p)!.from),
      );
      after.set(p, cursor.get(p)!);
    } else {
      before.set(p, cursor.get(p)!);
      after.set(p, untaken[0]?.offset ?? reached.get(p)!);
    }
  }
  return {
    partition: 'all',
    partitions: all.map((p) => ({ partition: p, low: low.get(p)!, high: high.get(p)! })),
    start: formatCursor(before),
    next: formatCursor(after),
    hasOlder: all.some((p) => before.get(p)! > low.get(p)!),
    hasNewer: all.some((p) => after.get(p)! < high.get(p)!),
    scanned,
    messages: taken,
  };
}
