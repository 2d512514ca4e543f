/**
 * A Fetch path that hands out records without building an object per record. Fetch v12 goes
 * through @platformatic/kafka's `Connection.send` with our own response parser, which only splits
 * the response per partition (numbers, not bigints; the record set stays raw bytes). A
 * `RecordCursor` (or `visitRecords`, a loop over one) then walks the RecordBatch v2 bytes of one
 * partition, a batch at a time as the cursor reaches it: CRC-32C checked (on by default),
 * compressed batches inflated with the library's codecs, control batches and records before the
 * fetch position skipped, and for read_committed the records of aborted transactions dropped
 * using the response's aborted-transaction list. The cursor is the view of the record it is on
 * (offsets, timestamps and byte ranges as numbers; `key()`, `value()` and
 * `headers()` cut subarrays only when asked).
 *
 * Offsets, timestamps and producer ids are JavaScript numbers: exact below 2^53, which real logs
 * stay far below. Not done: fetch sessions (KIP-227; every request names all its partitions),
 * preferred read replicas (always reads the leader), message formats v0/v1 (a precise error).
 */
import { crc32c } from '@node-rs/crc32';
import {
  type Broker,
  type Connection,
  ConnectionPool,
  compressionsAlgorithmsByBitmask,
  NetworkError,
  type Reader,
  Writer,
} from '@platformatic/kafka';
import type { KafkaConnectionOptions } from './connection-options.ts';
import {
  BATCH_HEADER_BYTES,
  COMPRESSION_MASK,
  CONTROL,
  LOG_APPEND_TIME,
  TRANSACTIONAL,
} from './record-batch-format.ts';
import { assembleFrames, ResponseBufferPool } from './response-frames.ts';

const FETCH_KEY = 1;
const FETCH_VERSION = 12;
const TWO_32 = 4294967296;

/** Partition errors after which the leader may have moved (metadata is refreshed before the next fetch). */
const LEADERSHIP_ERRORS = new Set([3, 5, 6, 74, 75]);

export interface AbortedRange {
  producerId: number;
  firstOffset: number;
}

/** One partition of a fetch response; `records` is the raw record set (null when empty). */
export interface FetchedPartition {
  topic: string;
  partition: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** Aborted transactions in this range (read_committed only), or null. */
  aborted: AbortedRange[] | null;
  records: Buffer | null;
}

export interface RawFetchRequest {
  partitions: { topic: string; partition: number; fetchOffset: number; maxBytes: number }[];
  maxWaitMs: number;
  minBytes?: number;
  /** Bytes for the whole response (per leader); default: the sum of the partitions' maxBytes. */
  maxBytes?: number;
  isolationLevel: 0 | 1;
}

/** Where partition leaders are: a @platformatic/kafka client (Consumer, Producer, Admin) fits. */
export interface MetadataSource {
  metadata(options: { topics: string[]; forceUpdate?: boolean }): Promise<{
    brokers: Map<number, Broker>;
    topics: Map<string, { partitions: { leader: number }[] }>;
  }>;
}

export class RawFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RawFetchError';
  }
}

// ------------------------------------------------------------------ response parsing

/** Read cursor of the decode helpers below (one parse runs at a time: they are synchronous). */
let pos = 0;

function uvarint(b: Buffer): number {
  let v = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = b[pos++]!;
    if (byte === undefined) throw new RawFetchError('truncated varint');
    v += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80 && shift < 63);
  return v;
}

/** Zigzag varint (int32 in the record format). */
function varint(b: Buffer): number {
  let byte = b[pos++]!;
  let v = byte & 0x7f;
  let shift = 7;
  while (byte & 0x80 && shift < 35) {
    byte = b[pos++]!;
    v |= (byte & 0x7f) << shift;
    shift += 7;
  }
  return (v >>> 1) ^ -(v & 1);
}

/** Zigzag varlong as a number (exact below 2^53). */
function varlong(b: Buffer): number {
  let byte = b[pos++]!;
  if ((byte & 0x80) === 0) return (byte >>> 1) ^ -(byte & 1);
  let v = byte & 0x7f;
  let mul = 128;
  do {
    byte = b[pos++]!;
    v += (byte & 0x7f) * mul;
    mul *= 128;
  } while (byte & 0x80 && mul < 2 ** 70);
  return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
}

function int64(b: Buffer, at: number): number {
  return b.readInt32BE(at) * TWO_32 + b.readUInt32BE(at + 4);
}

function skipTaggedFields(b: Buffer): void {
  const n = uvarint(b);
  for (let i = 0; i < n; i++) {
    uvarint(b);
    pos += uvarint(b);
  }
}

function compactString(b: Buffer): string {
  const n = uvarint(b) - 1;
  if (n < 0) return '';
  const s = b.toString('utf8', pos, pos + n);
  pos += n;
  return s;
}

/** Parses a Fetch v12 response body into partitions (records left as raw bytes). */
export function parseFetchResponse(b: Buffer): { errorCode: number; partitions: FetchedPartition[] } {
  pos = 0;
  pos += 4; // throttle_time_ms
  const errorCode = b.readInt16BE(pos);
  pos += 2 + 4; // error_code, session_id
  const partitions: FetchedPartition[] = [];
  const topics = uvarint(b) - 1;
  for (let t = 0; t < topics; t++) {
    const topic = compactString(b);
    const count = uvarint(b) - 1;
    for (let i = 0; i < count; i++) {
      const partition = b.readInt32BE(pos);
      const partitionError = b.readInt16BE(pos + 4);
      const highWatermark = int64(b, pos + 6);
      const lastStableOffset = int64(b, pos + 14);
      const logStartOffset = int64(b, pos + 22);
      pos += 30;
      const n = uvarint(b) - 1;
      let aborted: AbortedRange[] | null = null;
      if (n > 0) {
        aborted = [];
        for (let a = 0; a < n; a++) {
          aborted.push({ producerId: int64(b, pos), firstOffset: int64(b, pos + 8) });
          pos += 16;
          skipTaggedFields(b);
        }
      }
      pos += 4; // preferred_read_replica
      const size = uvarint(b) - 1;
      let records: Buffer | null = null;
      if (size > 0) {
        if (pos + size > b.length) throw new RawFetchError('fetch response shorter than its record set');
        records = b.subarray(pos, pos + size);
        pos += size;
      }
      skipTaggedFields(b);
      partitions.push({
        topic,
        partition,
        errorCode: partitionError,
        highWatermark,
        lastStableOffset,
        logStartOffset,
        aborted,
        records,
      });
    }
    skipTaggedFields(b);
  }
  return { errorCode, partitions };
}

function parseResponse(_correlationId: number, _apiKey: number, _apiVersion: number, reader: Reader) {
  return parseFetchResponse(reader.buffer.subarray(reader.position).buffer);
}

function fetchRequest(
  request: RawFetchRequest,
  partitions: RawFetchRequest['partitions'],
  maxBytes: number,
): Writer {
  const byTopic = new Map<string, RawFetchRequest['partitions']>();
  for (const p of partitions) {
    let list = byTopic.get(p.topic);
    if (!list) byTopic.set(p.topic, (list = []));
    list.push(p);
  }
  return Writer.create()
    .appendInt32(-1) // replica_id
    .appendInt32(request.maxWaitMs)
    .appendInt32(request.minBytes ?? 1)
    .appendInt32(maxBytes)
    .appendInt8(request.isolationLevel)
    .appendInt32(0) // session_id: no fetch session
    .appendInt32(-1) // session_epoch -1: full request, no session created
    .appendArray([...byTopic], (w, [topic, list]) => {
      w.appendString(topic).appendArray(list, (w, p) => {
        w.appendInt32(p.partition)
          .appendInt32(-1) // current_leader_epoch
          .appendInt64(BigInt(p.fetchOffset))
          .appendInt32(-1) // last_fetched_epoch
          .appendInt64(-1n) // log_start_offset (followers only)
          .appendInt32(p.maxBytes);
      });
    })
    .appendArray([], () => {}) // forgotten_topics_data
    .appendString('') // rack_id
    .appendTaggedFields();
}

function send(
  connection: Connection,
  payload: () => Writer,
): Promise<{ errorCode: number; partitions: FetchedPartition[] }> {
  return new Promise((resolve, reject) => {
    connection.send(FETCH_KEY, FETCH_VERSION, payload, parseResponse, true, true, (err, result) => {
      if (err) reject(err);
      else resolve(result!);
    });
  });
}

/**
 * Sends Fetch requests to partition leaders over its own connections (a long poll here never
 * holds up other requests of the client it takes metadata from).
 */
export class RawFetcher {
  readonly #pool: ConnectionPool;
  readonly #metadata: MetadataSource;
  readonly #retries: number;
  readonly #retryDelayMs: number;
  /** Buffers of responses that span socket chunks (response-frames.ts), given back by `release`. */
  readonly #buffers = new ResponseBufferPool();
  #forceMetadata = false;

  constructor(options: {
    clientId: string;
    connection: Omit<KafkaConnectionOptions, 'bootstrapBrokers'>;
    metadata: MetadataSource;
    requestTimeoutMs?: number;
    /** Attempts after a lost connection or timeout before `fetch` rejects (default 5). */
    retries?: number;
    retryDelayMs?: number;
  }) {
    const c = options.connection;
    this.#pool = new ConnectionPool(options.clientId, {
      connectTimeout: 5_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      ...(c.tls ? { tls: c.tls } : {}),
      ...(c.tlsServerName ? { tlsServerName: c.tlsServerName } : {}),
      ...(c.sasl ? { sasl: c.sasl } : {}),
    });
    this.#metadata = options.metadata;
    this.#retries = options.retries ?? 5;
    this.#retryDelayMs = options.retryDelayMs ?? 250;
  }

  /**
   * One Fetch per leader of the given partitions, in parallel. Partition errors come back as
   * `errorCode` values (a leadership error refreshes metadata before the next call); a lost
   * connection or a timeout is retried (fresh metadata, `retries` times) before it rejects.
   */
  async fetch(request: RawFetchRequest): Promise<FetchedPartition[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#fetchOnce(request);
      } catch (err) {
        if (attempt >= this.#retries || !NetworkError.isRetryable(err as Error)) throw err;
        this.#forceMetadata = true;
        await new Promise((resolve) => setTimeout(resolve, this.#retryDelayMs));
      }
    }
  }

  async #fetchOnce(request: RawFetchRequest): Promise<FetchedPartition[]> {
    if (request.partitions.length === 0) return [];
    const topics = [...new Set(request.partitions.map((p) => p.topic))];
    const metadata = await this.#metadata.metadata({ topics, forceUpdate: this.#forceMetadata });
    this.#forceMetadata = false;
    const byLeader = new Map<number, RawFetchRequest['partitions']>();
    for (const p of request.partitions) {
      const info = metadata.topics.get(p.topic);
      if (!info) throw new RawFetchError(`topic ${p.topic} does not exist`);
      const leader = info.partitions[p.partition]?.leader;
      if (leader === undefined) throw new RawFetchError(`topic ${p.topic} has no partition ${p.partition}`);
      let list = byLeader.get(leader);
      if (!list) byLeader.set(leader, (list = []));
      list.push(p);
    }
    const responses = await Promise.all(
      [...byLeader].map(async ([leader, partitions]) => {
        const broker = metadata.brokers.get(leader);
        if (!broker) {
          this.#forceMetadata = true;
          throw new RawFetchError(`no broker ${leader} (leader of ${partitions[0]!.topic}) in the metadata`);
        }
        const connection = await this.#pool.get(broker);
        // whole responses to the connection: no Buffer.concat of each one's socket chunks
        assembleFrames(connection.socket, this.#buffers);
        const maxBytes = request.maxBytes ?? partitions.reduce((sum, p) => sum + p.maxBytes, 0);
        const response = await send(connection, () => fetchRequest(request, partitions, maxBytes));
        if (response.errorCode !== 0)
          throw new RawFetchError(`fetch from broker ${leader} failed with error code ${response.errorCode}`);
        return response.partitions;
      }),
    );
    const out = responses.flat();
    for (const p of out) if (LEADERSHIP_ERRORS.has(p.errorCode)) this.#forceMetadata = true;
    return out;
  }

  /**
   * Gives back the buffer of a fetch response (`records` of any of its partitions) for a later
   * response. Only when nothing reads any byte of that response any more — none of its
   * partitions' records, nor any view of them (`key()`, `value()`, `headers()`) kept anywhere:
   * the next response is written over it. Never calling it is always safe.
   */
  release(records: Buffer): void {
    this.#buffers.give(records);
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}

// ------------------------------------------------------------------ record batches

const EMPTY = Buffer.alloc(0);
const NO_HEADERS = Object.freeze([]) as unknown as [string, Buffer | null][];

/**
 * The record being visited. Reused for every record of a walk: read what you need inside the
 * visitor; `key()`, `value()` and `headers()` return views of the fetched bytes (copy them to keep
 * them past the fetch response's lifetime only if that matters to you).
 */
export class RecordView {
  /** Bytes holding this record (the record set, or an inflated compressed batch). */
  buffer: Buffer = EMPTY;
  offset = 0;
  /** Milliseconds since the epoch (the batch's max timestamp for LogAppendTime topics). */
  timestamp = 0;
  keyStart = 0;
  /** -1 for a null key. */
  keyLength = -1;
  valueStart = 0;
  /** -1 for a null value (a tombstone). */
  valueLength = -1;
  headerCount = 0;
  headersStart = 0;
  /** The batch's producer id (-1 when not idempotent). */
  producerId = -1;

  key(): Buffer | null {
    return this.keyLength < 0 ? null : this.buffer.subarray(this.keyStart, this.keyStart + this.keyLength);
  }

  value(): Buffer | null {
    return this.valueLength < 0
      ? null
      : this.buffer.subarray(this.valueStart, this.valueStart + this.valueLength);
  }

  /** Headers as [key, value] pairs (a shared frozen empty array when there are none). */
  headers(): [string, Buffer | null][] {
    if (this.headerCount === 0) return NO_HEADERS;
    const b = this.buffer;
    const saved = pos;
    pos = this.headersStart;
    const out: [string, Buffer | null][] = [];
    for (let i = 0; i < this.headerCount; i++) {
      const kl = varint(b);
      const k = b.toString('utf8', pos, pos + kl);
      pos += kl;
      const vl = varint(b);
      out.push([k, vl < 0 ? null : b.subarray(pos, pos + vl)]);
      if (vl > 0) pos += vl;
    }
    pos = saved;
    return out;
  }
}

export type RecordVisitor = (record: RecordView) => void;

export interface VisitOptions {
  /** Check each batch's CRC-32C before handing out its records (default true). */
  verifyCrc?: boolean;
  /** Stop before records at or past this offset (exclusive; e.g. a restore's end offset). */
  endOffset?: number;
}

/**
 * Where the next fetch starts after a record set: past its last complete batch (control batches
 * included), or `position` when none is complete. Reads batch headers only.
 */
export function nextOffset(records: Buffer | null, position: number): number {
  if (records === null) return position;
  let next = position;
  let at = 0;
  while (records.length - at >= 12) {
    const end = at + 12 + records.readInt32BE(at + 8);
    if (end > records.length || end < at + BATCH_HEADER_BYTES) break;
    const last = int64(records, at) + records.readInt32BE(at + 23);
    if (last + 1 > next) next = last + 1;
    at = end;
  }
  return next;
}

/**
 * About how many records a reader at `position` sees in a record set, from the batch headers only:
 * the records of the complete data batches, less those before `position` (exact unless offsets
 * are missing there, as in compacted logs, or a read_committed reader drops aborted batches).
 */
export function estimateRecords(records: Buffer | null, position: number): number {
  if (records === null) return 0;
  let n = 0;
  let at = 0;
  while (records.length - at >= 12) {
    const end = at + 12 + records.readInt32BE(at + 8);
    if (end > records.length || end < at + BATCH_HEADER_BYTES) break;
    const base = int64(records, at);
    const last = base + records.readInt32BE(at + 23);
    if ((records.readInt16BE(at + 21) & CONTROL) === 0 && last >= position)
      n += Math.max(0, records.readInt32BE(at + 57) - Math.max(0, position - base));
    at = end;
  }
  return n;
}

/** True when a control batch's first record is an ABORT marker (key: version int16, type int16 = 0). */
function isAbortMarker(b: Buffer, start: number, end: number): boolean {
  pos = start;
  varint(b); // length
  pos += 1; // attributes
  varlong(b); // timestamp delta
  varint(b); // offset delta
  const keyLength = varint(b);
  return keyLength >= 4 && pos + 4 <= end && b.readInt16BE(pos + 2) === 0;
}

/**
 * Reads the complete record batches of one fetched partition one record at a time: `next()`
 * moves to the next record a reader at `fetchOffset` should see (the cursor is that record's
 * view) and returns false when there is none left. Batches are checked and opened as the cursor
 * reaches them (CRC-32C, control batches and aborted transactions skipped, compressed batches
 * inflated), so records can wait in a fetch response without an object each. `nextFetchOffset`
 * is where the next fetch starts once the cursor has gone through the whole record set.
 */
export class RecordCursor extends RecordView {
  private readonly fetched: Pick<FetchedPartition, 'records' | 'aborted' | 'topic' | 'partition'>;
  private readonly records: Buffer;
  private readonly fetchOffset: number;
  private readonly endOffset: number;
  private readonly verifyCrc: boolean;
  private readonly pending: AbortedRange[];
  private abortedProducers: Set<number> | null = null;
  /** Start of the next batch in the record set. */
  private at = 0;
  /** Position of the next record in `buffer`, the end of its batch's records, records left there. */
  private p = 0;
  private end = 0;
  private left = 0;
  private baseOffset = 0;
  private baseTimestamp = 0;
  private appendTime = -1;
  private after = 0;

  constructor(
    fetched: Pick<FetchedPartition, 'records' | 'aborted' | 'topic' | 'partition'>,
    fetchOffset: number,
    options: VisitOptions = {},
  ) {
    super();
    this.fetched = fetched;
    this.records = fetched.records ?? EMPTY;
    this.fetchOffset = fetchOffset;
    this.after = fetchOffset;
    this.endOffset = options.endOffset ?? Number.POSITIVE_INFINITY;
    this.verifyCrc = options.verifyCrc ?? true;
    this.pending =
      fetched.aborted !== null && fetched.aborted.length > 0
        ? [...fetched.aborted].sort((x, y) => x.firstOffset - y.firstOffset)
        : [];
  }

  /** Where the next fetch starts: after the last complete batch passed so far, or `fetchOffset`. */
  get nextFetchOffset(): number {
    return this.after;
  }

  /** Moves to the next record; false when the record set has no more. */
  next(): boolean {
    for (;;) {
      while (this.left > 0) {
        this.left--;
        const rb = this.buffer;
        pos = this.p;
        const length = varint(rb);
        const recordEnd = pos + length;
        if (length < 0 || recordEnd > this.end)
          throw new RawFetchError(
            `${where(this.fetched)}: batch at offset ${this.baseOffset} has a truncated record`,
          );
        pos += 1; // attributes
        const timestampDelta = varlong(rb);
        const offset = this.baseOffset + varint(rb);
        this.p = recordEnd;
        if (offset < this.fetchOffset) continue;
        if (offset >= this.endOffset) {
          this.left = 0;
          break;
        }
        const kl = varint(rb);
        this.keyStart = pos;
        this.keyLength = kl;
        if (kl > 0) pos += kl;
        const vl = varint(rb);
        this.valueStart = pos;
        this.valueLength = vl;
        if (vl > 0) pos += vl;
        this.headerCount = varint(rb);
        this.headersStart = pos;
        if (pos > recordEnd)
          throw new RawFetchError(`${where(this.fetched)}: record at offset ${offset} overruns its length`);
        this.offset = offset;
        this.timestamp = this.appendTime >= 0 ? this.appendTime : this.baseTimestamp + timestampDelta;
        return true;
      }
      if (!this.openBatch()) return false;
    }
  }

  /** Opens the next batch with records to read; false at the end of the complete batches. */
  private openBatch(): boolean {
    const b = this.records;
    const pending = this.pending;
    while (b.length - this.at >= 12) {
      const at = this.at;
      const batchLength = b.readInt32BE(at + 8);
      const batchEnd = at + 12 + batchLength;
      if (batchEnd > b.length) return false; // a partial batch at the end of the response
      const baseOffset = int64(b, at);
      if (batchLength < BATCH_HEADER_BYTES - 12)
        throw new RawFetchError(
          `${where(this.fetched)}: batch at offset ${baseOffset} is too short (${batchLength})`,
        );
      const magic = b[at + 16]!;
      if (magic !== 2)
        throw new RawFetchError(
          `${where(this.fetched)}: batch at offset ${baseOffset} has message format v${magic} (only v2 is read)`,
        );
      if (this.verifyCrc) {
        const crc = b.readUInt32BE(at + 17);
        const actual = crc32c(b.subarray(at + 21, batchEnd)) >>> 0;
        if (crc !== actual)
          throw new RawFetchError(
            `${where(this.fetched)}: batch at offset ${baseOffset} is corrupt (CRC-32C ${actual.toString(16)}, expected ${crc.toString(16)})`,
          );
      }
      const attributes = b.readInt16BE(at + 21);
      const lastOffset = baseOffset + b.readInt32BE(at + 23);
      const producerId = int64(b, at + 43);
      this.at = batchEnd;
      if (lastOffset + 1 > this.after) this.after = lastOffset + 1;
      while (pending.length > 0 && pending[0]!.firstOffset <= lastOffset) {
        this.abortedProducers ??= new Set();
        this.abortedProducers.add(pending.shift()!.producerId);
      }
      if (attributes & CONTROL) {
        if (this.abortedProducers?.has(producerId) && isAbortMarker(b, at + BATCH_HEADER_BYTES, batchEnd))
          this.abortedProducers.delete(producerId);
        continue;
      }
      if (attributes & TRANSACTIONAL && this.abortedProducers?.has(producerId)) continue;
      if (lastOffset < this.fetchOffset || baseOffset >= this.endOffset) continue;
      let rb = b;
      let p = at + BATCH_HEADER_BYTES;
      let end = batchEnd;
      const codec = attributes & COMPRESSION_MASK;
      if (codec !== 0) {
        const algorithm = (
          compressionsAlgorithmsByBitmask as unknown as {
            [k: number]: { decompressSync(d: Buffer): Buffer } | undefined;
          }
        )[codec];
        if (!algorithm)
          throw new RawFetchError(
            `${where(this.fetched)}: batch at offset ${baseOffset} uses unknown compression ${codec}`,
          );
        rb = algorithm.decompressSync(b.subarray(p, batchEnd));
        p = 0;
        end = rb.length;
      }
      this.buffer = rb;
      this.producerId = producerId;
      this.p = p;
      this.end = end;
      this.left = b.readInt32BE(at + 57);
      this.baseOffset = baseOffset;
      this.baseTimestamp = int64(b, at + 27);
      this.appendTime = (attributes & LOG_APPEND_TIME) !== 0 ? int64(b, at + 35) : -1;
      return true;
    }
    return false;
  }
}

/**
 * Walks the complete record batches of one fetched partition, calling `visit` for each record a
 * reader at `fetchOffset` should see (through one reused view: the cursor). Returns where the
 * next fetch starts: after the last complete batch (control batches included), or `fetchOffset`
 * when no batch is complete yet.
 */
export function visitRecords(
  fetched: Pick<FetchedPartition, 'records' | 'aborted' | 'topic' | 'partition'>,
  fetchOffset: number,
  visit: RecordVisitor,
  options: VisitOptions = {},
): number {
  if (fetched.records === null) return fetchOffset;
  const cursor = new RecordCursor(fetched, fetchOffset, options);
  while (cursor.next()) visit(cursor);
  return cursor.nextFetchOffset;
}

function where(p: Pick<FetchedPartition, 'topic' | 'partition'>): string {
  return `${p.topic}-${p.partition}`;
}
