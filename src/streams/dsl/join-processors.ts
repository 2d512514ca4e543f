/**
 * Join processors: stream-stream (windowed; inner, left, outer), stream-table and
 * stream-globalTable (inner, left) and table-table (inner, left, outer).
 *
 * Stream-stream joins buffer each side in a window store with duplicates and look up the other
 * side within the join window; the result's timestamp is the later of the two. Left and outer
 * joins emit a record without a partner only once its join window has closed (Kafka 3.1+,
 * KIP-633: no spurious early results), keeping the unmatched records in a shared store until then.
 */
import type { Headers, Processor, ProcessorContext } from '../processor/api.ts';
import type { Serde } from '../serdes.ts';
import type { KeyValueStoreImpl } from '../state/key-value-store.ts';
import type { WindowStoreImpl } from '../state/window-store.ts';
import type { Change } from './change.ts';
import type { ValueGetterSupplier } from './table-processors.ts';

export type ValueJoiner<V1, V2, VR> = (value1: V1, value2: V2, key: unknown) => VR;
export type JoinKind = 'inner' | 'left' | 'outer';

/** An unmatched record waiting for its join window to close (thisSide = the left stream's record). */
export interface OuterRecord {
  thisSide: boolean;
  key: unknown;
  value: unknown;
  timestamp: number;
}

export interface StreamStreamJoinSide {
  thisStore: string;
  otherStore: string;
  /** Shared store of unmatched records (left/outer joins), or null. */
  outerStore: string | null;
  /** True for the left (this) stream's processor. */
  isLeftSide: boolean;
  /** How far before this record the other side may be. */
  beforeMs: number;
  afterMs: number;
  graceMs: number;
  kind: JoinKind;
  joiner: ValueJoiner<unknown, unknown, unknown>;
}

/** Serde of an unmatched record: [side 1B][timestamp 8B][key length 4B][key][value]. */
export function outerRecordSerde(
  keySerde: Serde<unknown> | undefined,
  leftValueSerde: Serde<unknown> | undefined,
  rightValueSerde: Serde<unknown> | undefined,
  leftIsThis = true,
): Serde<OuterRecord> {
  if (keySerde === undefined || leftValueSerde === undefined || rightValueSerde === undefined) {
    return {
      serializer: () => {
        throw new Error('unresolved serde');
      },
      deserializer: () => {
        throw new Error('unresolved serde');
      },
      withDefaults: (k: Serde<unknown>, v: Serde<unknown>) =>
        outerRecordSerde(keySerde ?? k, leftValueSerde ?? v, rightValueSerde ?? v, leftIsThis),
    } as Serde<OuterRecord>;
  }
  const ks = keySerde;
  const ls = leftValueSerde;
  const rs = rightValueSerde;
  return {
    serializer: () => ({
      serialize(topic, r) {
        if (r === null) return null;
        const k = ks.serializer().serialize(topic, r.key) ?? Buffer.alloc(0);
        const v = (r.thisSide ? ls : rs).serializer().serialize(topic, r.value) ?? Buffer.alloc(0);
        const out = Buffer.allocUnsafe(13 + k.length + v.length);
        out[0] = r.thisSide ? 1 : 0;
        out.writeBigInt64BE(BigInt(r.timestamp), 1);
        out.writeUInt32BE(k.length, 9);
        k.copy(out, 13);
        v.copy(out, 13 + k.length);
        return out;
      },
    }),
    deserializer: () => ({
      deserialize(topic, b) {
        if (b === null) return null;
        const thisSide = b[0] === 1;
        const kLen = b.readUInt32BE(9);
        return {
          thisSide,
          timestamp: Number(b.readBigInt64BE(1)),
          key: ks.deserializer().deserialize(topic, b.subarray(13, 13 + kLen)),
          value: (thisSide ? ls : rs).deserializer().deserialize(topic, b.subarray(13 + kLen)),
        };
      },
    }),
  };
}

/** Key of the outer store: [timestamp 8B][side 1B][sequence 8B] so a range scan walks by time. */
let outerSeq = 0;
function outerKey(timestamp: number, thisSide: boolean): string {
  outerSeq++;
  return `${timestamp.toString(16).padStart(16, '0')}:${thisSide ? 'L' : 'R'}:${outerSeq.toString(16).padStart(12, '0')}`;
}

export function streamStreamJoin(
  side: StreamStreamJoinSide,
): () => Processor<unknown, unknown, unknown, unknown> {
  return () => {
    let thisStore: WindowStoreImpl<unknown, unknown>;
    let otherStore: WindowStoreImpl<unknown, unknown>;
    let outer: KeyValueStoreImpl<string, OuterRecord> | null = null;
    let context: ProcessorContext<unknown, unknown>;
    const emitsUnmatched = side.kind === 'outer' || (side.kind === 'left' && side.isLeftSide);
    const otherEmitsUnmatched = side.kind === 'outer' || (side.kind === 'left' && !side.isLeftSide);
    const windowAfterTime = (ts: number, thisSide: boolean) =>
      ts + (thisSide === side.isLeftSide ? side.afterMs : side.beforeMs);
    const joined = (thisValue: unknown, otherValue: unknown, key: unknown) =>
      side.isLeftSide ? side.joiner(thisValue, otherValue, key) : side.joiner(otherValue, thisValue, key);
    return {
      init(ctx) {
        context = ctx;
        thisStore = ctx.getStateStore(side.thisStore);
        otherStore = ctx.getStateStore(side.otherStore);
        if (side.outerStore !== null) outer = ctx.getStateStore(side.outerStore);
      },
      process(record) {
        const { key, value, timestamp } = record;
        if (key === null || key === undefined || value === null || value === undefined) return;
        const streamTime = context.currentStreamTimeMs();
        if (timestamp + side.afterMs + side.beforeMs + side.graceMs < streamTime) {
          (context as unknown as { recordDropped(): void }).recordDropped();
          return;
        }
        thisStore.put(key, value, timestamp);
        const from = timestamp - side.beforeMs;
        const to = timestamp + side.afterMs;
        const matches = otherStore.fetchRange(key, Math.max(0, from), to);
        for (const m of matches) {
          context.forward({
            key,
            value: joined(value, m.value, key),
            timestamp: Math.max(timestamp, m.timestamp),
            headers: record.headers,
          });
        }
        if (outer !== null) {
          if (matches.length > 0 && otherEmitsUnmatched) {
            // the other side's records found a partner: they are no longer unmatched
            for (const e of outer.all()) {
              const r = e.value;
              if (
                r.thisSide !== side.isLeftSide &&
                JSON.stringify(r.key) === JSON.stringify(key) &&
                r.timestamp >= from &&
                r.timestamp <= to
              )
                outer.delete(e.key);
            }
          }
          if (matches.length === 0 && emitsUnmatched)
            outer.put(outerKey(timestamp, side.isLeftSide), {
              thisSide: side.isLeftSide,
              key,
              value,
              timestamp,
            });
          emitExpired(outer, streamTime, record.headers);
        }
      },
    };

    function emitExpired(
      store: KeyValueStoreImpl<string, OuterRecord>,
      streamTime: number,
      headers: Headers,
    ): void {
      for (const e of store.all()) {
        const r = e.value;
        if (windowAfterTime(r.timestamp, r.thisSide) + side.graceMs >= streamTime) continue;
        store.delete(e.key);
        const v =
          r.thisSide === side.isLeftSide ? joined(r.value, null, r.key) : joined(null, r.value, r.key);
        context.forward({ key: r.key, value: v, timestamp: r.timestamp, headers });
      }
    }
  };
}

/** Stream-table and stream-globalTable joins: look the table up for each stream record. */
export function streamTableJoin(
  getter: ValueGetterSupplier<unknown, unknown>,
  keySelector: ((key: unknown, value: unknown) => unknown) | null,
  joiner: ValueJoiner<unknown, unknown, unknown>,
  left: boolean,
): () => Processor<unknown, unknown, unknown, unknown> {
  return () => {
    let lookup: ReturnType<ValueGetterSupplier<unknown, unknown>['init']>;
    let context: ProcessorContext<unknown, unknown>;
    return {
      init(ctx) {
        context = ctx;
        lookup = getter.init(ctx);
      },
      process(record) {
        const { key, value } = record;
        const tableKey = keySelector === null ? key : keySelector(key, value);
        if (tableKey === null || tableKey === undefined || value === null || value === undefined) {
          if (!left || value === null || value === undefined) return;
          context.forward({ ...record, value: joiner(value, null, key) });
          return;
        }
        const other = lookup.get(tableKey);
        if (other === null && !left) return;
        context.forward({ ...record, value: joiner(value, other === null ? null : other.value, key) });
      },
    };
  };
}

/** One side of a table-table join: an update on this side joins with the other side's current value. */
export function tableTableJoin(
  otherGetter: ValueGetterSupplier<unknown, unknown>,
  joiner: ValueJoiner<unknown, unknown, unknown>,
  kind: JoinKind,
  isLeftSide: boolean,
): () => Processor<unknown, Change<unknown>, unknown, Change<unknown>> {
  return () => {
    let other: ReturnType<ValueGetterSupplier<unknown, unknown>['init']>;
    let context: ProcessorContext<unknown, Change<unknown>>;
    const join = (mine: unknown, theirs: unknown, key: unknown): unknown => {
      const l = isLeftSide ? mine : theirs;
      const r = isLeftSide ? theirs : mine;
      if (l === null && r === null) return null;
      if (kind === 'inner' && (l === null || r === null)) return null;
      if (kind === 'left' && l === null) return null;
      return joiner(l, r, key);
    };
    return {
      init(ctx) {
        context = ctx;
        other = otherGetter.init(ctx as ProcessorContext<unknown, unknown>);
      },
      process(record) {
        if (record.key === null || record.key === undefined) return;
        const o = other.get(record.key);
        const theirs = o === null ? null : o.value;
        const newValue =
          record.value.newValue === null
            ? join(null, theirs, record.key)
            : join(record.value.newValue, theirs, record.key);
        const oldValue =
          record.value.oldValue === null
            ? join(null, theirs, record.key)
            : join(record.value.oldValue, theirs, record.key);
        if (newValue === null && oldValue === null) return;
        context.forward({
          key: record.key,
          value: { newValue, oldValue },
          timestamp: Math.max(record.timestamp, o?.timestamp ?? 0),
          headers: record.headers,
        });
      },
    };
  };
}
