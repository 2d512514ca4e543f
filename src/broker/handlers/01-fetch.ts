/**
 * Fetch (key 1), versions 4-17. Serves whole record batches straight from the log (no re-encoding,
 * no copy into the response). Long poll: when fewer than min_bytes are available the request waits
 * up to max_wait_ms and is answered as soon as an append brings enough data. Per-partition
 * partition_max_bytes and the response-wide max_bytes are honoured, but the first partition with
 * data always returns at least one whole batch (KIP-74). Topics by name (v4-12) or by id (v13+).
 *
 * Fetch sessions (KIP-227, v7+) are answered sessionless: session id 0 tells the client no session
 * was created, so it keeps sending full fetches; a request naming a session id we never issued gets
 * FETCH_SESSION_ID_NOT_FOUND. read_committed (isolation_level 1) gets batches only below the last
 * stable offset (first offset of the oldest open transaction) plus the aborted transactions that
 * overlap the returned range; its long poll wakes when the last stable offset moves. v0-3 are not offered: they need magic 0/1 down-conversion.
 * Authorization: READ on each topic, else TOPIC_AUTHORIZATION_FAILED for its partitions (by id:
 * an unknown id stays UNKNOWN_TOPIC_ID).
 * Sizes are validated: a negative partition_max_bytes answers that partition INVALID_REQUEST; a
 * negative max_bytes or an isolation level other than 0/1 answers the request INVALID_REQUEST
 * (top level from v7, and every partition). Negative or huge fetch offsets are OFFSET_OUT_OF_RANGE.
 * A partition whose log holds a damaged batch where the read starts answers CORRUPT_MESSAGE (the
 * storage layer logs it once per segment), as Kafka does, so clients surface it instead of waiting.
 * A consumer over its `consumer_byte_rate` quota gets, as from Kafka, an empty answer with the
 * throttle time (its bytes are not counted) and its connection muted for that long.
 * Reads go into pooled buffers released once the answer is written; a consumer catching up is
 * served from read-ahead started by its previous Fetch (log/read-ahead.ts), waited for if in flight.
 * Memory: an answer reads no more than the connection may still hold for unsent responses
 * (queued.max.response.bytes and its per-connection share, response-memory.ts) — fewer bytes than
 * max_bytes, or none, when the client is not reading its answers — but at least one batch when the
 * connection holds nothing else, so every consumer progresses.
 */

import { readInt64 } from '../../log/int64.ts';
import { largestReadWithin, type ReadLease } from '../../log/read-buffers.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { type FetchRequest, readFetchRequest } from '../../protocol/generated/messages/fetch-request.ts';
import {
  defaultFetchResponsePartitionData,
  type FetchResponse,
  type FetchResponsePartitionData,
  writeFetchResponse,
} from '../../protocol/generated/messages/fetch-response.ts';
import { batchSize, OFFSET_LAST_OFFSET_DELTA } from '../../protocol/records/batch-header.ts';
import { canTopic, Operation } from '../authz.ts';
import { defineHandler, type RequestContext, serves } from '../handler.ts';
import type { TopicCounters } from '../metrics.ts';
import type { PartitionLogHandle } from '../topics.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(1, 4, 17);

/** Kafka answers "no data" with an empty record set, never null: librdkafka rejects size -1. */
const NO_RECORDS = Buffer.alloc(0);

interface Slot {
  topicIndex: number;
  out: FetchResponsePartitionData;
  log: PartitionLogHandle | undefined;
  fetchOffset: number;
  maxBytes: number;
  /** The topic's metrics counters, when metrics are on and the topic exists. */
  stats: TopicCounters | undefined;
}

function plan(req: FetchRequest, ctx: RequestContext, res: FetchResponse): Slot[] {
  const { topics } = ctx.services;
  const byId = ctx.apiVersion >= 13;
  const slots: Slot[] = [];
  for (const t of req.topics) {
    const info = byId ? topics.getById(t.topicId) : topics.get(t.topic);
    const name = byId ? info?.name : t.topic;
    const denied = name !== undefined && !canTopic(ctx, Operation.READ, name);
    const topicIndex = res.responses.length;
    const stats = info && !denied ? ctx.services.metrics?.topic(info.name) : undefined;
    res.responses.push({ topic: t.topic, topicId: t.topicId, partitions: [] });
    for (const p of t.partitions) {
      const out = defaultFetchResponsePartitionData();
      out.partitionIndex = p.partition;
      out.records = NO_RECORDS;
      let log = info && !denied ? topics.partition(info.name, p.partition) : undefined;
      if (log && p.partitionMaxBytes < 0) {
        // Kafka clients never send this; a fuzzer does. The partition is refused, not read.
        out.errorCode = ErrorCode.INVALID_REQUEST;
        out.highWatermark = -1n;
        log = undefined;
      } else if (!log) {
        out.errorCode = denied
          ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
          : byId && !info
            ? ErrorCode.UNKNOWN_TOPIC_ID
            : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        out.highWatermark = -1n;
      }
      res.responses[topicIndex]!.partitions.push(out);
      slots.push({
        topicIndex,
        out,
        log,
        fetchOffset: Number(p.fetchOffset),
        maxBytes: p.partitionMaxBytes,
        stats,
      });
    }
  }
  return slots;
}

/** Read-aheads still in flight for these fetch positions (read-ahead.ts); usually none. */
function readAheadsInFlight(slots: Slot[]): Promise<unknown> | undefined {
  let pending: Promise<void>[] | undefined;
  for (const s of slots) {
    const ready = s.log?.whenReadAheadReady(s.fetchOffset);
    if (ready) (pending ??= []).push(ready);
  }
  return pending && Promise.all(pending);
}

/**
 * Reads every partition once, within the memory the connection may still hold for unsent answers
 * (ctx.responseBudget); returns the number of record bytes gathered and reports what the lease holds.
 */
function readAll(
  slots: Slot[],
  requestMaxBytes: number,
  readCommitted: boolean,
  lease: ReadLease,
  ctx: RequestContext,
): number {
  const memory = ctx.responseBudget();
  const responseMaxBytes = Math.min(requestMaxBytes, largestReadWithin(memory.bytes));
  const leasedBefore = lease.bytes;
  let total = 0;
  for (const s of slots) {
    if (!s.log) continue;
    // Memory left: each partition's read takes a whole pooled buffer (a power of two).
    const memoryLeft = memory.bytes - (lease.bytes - leasedBefore);
    const budget = Math.min(s.maxBytes, Math.max(responseMaxBytes - total, 0), largestReadWithin(memoryLeft));
    const lastStableOffset = s.log.lastStableOffset;
    const result = s.log.read(s.fetchOffset, budget, {
      minOneBatch: total === 0 && memory.atLeastOneBatch,
      allocate: lease.allocate,
      adopt: lease.adopt,
      adoptMaxBytes: memoryLeft,
      ...(readCommitted ? { maxOffset: lastStableOffset } : {}),
    });
    s.out.highWatermark = BigInt(result.highWatermark);
    s.out.lastStableOffset = BigInt(lastStableOffset);
    s.out.logStartOffset = BigInt(result.logStartOffset);
    if ('error' in result) {
      s.out.errorCode = ErrorCode[result.error];
      s.out.records = NO_RECORDS;
      continue;
    }
    s.out.errorCode = ErrorCode.NONE;
    s.out.records = result.records ?? NO_RECORDS;
    s.out.abortedTransactions = readCommitted ? abortedIn(s.log, s.fetchOffset, s.out.records) : null;
    total += result.records?.length ?? 0;
  }
  // Small reads are plain allocations, outside the lease: count the larger of the two.
  ctx.holdBytes(Math.max(lease.bytes, total));
  return total;
}

/** Bumps each topic's metrics counters with what its partitions returned (metrics.ts). */
function countFetched(slots: Slot[]): void {
  for (const s of slots) {
    if (!s.stats) continue;
    s.stats.fetchRequests++;
    if (s.out.errorCode !== ErrorCode.NONE) s.stats.failedFetchRequests++;
    else s.stats.bytesOut += s.out.records?.length ?? 0;
  }
}

/** Longest long poll honoured; clients ask for 100-500 ms, this bounds timers a client can park. */
const MAX_WAIT_MS = 30_000;

/** Aborted transactions overlapping the returned batches (Kafka's FetchResponse aborted list). */
function abortedIn(log: PartitionLogHandle, fetchOffset: number, records: Buffer) {
  if (records.length === 0) return [];
  let end = fetchOffset;
  for (let at = 0; at < records.length; at += batchSize(records, at)) {
    end = readInt64(records, at) + records.readInt32BE(at + OFFSET_LAST_OFFSET_DELTA) + 1;
  }
  return log
    .abortedTransactions(fetchOffset, end)
    .map((a) => ({ producerId: BigInt(a.producerId), firstOffset: BigInt(a.firstOffset) }));
}

function waitForData(
  slots: Slot[],
  maxWaitMs: number,
  ready: () => boolean,
  closed: AbortSignal,
): Promise<void> {
  return new Promise((resolve) => {
    if (closed.aborted) {
      resolve();
      return;
    }
    const unsubscribes: (() => void)[] = [];
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      closed.removeEventListener('abort', finish);
      for (const u of unsubscribes) u();
      resolve();
    };
    const timer = setTimeout(finish, Math.min(maxWaitMs, MAX_WAIT_MS));
    closed.addEventListener('abort', finish);
    const seen = new Set<PartitionLogHandle>();
    for (const s of slots) {
      if (!s.log || seen.has(s.log)) continue;
      seen.add(s.log);
      unsubscribes.push(
        s.log.onAppend(() => {
          if (ready()) finish();
        }),
      );
    }
  });
}

export const fetchHandler = defineHandler<FetchRequest, FetchResponse>({
  ...SERVES,
  name: 'Fetch',
  readRequest: readFetchRequest,
  writeResponse: writeFetchResponse,
  async handle(req, ctx) {
    const res: FetchResponse = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [],
      nodeEndpoints: [],
    };
    if (ctx.apiVersion >= 7 && req.sessionId !== 0) {
      res.errorCode = ErrorCode.FETCH_SESSION_ID_NOT_FOUND;
      return res;
    }
    const responseMaxBytes = ctx.apiVersion >= 3 ? req.maxBytes : Number.MAX_SAFE_INTEGER;
    const slots = plan(req, ctx, res);
    if (responseMaxBytes < 0 || (req.isolationLevel !== 0 && req.isolationLevel !== 1)) {
      // A negative response size or an isolation level Kafka does not define: nothing is read.
      res.errorCode = ErrorCode.INVALID_REQUEST;
      for (const s of slots) {
        s.out.errorCode = ErrorCode.INVALID_REQUEST;
        s.out.highWatermark = -1n;
      }
      return res;
    }
    const readCommitted = req.isolationLevel === 1;
    // Records are read into pooled buffers, returned once the response is written to the socket.
    const lease = ctx.services.logs.readBuffers.lease();
    ctx.holdUntilWritten(() => lease.release());
    const inFlight = readAheadsInFlight(slots);
    if (inFlight) await inFlight;
    const gathered = readAll(slots, responseMaxBytes, readCommitted, lease, ctx);
    const anyError = slots.some((s) => s.out.errorCode !== ErrorCode.NONE);
    if (gathered < req.minBytes && req.maxWaitMs > 0 && !anyError && slots.length > 0) {
      // Wake on appends: count bytes appended past each position without reading them.
      const start = slots.map((s) => (s.log ? s.log.appendedBytes : 0));
      const lastStableAtStart = slots.map((s) => (s.log ? s.log.lastStableOffset : 0));
      const ready = (): boolean => {
        // read_committed: data becomes visible when the last stable offset moves (e.g. EndTxn).
        if (readCommitted)
          return slots.some((s, i) => s.log !== undefined && s.log.lastStableOffset !== lastStableAtStart[i]);
        let appended = 0;
        for (const [i, s] of slots.entries()) if (s.log) appended += s.log.appendedBytes - start[i]!;
        return gathered + appended >= req.minBytes;
      };
      const metrics = ctx.services.metrics;
      if (metrics) metrics.fetchPurgatory++;
      await waitForData(slots, req.maxWaitMs, ready, ctx.connection.closed);
      if (metrics) metrics.fetchPurgatory--;
      readAll(slots, responseMaxBytes, readCommitted, lease, ctx);
    }
    if (ctx.services.metrics) countFetched(slots);
    const quotas = ctx.services.quotas;
    if (quotas.enabled('consumer_byte_rate')) {
      let bytes = 0;
      for (const s of slots) bytes += s.out.records?.length ?? 0;
      const { principal } = ctx.connection;
      const throttle = quotas.record('consumer_byte_rate', principal, ctx.clientId, bytes);
      if (throttle > 0) {
        quotas.unrecord('consumer_byte_rate', principal, ctx.clientId, bytes);
        ctx.throttle(throttle);
        return { ...res, throttleTimeMs: throttle, responses: [] };
      }
    }
    return res;
  },
  errorResponse(req, errorCode) {
    // Every requested partition carries the error too: before v7 there is no top-level code.
    const responses = req.topics.map((t) => ({
      topic: t.topic,
      topicId: t.topicId,
      partitions: t.partitions.map((p) => ({
        ...defaultFetchResponsePartitionData(),
        partitionIndex: p.partition,
        errorCode,
        records: NO_RECORDS,
      })),
    }));
    return { throttleTimeMs: 0, errorCode, sessionId: 0, responses, nodeEndpoints: [] };
  },
});
