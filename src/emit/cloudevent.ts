/**
 * CloudEvents 1.0 in the Kafka protocol binding: turns `emit(type, data, options)` into the Kafka
 * record the emitter queues. Binary content mode (the default) puts every attribute in a `ce_<name>`
 * header (UTF-8), `datacontenttype` in the `content-type` header and the data bytes as the value;
 * structured mode puts the JSON event format (`application/cloudevents+json; charset=UTF-8`) in the
 * value. The caller's partition key is the Kafka key; it is not added as an attribute (the binding's
 * key-mapping rule for out-of-band keys).
 *
 * Data: a Buffer/Uint8Array is sent as-is (`application/octet-stream` unless given; base64 in
 * `data_base64` in structured mode); a string with a non-JSON `datacontenttype` is sent as UTF-8;
 * anything else is JSON (`application/json`). `undefined` data is an event without data (no value in
 * binary mode). Programmer errors (empty type, data JSON cannot encode, a bad attribute name or time)
 * throw `EmitUsageError`. Not implemented: the batch content mode and event formats other than JSON.
 */
import { EventIds } from './event-id.ts';
import type { QueuedRecord } from './record.ts';

/** A mistake in the call itself (never a broker problem): thrown synchronously by `emit`. */
export class EmitUsageError extends TypeError {
  override readonly name = 'EmitUsageError';
}

export type ContentMode = 'binary' | 'structured';

export interface EmitOptions {
  /** The partition key (user id, session id, org id): one key's events stay in order. */
  key?: string | Buffer;
  /** Topic for this event (defaults to the emitter's). */
  topic?: string;
  /** CloudEvents `id` (default: a random UUID). */
  id?: string;
  /** CloudEvents `source` (default: the emitter's). */
  source?: string;
  /** CloudEvents `subject`. */
  subject?: string;
  /** CloudEvents `time` (default: now). */
  time?: Date | string;
  /** CloudEvents `datacontenttype` (default: from the data, see the module comment). */
  datacontenttype?: string;
  /** CloudEvents `dataschema` (a URI). */
  dataschema?: string;
  /** Extension attributes: names of lowercase letters and digits, values strings, numbers or booleans. */
  extensions?: Record<string, string | number | boolean>;
}

export const SPEC_VERSION = '1.0';
export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json; charset=UTF-8';

const RESERVED = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'dataschema',
  'data',
  'data_base64',
]);
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;
/** RFC 3339 date-time (what CloudEvents' Timestamp type is). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json(?:\s*;|$)|^text\/json(?:\s*;|$)/i;

// Header names are shared Buffers: the producer copies them into each record.
const H = {
  specversion: Buffer.from('ce_specversion'),
  id: Buffer.from('ce_id'),
  source: Buffer.from('ce_source'),
  type: Buffer.from('ce_type'),
  time: Buffer.from('ce_time'),
  subject: Buffer.from('ce_subject'),
  dataschema: Buffer.from('ce_dataschema'),
  contentType: Buffer.from('content-type'),
};
const STRUCTURED_VALUE = Buffer.from(STRUCTURED_CONTENT_TYPE);
// Whole headers that repeat are shared between records too: records' headers are read-only (the
// producer and the spool only read them), so an event allocates only its id header and its value.
type Header = [Buffer, Buffer];
const SPEC_VERSION_HEADER: Header = [H.specversion, Buffer.from(SPEC_VERSION)];
const JSON_HEADER: Header = [H.contentType, Buffer.from('application/json')];
const OCTET_HEADER: Header = [H.contentType, Buffer.from('application/octet-stream')];
const STRUCTURED_HEADER: Header = [H.contentType, STRUCTURED_VALUE];
/** `options` when the caller gave none (not a new object per event). */
const NO_OPTIONS: EmitOptions = Object.freeze({});

/** Per-emitter constants, so the common case allocates only the per-event values. */
export interface EncoderDefaults {
  topic: string;
  source: string;
  mode: ContentMode;
}

/** Small caches of header values that repeat (types, sources, content types). */
class ValueCache {
  readonly #map = new Map<string, Buffer>();
  get(value: string): Buffer {
    let b = this.#map.get(value);
    if (b === undefined) {
      b = Buffer.from(value);
      if (this.#map.size < 1024) this.#map.set(value, b);
    }
    return b;
  }
}

/** The same for whole headers of one name (`ce_type: item.viewed`, ...). */
class HeaderCache {
  readonly #name: Buffer;
  readonly #map = new Map<string, Header>();
  constructor(name: Buffer) {
    this.#name = name;
  }
  get(value: string): Header {
    let h = this.#map.get(value);
    if (h === undefined) {
      h = [this.#name, Buffer.from(value)];
      if (this.#map.size < 1024) this.#map.set(value, h);
    }
    return h;
  }
}

function nonEmpty(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new EmitUsageError(
      `CloudEvents attribute "${name}" must be a non-empty string, got ${describe(value)}`,
    );
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return value === '' ? 'an empty string' : JSON.stringify(value);
  return typeof value;
}

let lastMs = Number.NaN;
let lastTimeHeader: Header = [H.time, Buffer.alloc(0)];
/** `YYYY-MM-DDTHH:MM:SS.` of the second `second` (ms) starts at: written per second, not per event. */
let second = Number.NaN;
let secondPrefix = Buffer.alloc(0);
let timeSlab = Buffer.alloc(0);
let timeSlabAt = 0;
const ISO_BYTES = 24;

/**
 * `now` as an RFC 3339 `ce_time` header (`2026-05-22T14:08:17.103Z`), reused while the millisecond is
 * the same. At an app's rate each event is another millisecond, so the text up to the seconds is
 * kept per second and only the milliseconds are written, into a slab the headers are views of
 * (no `toISOString` and no Buffer of its own per event).
 */
function timeHeaderNow(now: number): Header {
  if (now !== lastMs) {
    lastMs = now;
    const ms = now % 1000;
    const start = now - ms;
    if (start !== second) {
      const iso = new Date(start).toISOString();
      if (iso.length !== ISO_BYTES || !Number.isInteger(now) || now < 0) {
        // Outside years 0000-9999 (or a fractional clock): the plain way.
        second = Number.NaN;
        lastTimeHeader = [H.time, Buffer.from(new Date(now).toISOString())];
        return lastTimeHeader;
      }
      second = start;
      secondPrefix = Buffer.from(iso.slice(0, 20), 'latin1');
    }
    if (timeSlabAt + ISO_BYTES > timeSlab.length) {
      timeSlab = Buffer.allocUnsafe(ISO_BYTES * 256);
      timeSlabAt = 0;
    }
    const at = timeSlabAt;
    secondPrefix.copy(timeSlab, at);
    timeSlab[at + 20] = 48 + Math.floor(ms / 100);
    timeSlab[at + 21] = 48 + (Math.floor(ms / 10) % 10);
    timeSlab[at + 22] = 48 + (ms % 10);
    timeSlab[at + 23] = 0x5a; // Z
    timeSlabAt += ISO_BYTES;
    lastTimeHeader = [H.time, timeSlab.subarray(at, at + ISO_BYTES)];
  }
  return lastTimeHeader;
}

/** An explicit `time` option as RFC 3339 text (a usage error when it is not one). */
function timeOf(time: Date | string): string {
  if (time instanceof Date) {
    if (Number.isNaN(time.getTime()))
      throw new EmitUsageError('CloudEvents attribute "time" is an invalid Date');
    return time.toISOString();
  }
  if (typeof time !== 'string' || !RFC3339.test(time) || Number.isNaN(Date.parse(time))) {
    throw new EmitUsageError(
      `CloudEvents attribute "time" must be a Date or an RFC 3339 timestamp, got ${describe(time)}`,
    );
  }
  return time;
}

function jsonOf(data: unknown, type: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(data);
  } catch (err) {
    throw new EmitUsageError(`data of event "${type}" cannot be encoded as JSON: ${(err as Error).message}`);
  }
  if (text === undefined)
    throw new EmitUsageError(`data of event "${type}" cannot be encoded as JSON (${typeof data})`);
  return text;
}

function extensionValue(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= 2_147_483_647)
    return String(value);
  throw new EmitUsageError(
    `extension "${name}" must be a string, a boolean or a 32-bit integer (CloudEvents types), got ${describe(value)}`,
  );
}

function checkExtensions(extensions: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  for (const name of Object.keys(extensions)) {
    const value = extensions[name];
    if (value === undefined) continue;
    if (!EXTENSION_NAME.test(name)) {
      throw new EmitUsageError(
        `extension attribute name "${name}" must be 1-20 lowercase letters or digits (CloudEvents naming)`,
      );
    }
    if (RESERVED.has(name))
      throw new EmitUsageError(`"${name}" is a core CloudEvents attribute, not an extension`);
    out.push([name, extensionValue(name, value)]);
  }
  return out;
}

/** Encodes events for one emitter. `encode` is the hot path of every `emit()` call. */
export class CloudEventEncoder {
  readonly #defaults: EncoderDefaults;
  readonly #values = new ValueCache();
  /** Partition keys repeat (user, session, org ids): the first 1,024 distinct ones are kept. */
  readonly #keys = new ValueCache();
  readonly #types = new HeaderCache(H.type);
  readonly #sources = new HeaderCache(H.source);
  readonly #sourceHeader: Header;
  readonly #ids = new EventIds();
  /** The id of the event last encoded (saves a wrapper object per event). */
  lastId = '';

  constructor(defaults: EncoderDefaults) {
    nonEmpty('source', defaults.source);
    this.#defaults = defaults;
    this.#sourceHeader = [H.source, Buffer.from(defaults.source)];
  }

  encode(type: string, data: unknown, options: EmitOptions | undefined, now: number): QueuedRecord {
    if (typeof type !== 'string' || type === '') {
      throw new EmitUsageError(`event type must be a non-empty string, got ${describe(type)}`);
    }
    const o = options ?? NO_OPTIONS;
    let id: string;
    let idBytes: Buffer | undefined;
    if (o.id === undefined) {
      idBytes = this.#ids.next();
      id = this.#ids.lastText;
    } else {
      id = nonEmpty('id', o.id);
    }
    this.lastId = id;
    const time = o.time === undefined ? undefined : timeOf(o.time);
    const source = o.source === undefined ? undefined : nonEmpty('source', o.source);
    const subject = o.subject === undefined ? undefined : nonEmpty('subject', o.subject);
    const dataschema = o.dataschema === undefined ? undefined : nonEmpty('dataschema', o.dataschema);
    const extensions = o.extensions === undefined ? undefined : checkExtensions(o.extensions);
    const topic = o.topic === undefined ? this.#defaults.topic : nonEmpty('topic', o.topic);
    let key: Buffer | undefined;
    if (o.key !== undefined) {
      if (typeof o.key === 'string') key = this.#keys.get(o.key);
      else if (Buffer.isBuffer(o.key)) key = o.key;
      else throw new EmitUsageError(`key must be a string or a Buffer, got ${describe(o.key)}`);
    }

    // The data and its content type.
    const contentType =
      o.datacontenttype === undefined ? undefined : nonEmpty('datacontenttype', o.datacontenttype);
    let bytes: Buffer | undefined;
    let json: string | undefined;
    if (data instanceof Uint8Array) {
      bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    } else if (data !== undefined) {
      if (contentType !== undefined && !JSON_TYPE.test(contentType)) {
        if (typeof data !== 'string') {
          throw new EmitUsageError(
            `data of event "${type}" with datacontenttype "${contentType}" must be a string or bytes, got ${describe(data)}`,
          );
        }
        bytes = Buffer.from(data);
      } else {
        json = jsonOf(data, type);
      }
    }

    if (this.#defaults.mode === 'structured') {
      return this.#structured(
        topic,
        key,
        now,
        { id, type, time, source, subject, dataschema, extensions },
        contentType,
        bytes,
        json,
      );
    }

    let value: Buffer | undefined;
    let contentHeader: Header | undefined;
    if (json !== undefined) {
      value = Buffer.from(json);
      contentHeader =
        contentType === undefined ? JSON_HEADER : [H.contentType, this.#values.get(contentType)];
    } else if (bytes !== undefined) {
      value = bytes;
      contentHeader =
        contentType === undefined ? OCTET_HEADER : [H.contentType, this.#values.get(contentType)];
    } else if (contentType !== undefined) {
      contentHeader = [H.contentType, this.#values.get(contentType)];
    }
    const idHeader: Header = [H.id, idBytes ?? Buffer.from(id)];
    const sourceHeader = source === undefined ? this.#sourceHeader : this.#sources.get(source);
    const typeHeader = this.#types.get(type);
    const timeHeader: Header = time === undefined ? timeHeaderNow(now) : [H.time, Buffer.from(time)];
    let headers: Header[];
    if (subject === undefined && dataschema === undefined && extensions === undefined) {
      // The common event: its headers in one array literal of the final length (a push would
      // grow the array's store to ~23 slots, ~200 bytes more per event for the GC).
      headers =
        contentHeader === undefined
          ? [SPEC_VERSION_HEADER, idHeader, sourceHeader, typeHeader, timeHeader]
          : [SPEC_VERSION_HEADER, idHeader, sourceHeader, typeHeader, timeHeader, contentHeader];
    } else {
      headers = [SPEC_VERSION_HEADER, idHeader, sourceHeader, typeHeader, timeHeader];
      if (subject !== undefined) headers.push([H.subject, Buffer.from(subject)]);
      if (dataschema !== undefined) headers.push([H.dataschema, this.#values.get(dataschema)]);
      if (extensions !== undefined) {
        for (const [name, v] of extensions) headers.push([this.#values.get(`ce_${name}`), Buffer.from(v)]);
      }
      if (contentHeader !== undefined) headers.push(contentHeader);
    }
    return newRecord(topic, key, value, headers, now);
  }

  #structured(
    topic: string,
    key: Buffer | undefined,
    now: number,
    a: {
      id: string;
      type: string;
      time: string | undefined;
      source: string | undefined;
      subject: string | undefined;
      dataschema: string | undefined;
      extensions: [string, string][] | undefined;
    },
    contentType: string | undefined,
    bytes: Buffer | undefined,
    json: string | undefined,
  ): QueuedRecord {
    const event: Record<string, unknown> = {
      specversion: SPEC_VERSION,
      id: a.id,
      source: a.source ?? this.#defaults.source,
      type: a.type,
      time: a.time ?? timeHeaderNow(now)[1].toString('latin1'),
    };
    if (a.subject !== undefined) event.subject = a.subject;
    if (a.dataschema !== undefined) event.dataschema = a.dataschema;
    if (a.extensions !== undefined) for (const [name, value] of a.extensions) event[name] = value;
    let text: string;
    if (json !== undefined) {
      event.datacontenttype = contentType ?? 'application/json';
      // The data is spliced in as already-encoded JSON (it was stringified once, above).
      const head = JSON.stringify(event);
      text = `${head.slice(0, -1)},"data":${json}}`;
    } else {
      if (bytes !== undefined) {
        event.datacontenttype = contentType ?? 'application/octet-stream';
        event.data_base64 = bytes.toString('base64');
      } else if (contentType !== undefined) {
        event.datacontenttype = contentType;
      }
      text = JSON.stringify(event);
    }
    return newRecord(topic, key, Buffer.from(text), [STRUCTURED_HEADER], now);
  }
}

function newRecord(
  topic: string,
  key: Buffer | undefined,
  value: Buffer | undefined,
  headers: Header[],
  now: number,
): QueuedRecord {
  let size = 64 + topic.length + (key?.length ?? 0) + (value?.length ?? 0);
  // Indexed: destructuring in a loop allocates while the code is not optimised (an app's rate).
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    size += h[0].length + h[1].length + 4;
  }
  return { topic, key, value, headers, timestamp: now, size };
}
