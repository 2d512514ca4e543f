/** Small shared pieces: error and notice boxes, a page title, a sortable table header. */
import type { ComponentChildren } from 'preact';

export function ErrorBox({ error }: { error: string | undefined }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error}
    </p>
  );
}

export function Notice({ text }: { text: string | undefined }) {
  if (!text) return null;
  return (
    <p class="notice" role="status">
      {text}
    </p>
  );
}

export function Title({ children }: { children: ComponentChildren }) {
  return <h1 tabIndex={-1}>{children}</h1>;
}

export function SortHeader(props: {
  label: string;
  field: string;
  sort: string;
  onSort: (field: string) => void;
}) {
  const [field, dir] = props.sort.split(':');
  const active = field === props.field;
  return (
    <th aria-sort={active ? (dir === 'desc' ? 'descending' : 'ascending') : 'none'}>
      <button type="button" class="sort" onClick={() => props.onSort(props.field)}>
        {props.label}
        {active ? (dir === 'desc' ? ' ▼' : ' ▲') : ''}
      </button>
    </th>
  );
}

export function fmt(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : n.toLocaleString('en-US');
}

/** Bytes as B, KiB, MiB, GiB (one decimal above bytes). */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}
