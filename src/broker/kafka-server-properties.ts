/**
 * A Kafka `server.properties` read as Samsa settings: the few entries a single node understands
 * differently are rewritten before the settings apply, so Kafka's own file works unchanged.
 * - `listeners`: KRaft controller listeners (`controller.listener.names`) are dropped (one node has
 *   no separate controller endpoint), and listener names are mapped to their security protocol
 *   through `listener.security.protocol.map` (`INTERNAL://:9092` with `INTERNAL:SASL_PLAINTEXT`).
 * - `log.retention.hours` / `log.retention.minutes` become `log.retention.ms` and
 *   `offsets.retention.minutes` becomes `offsets.retention.ms`, the most precise unit winning, as
 *   in Kafka; a negative retention keeps forever (-1).
 * Everything else passes through (unknown keys then warn).
 */

const INTEGER = /^-?\d+$/;

/** Replaces `coarse` (in units of `unitMs`) by `precise` (ms) when only the coarse one is given. */
function toMs(out: Record<string, string>, precise: string, coarse: string, unitMs: number): void {
  const v = out[coarse];
  if (v === undefined || !INTEGER.test(v.trim())) return;
  delete out[coarse];
  if (out[precise] !== undefined) return;
  const n = Number(v.trim());
  out[precise] = n < 0 ? '-1' : String(n * unitMs);
}

export function fromKafkaServerProperties(values: Record<string, string>): Record<string, string> {
  const out = { ...values };
  if (out.listeners !== undefined) {
    const list = (key: string) =>
      (out[key] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    const controllers = new Set(list('controller.listener.names'));
    const protocolOf = new Map(
      list('listener.security.protocol.map').map((pair) => {
        const colon = pair.indexOf(':');
        return [pair.slice(0, colon).trim(), pair.slice(colon + 1).trim()] as const;
      }),
    );
    out.listeners = list('listeners')
      .map((l) => {
        const sep = l.indexOf('://');
        const name = sep > 0 ? l.slice(0, sep) : l;
        return { name, rest: sep > 0 ? l.slice(sep) : '' };
      })
      .filter((l) => !controllers.has(l.name))
      .map((l) => `${protocolOf.get(l.name) ?? l.name}${l.rest}`)
      .join(',');
  }
  toMs(out, 'log.retention.ms', 'log.retention.minutes', 60_000);
  toMs(out, 'log.retention.ms', 'log.retention.hours', 3_600_000);
  toMs(out, 'offsets.retention.ms', 'offsets.retention.minutes', 60_000);
  return out;
}
