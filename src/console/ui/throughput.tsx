/**
 * Live throughput charts (messages in, bytes in, bytes out per second) from the broker's metrics,
 * polled every 5 seconds through the console's /api/metrics; up to the last 5 minutes as small SVG
 * lines. Shows nothing when the broker has no metrics endpoint.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.ts';

interface Counters {
  messagesIn: number;
  bytesIn: number;
  bytesOut: number;
}

interface Reading {
  available: boolean;
  error?: string;
  time?: number;
  totals?: Counters;
  topics?: Record<string, Counters>;
}

type Rates = Counters & { time: number };

const POLL_MS = 5000;
const KEEP = 60;

function human(n: number, unit: string): string {
  const [value, prefix] =
    n >= 1e9 ? [n / 1e9, 'G'] : n >= 1e6 ? [n / 1e6, 'M'] : n >= 1e3 ? [n / 1e3, 'k'] : [n, ''];
  return `${value.toFixed(prefix === '' ? 0 : 1)} ${prefix}${unit}`;
}

function Line({ label, values, unit }: { label: string; values: number[]; unit: string }) {
  const max = Math.max(1, ...values);
  const w = 240;
  const h = 48;
  // The readings so far across the whole width (one reading: a level line).
  const shown = values.length === 1 ? [values[0]!, values[0]!] : values;
  const step = w / Math.max(1, shown.length - 1);
  const points = shown.map(
    (v, i) => `${(w - (shown.length - 1 - i) * step).toFixed(1)},${(h - (v / max) * (h - 4) - 2).toFixed(1)}`,
  );
  return (
    <figure class="chart">
      <figcaption>
        {label}: <strong>{human(values.at(-1) ?? 0, unit)}</strong>
      </figcaption>
      <svg
        viewBox={`0 0 ${w} ${h}`}
        width={w}
        height={h}
        role="img"
        aria-label={`${label} over the last minutes`}
      >
        <polyline points={points.join(' ')} fill="none" stroke="currentColor" stroke-width="1.5" />
      </svg>
    </figure>
  );
}

export function Throughput({ topic }: { topic?: string }) {
  const [rates, setRates] = useState<Rates[]>([]);
  const [available, setAvailable] = useState<boolean>();
  useEffect(() => {
    let previous: Rates | undefined;
    let live = true;
    const poll = async () => {
      const r = await api<Reading>('/api/metrics').catch((): Reading => ({ available: false }));
      if (!live) return;
      setAvailable(r.available);
      if (!r.available || r.time === undefined) return;
      const now = topic === undefined ? r.totals : r.topics?.[topic];
      const counters: Rates = { ...(now ?? { messagesIn: 0, bytesIn: 0, bytesOut: 0 }), time: r.time };
      const p = previous;
      if (p !== undefined && counters.time > p.time) {
        const secs = (counters.time - p.time) / 1000;
        const rate = (k: keyof Counters) => Math.max(0, (counters[k] - p[k]) / secs);
        const next: Rates = {
          time: counters.time,
          messagesIn: rate('messagesIn'),
          bytesIn: rate('bytesIn'),
          bytesOut: rate('bytesOut'),
        };
        setRates((list) => [...list.slice(-(KEEP - 1)), next]);
      }
      previous = counters;
    };
    void poll();
    const timer = setInterval(poll, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [topic]);
  if (!available) return null;
  return (
    <section data-testid="throughput">
      <h2>Throughput</h2>
      {rates.length === 0 ? <p class="muted">Measuring… (a point every 5 s)</p> : null}
      <div class="charts">
        <Line label="Messages in" values={rates.map((r) => r.messagesIn)} unit="msg/s" />
        <Line label="Bytes in" values={rates.map((r) => r.bytesIn)} unit="B/s" />
        <Line label="Bytes out" values={rates.map((r) => r.bytesOut)} unit="B/s" />
      </div>
    </section>
  );
}
