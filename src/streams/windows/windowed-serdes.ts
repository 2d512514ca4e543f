/**
 * Serdes for windowed keys, byte-compatible with Kafka Streams' `WindowedSerdes`: a time-windowed
 * key is the inner key followed by the 8-byte window start (the end is start + window size); a
 * session-windowed key is the inner key, the 8-byte end, then the 8-byte start.
 */
import type { Serde } from '../serdes.ts';
import type { Windowed } from './windows.ts';

/** A serde over the application's default key serde, resolved when a task is built. */
function deferred<T>(make: (keyDefault: Serde<unknown>) => Serde<T>): Serde<T> {
  const unresolved = (): never => {
    throw new Error('windowed serde used before the default key serde was known');
  };
  return {
    serializer: unresolved,
    deserializer: unresolved,
    withDefaults: (keyDefault: Serde<unknown>) => make(keyDefault),
  } as Serde<T>;
}

export const WindowedSerdes = {
  timeWindowedSerdeFrom<K>(inner: Serde<K> | undefined, windowSizeMs: number): Serde<Windowed<K>> {
    if (inner === undefined)
      return deferred((k) => WindowedSerdes.timeWindowedSerdeFrom(k as Serde<K>, windowSizeMs));
    const ser = inner.serializer();
    const de = inner.deserializer();
    return {
      serializer: () => ({
        serialize(topic, data) {
          if (data === null) return null;
          const k = ser.serialize(topic, data.key) ?? Buffer.alloc(0);
          const out = Buffer.allocUnsafe(k.length + 8);
          k.copy(out, 0);
          out.writeBigInt64BE(BigInt(data.window.start), k.length);
          return out;
        },
      }),
      deserializer: () => ({
        deserialize(topic, data) {
          if (data === null) return null;
          const start = Number(data.readBigInt64BE(data.length - 8));
          const key = de.deserialize(topic, data.subarray(0, data.length - 8)) as K;
          return { key, window: { start, end: start + windowSizeMs } };
        },
      }),
    };
  },
  sessionWindowedSerdeFrom<K>(inner: Serde<K> | undefined): Serde<Windowed<K>> {
    if (inner === undefined) return deferred((k) => WindowedSerdes.sessionWindowedSerdeFrom(k as Serde<K>));
    const ser = inner.serializer();
    const de = inner.deserializer();
    return {
      serializer: () => ({
        serialize(topic, data) {
          if (data === null) return null;
          const k = ser.serialize(topic, data.key) ?? Buffer.alloc(0);
          const out = Buffer.allocUnsafe(k.length + 16);
          k.copy(out, 0);
          out.writeBigInt64BE(BigInt(data.window.end), k.length);
          out.writeBigInt64BE(BigInt(data.window.start), k.length + 8);
          return out;
        },
      }),
      deserializer: () => ({
        deserialize(topic, data) {
          if (data === null) return null;
          const end = Number(data.readBigInt64BE(data.length - 16));
          const start = Number(data.readBigInt64BE(data.length - 8));
          return {
            key: de.deserialize(topic, data.subarray(0, data.length - 16)) as K,
            window: { start, end },
          };
        },
      }),
    };
  },
};
