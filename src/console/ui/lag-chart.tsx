/**
 * A consumer group's lag over time, sampled in the browser: every load of the group page (every
 * 5 seconds while it is open, and after an offset reset) adds a reading per partition; the chart
 * keeps the last 10 minutes as SVG lines, one per partition (the 8 lagging most; the total when
 * there are more partitions). Not kept across page loads: history starts when the page opens.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { fmt } from './components.tsx';

export interface LagSample {
  time: number;
  /** "topic/partition" → lag (null: no committed offset). */
  lag: Record<string, number | null>;
}

const KEEP_MS = 10 * 60_000;
const MAX_LINES = 8;
const COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

/** Remembers the readings of `lag` (one per change of `sample.time`), for the last 10 minutes. */
export function useLagHistory(sample: LagSample | undefined, key: string): LagSample[] {
  const [history, setHistory] = useState<LagSample[]>([]);
  const forKey = useRef(key);
  useEffect(() => {
    if (forKey.current !== key) {
      forKey.current = key;
      setHistory(sample ? [sample] : []);
      return;
    }
    if (!sample) return;
    setHistory((list) =>
      list.at(-1)?.time === sample.time
        ? list
        : [...list.filter((s) => s.time >= sample.time - KEEP_MS), sample],
    );
  }, [sample, key]);
  return history;
}

export function LagChart({ history }: { history: LagSample[] }) {
  if (history.length === 0) return null;
  const last = history.at(-1)!;
  const series = Object.keys(last.lag).sort((a, b) => (last.lag[b] ?? 0) - (last.lag[a] ?? 0));
  const total = (s: LagSample) => Object.values(s.lag).reduce<number>((sum, v) => sum + (v ?? 0), 0);
  const lines: { name: string; values: number[] }[] =
    series.length <= MAX_LINES
      ? series.map((name) => ({ name, values: history.map((s) => s.lag[name] ?? 0) }))
      : [{ name: 'total', values: history.map(total) }];
  const w = 640;
  const h = 140;
  const pad = 4;
  const max = Math.max(1, ...lines.flatMap((l) => l.values));
  const t0 = history[0]!.time;
  const span = Math.max(1, last.time - t0);
  const x = (time: number) => (history.length === 1 ? w : pad + ((time - t0) / span) * (w - 2 * pad));
  const y = (v: number) => h - pad - (v / max) * (h - 2 * pad);
  const seconds = Math.round(span / 1000);
  return (
    <figure class="chart wide" data-testid="lag-chart" data-samples={history.length}>
      <figcaption>
        Lag over the last {seconds < 60 ? `${seconds} s` : `${Math.round(seconds / 60)} min`} (
        {history.length} reading{history.length === 1 ? '' : 's'}, peak {fmt(max)}): now{' '}
        <strong data-testid="lag-now">{fmt(total(last))}</strong>
      </figcaption>
      <svg
        viewBox={`0 0 ${w} ${h}`}
        width="100%"
        height={h}
        preserveAspectRatio="none"
        role="img"
        aria-label={`Lag per partition over time; now ${fmt(total(last))}`}
      >
        {lines.map((l, i) => {
          const points = l.values.map((v, j) => `${x(history[j]!.time).toFixed(1)},${y(v).toFixed(1)}`);
          if (points.length === 1) points.unshift(`${pad},${y(l.values[0]!).toFixed(1)}`);
          return (
            <polyline
              key={l.name}
              points={points.join(' ')}
              fill="none"
              stroke={COLOURS[i % COLOURS.length]}
              stroke-width="1.5"
              vector-effect="non-scaling-stroke"
            />
          );
        })}
      </svg>
      <ul class="legend">
        {lines.map((l, i) => (
          <li key={l.name}>
            <span class="swatch" style={{ background: COLOURS[i % COLOURS.length] }} /> {l.name}:{' '}
            {fmt(l.values.at(-1) ?? 0)}
          </li>
        ))}
      </ul>
    </figure>
  );
}
