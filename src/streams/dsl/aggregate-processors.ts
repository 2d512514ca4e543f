/**
 * The DSL's aggregation processors: grouped-stream aggregate (count/reduce/aggregate), time-window
 * (tumbling/hopping), sliding-window and session-window aggregates, and the grouped-table aggregate
 * with adder and subtractor. Records with a null key or value are skipped, as in Kafka. Windowed
 * aggregates drop records whose windows closed (window end <= stream time - grace) and count them
 * in the dropped-records metric.
 */
import type { Processor, ProcessorContext, Record } from '../processor/api.ts';
import type { InternalProcessorContext } from '../runtime/stream-task.ts';
import { readInt64 } from '../state/int64.ts';
import type { KeyValueStoreImpl, ValueAndTimestamp } from '../state/key-value-store.ts';
import type { SessionStoreImpl } from '../state/session-store.ts';
import type { WindowStoreImpl } from '../state/window-store.ts';
import type { SessionWindows, SlidingWindows, TimeWindows, Windowed } from '../windows/windows.ts';
import { type Change, TupleForwarder } from './change.ts';

export type Initializer<VA> = () => VA;
export type Aggregator<K, V, VA> = (key: K, value: V, aggregate: VA) => VA;
export type Merger<K, VA> = (key: K, agg1: VA, agg2: VA) => VA;

type Ctx = InternalProcessorContext;

export function streamAggregate<K, V, VA>(
  storeName: string,
  initializer: Initializer<VA>,
  aggregator: Aggregator<K, V, VA>,
): () => Processor<K, V, K, Change<VA>> {
  return () => {
    let store: KeyValueStoreImpl<K, ValueAndTimestamp<VA>>;
    let forwarder: TupleForwarder<K, VA>;
    return {
      init(context: ProcessorContext<K, Change<VA>>) {
        store = context.getStateStore(storeName);
        forwarder = new TupleForwarder(store, context as unknown as Ctx, (e, old) => ({
          key: store.deserializeKey(e.storeKey),
          newValue: store.deserializeValue(e.value)?.value ?? null,
          oldValue: store.deserializeValue(old)?.value ?? null,
        }));
      },
      process(record: Record<K, V>) {
        if (
          record.key === null ||
          record.key === undefined ||
          record.value === null ||
          record.value === undefined
        )
          return;
        const old = store.get(record.key);
        const oldAgg = old === null ? initializer() : old.value;
        const newAgg = aggregator(record.key, record.value, oldAgg);
        const timestamp = old === null ? record.timestamp : Math.max(old.timestamp, record.timestamp);
        store.put(record.key, { value: newAgg, timestamp }, timestamp, record.headers);
        forwarder.maybeForward(record.key, newAgg, old?.value ?? null, timestamp, record.headers);
      },
    };
  };
}

export function windowedKeyDecoder<K, V>(store: WindowStoreImpl<K, ValueAndTimestamp<V>>) {
  return (e: { changelogKey: Buffer; value: Buffer | null }, old: Buffer | null) => {
    const kLen = e.changelogKey.length - 12;
    const start = readInt64(e.changelogKey, kLen);
    const key: Windowed<K> = {
      key: store.deserializeKey(e.changelogKey.subarray(0, kLen)),
      window: { start, end: start + store.windowSizeMs },
    };
    return {
      key,
      newValue: store.deserializeValue(e.value)?.value ?? null,
      oldValue: store.deserializeValue(old)?.value ?? null,
    };
  };
}

export function windowAggregate<K, V, VA>(
  storeName: string,
  windows: TimeWindows,
  initializer: Initializer<VA>,
  aggregator: Aggregator<K, V, VA>,
): () => Processor<K, V, Windowed<K>, Change<VA>> {
  return () => {
    let store: WindowStoreImpl<K, ValueAndTimestamp<VA>>;
    let forwarder: TupleForwarder<Windowed<K>, VA>;
    let ctx: Ctx;
    return {
      init(context) {
        ctx = context as unknown as Ctx;
        store = context.getStateStore(storeName);
        forwarder = new TupleForwarder(store, ctx, windowedKeyDecoder(store));
      },
      process(record) {
        if (
          record.key === null ||
          record.key === undefined ||
          record.value === null ||
          record.value === undefined
        )
          return;
        const closeTime = ctx.currentStreamTimeMs() - windows.graceMs;
        let dropped = false;
        for (const w of windows.windowsFor(record.timestamp)) {
          if (w.end <= closeTime) {
            dropped = true;
            continue;
          }
          const old = store.fetch(record.key, w.start);
          const oldAgg = old === null ? initializer() : old.value;
          const newAgg = aggregator(record.key, record.value, oldAgg);
          const timestamp = old === null ? record.timestamp : Math.max(old.timestamp, record.timestamp);
          store.put(record.key, { value: newAgg, timestamp }, w.start);
          forwarder.maybeForward(
            { key: record.key, window: w },
            newAgg,
            old?.value ?? null,
            timestamp,
            record.headers,
          );
        }
        if (dropped) ctx.recordDropped();
      },
    };
  };
}

/**
 * Sliding windows (KIP-450): a window of size timeDifference ends at every record and starts just
 * after every record; each window's aggregate is recomputed from the raw records it holds (kept in
 * a window store with duplicates), so no subtractor is needed. Window bounds are inclusive:
 * [end - timeDifference, end].
 */
export function slidingAggregate<K, V, VA>(
  storeName: string,
  recordsStoreName: string,
  windows: SlidingWindows,
  initializer: Initializer<VA>,
  aggregator: Aggregator<K, V, VA>,
): () => Processor<K, V, Windowed<K>, Change<VA>> {
  return () => {
    let store: WindowStoreImpl<K, ValueAndTimestamp<VA>>;
    let records: WindowStoreImpl<K, V>;
    let ctx: Ctx;
    const d = windows.timeDifferenceMs;
    return {
      init(context) {
        ctx = context as unknown as Ctx;
        store = context.getStateStore(storeName);
        records = context.getStateStore(recordsStoreName);
      },
      process(record) {
        const key = record.key;
        if (key === null || key === undefined || record.value === null || record.value === undefined) return;
        const t = record.timestamp;
        const closeTime = ctx.currentStreamTimeMs() - windows.graceMs;
        if (t < closeTime - d) {
          ctx.recordDropped();
          return;
        }
        records.put(key, record.value, t);
        const nearby = records.fetchRange(key, t - d - 1, t + d + 1);
        // Candidate window starts: this record's left window, windows ending at later records that
        // now contain it, and right windows of earlier records that now reach it.
        const starts = new Set<number>([Math.max(0, t - d)]);
        for (const r of nearby) {
          if (r.timestamp >= t && r.timestamp - d <= t) starts.add(Math.max(0, r.timestamp - d));
          if (r.timestamp < t && r.timestamp + 1 + d >= t) starts.add(r.timestamp + 1);
        }
        for (const start of [...starts].sort((a, b) => a - b)) {
          const end = start + d;
          if (end < closeTime) continue;
          const inWindow = nearby.filter((r) => r.timestamp >= start && r.timestamp <= end);
          if (inWindow.length === 0) continue;
          let agg = initializer();
          let ts = 0;
          for (const r of inWindow) {
            agg = aggregator(key, r.value, agg);
            ts = Math.max(ts, r.timestamp);
          }
          const old = store.fetch(key, start);
          store.put(key, { value: agg, timestamp: ts }, start);
          ctx.forward({
            key: { key, window: { start, end } },
            value: { newValue: agg, oldValue: old?.value ?? null },
            timestamp: ts,
            headers: record.headers,
          });
        }
      },
    };
  };
}

export function sessionAggregate<K, V, VA>(
  storeName: string,
  windows: SessionWindows,
  initializer: Initializer<VA>,
  aggregator: Aggregator<K, V, VA>,
  merger: Merger<K, VA>,
): () => Processor<K, V, Windowed<K>, Change<VA>> {
  return () => {
    let store: SessionStoreImpl<K, VA>;
    let ctx: Ctx;
    const gap = windows.inactivityGapMs;
    return {
      init(context) {
        ctx = context as unknown as Ctx;
        store = context.getStateStore(storeName);
      },
      process(record) {
        const key = record.key;
        if (key === null || key === undefined || record.value === null || record.value === undefined) return;
        const t = record.timestamp;
        const closeTime = ctx.currentStreamTimeMs() - windows.graceMs;
        const overlapping = store.findSessions(key, t - gap, t + gap);
        let start = t;
        let end = t;
        let agg = initializer();
        for (const s of overlapping) {
          start = Math.min(start, s.key.window.start);
          end = Math.max(end, s.key.window.end);
          agg = merger(key, agg, s.value);
        }
        if (end < closeTime) {
          ctx.recordDropped();
          return;
        }
        agg = aggregator(key, record.value, agg);
        for (const s of overlapping) {
          if (s.key.window.start === start && s.key.window.end === end) continue;
          store.remove(s.key);
          ctx.forward({
            key: s.key,
            value: { newValue: null, oldValue: s.value },
            timestamp: s.key.window.end,
            headers: record.headers,
          });
        }
        const same = overlapping.find((s) => s.key.window.start === start && s.key.window.end === end);
        const windowed: Windowed<K> = { key, window: { start, end } };
        store.put(windowed, agg);
        ctx.forward({
          key: windowed,
          value: { newValue: agg, oldValue: same?.value ?? null },
          timestamp: end,
          headers: record.headers,
        });
      },
    };
  };
}

export function tableAggregate<K, V, VA>(
  storeName: string,
  initializer: Initializer<VA>,
  adder: Aggregator<K, V, VA>,
  subtractor: Aggregator<K, V, VA>,
): () => Processor<K, Change<V>, K, Change<VA>> {
  return () => {
    let store: KeyValueStoreImpl<K, ValueAndTimestamp<VA>>;
    let forwarder: TupleForwarder<K, VA>;
    return {
      init(context) {
        store = context.getStateStore(storeName);
        forwarder = new TupleForwarder(store, context as unknown as Ctx, (e, old) => ({
          key: store.deserializeKey(e.storeKey),
          newValue: store.deserializeValue(e.value)?.value ?? null,
          oldValue: store.deserializeValue(old)?.value ?? null,
        }));
      },
      process(record) {
        if (record.key === null || record.key === undefined || record.value === null) return;
        const old = store.get(record.key);
        let agg = old === null ? initializer() : old.value;
        if (record.value.oldValue !== null) agg = subtractor(record.key, record.value.oldValue, agg);
        if (record.value.newValue !== null) agg = adder(record.key, record.value.newValue, agg);
        const timestamp = old === null ? record.timestamp : Math.max(old.timestamp, record.timestamp);
        store.put(record.key, { value: agg, timestamp }, timestamp, record.headers);
        forwarder.maybeForward(record.key, agg, old?.value ?? null, timestamp, record.headers);
      },
    };
  };
}
