/** Topics: a searchable, sortable list with sizes on disk (filter and sort live in the URL) and a form to create one. */
import { useState } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { bytes, ErrorBox, fmt, SortHeader, Title } from '../components.tsx';
import { useLoad } from '../hooks.ts';
import { go, type Route, setQuery } from '../router.ts';

export interface TopicRow {
  name: string;
  partitions: number;
  replicas: number;
  messages: number;
  /** Bytes on disk (DescribeLogDirs), null when the cluster does not say. */
  size: number | null;
  retentionMs: string | null;
  cleanupPolicy: string | null;
}

function retention(ms: string | null): string {
  if (ms === null) return '–';
  const n = Number(ms);
  if (n < 0) return 'forever';
  if (n % 86_400_000 === 0) return `${n / 86_400_000} d`;
  if (n % 3_600_000 === 0) return `${n / 3_600_000} h`;
  return `${n} ms`;
}

const COLUMNS: [keyof TopicRow, string][] = [
  ['name', 'Name'],
  ['partitions', 'Partitions'],
  ['messages', 'Messages'],
  ['size', 'Size'],
  ['retentionMs', 'Retention'],
  ['cleanupPolicy', 'Cleanup policy'],
];

export function TopicsPage({ route }: { route: Route }) {
  const topics = useLoad(() => api<TopicRow[]>('/api/topics'), 'topics');
  const q = route.query.get('q') ?? '';
  const sort = route.query.get('sort') ?? 'name:asc';
  const [field, dir] = sort.split(':') as [keyof TopicRow, string];
  const rows = (topics.data ?? [])
    .filter((t) => t.name.toLowerCase().includes(q.toLowerCase()))
    .sort((a, b) => {
      const x = field === 'retentionMs' || field === 'size' ? Number(a[field] ?? -1) : a[field];
      const y = field === 'retentionMs' || field === 'size' ? Number(b[field] ?? -1) : b[field];
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return dir === 'desc' ? -c : c;
    });
  const onSort = (f: string) =>
    setQuery(route, { sort: `${f}:${f === field && dir === 'asc' ? 'desc' : 'asc'}` });
  return (
    <>
      <Title>Topics</Title>
      <CreateTopic />
      <label class="search">
        Search topics{' '}
        <input
          type="search"
          value={q}
          onInput={(e) => setQuery(route, { q: (e.target as HTMLInputElement).value })}
          placeholder="name contains…"
        />
      </label>
      <ErrorBox error={topics.error} />
      {topics.loading && !topics.data ? <p>Loading…</p> : null}
      {topics.data ? (
        <table data-testid="topics">
          <caption>
            {rows.length} of {topics.data.length} topics
          </caption>
          <thead>
            <tr>
              {COLUMNS.map(([f, label]) => (
                <SortHeader key={f} label={label} field={f} sort={sort} onSort={onSort} />
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => (
              <tr key={t.name}>
                <td>
                  <a href={`#/topics/${enc(t.name)}`}>{t.name}</a>
                </td>
                <td class="num">{t.partitions}</td>
                <td class="num">{fmt(t.messages)}</td>
                <td class="num" title={t.size === null ? undefined : `${fmt(t.size)} bytes`}>
                  {bytes(t.size)}
                </td>
                <td class="num">{retention(t.retentionMs)}</td>
                <td>{t.cleanupPolicy ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

function CreateTopic() {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (!open)
    return (
      <p>
        <button type="button" onClick={() => setOpen(true)}>
          Create topic
        </button>
      </p>
    );
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    setBusy(true);
    setError(undefined);
    try {
      const name = String(form.get('name'));
      await api('/api/topics', {
        method: 'POST',
        body: {
          name,
          partitions: Number(form.get('partitions')),
          replicationFactor: Number(form.get('replicationFactor')),
        },
      });
      go(['topics', name]);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-label="Create topic">
      <h2>Create topic</h2>
      <label>
        Name <input name="name" required pattern="[a-zA-Z0-9._\-]+" />
      </label>
      <label>
        Partitions <input name="partitions" type="number" min="1" defaultValue="1" required />
      </label>
      <label>
        Replication factor <input name="replicationFactor" type="number" min="1" defaultValue="1" required />
      </label>
      <button type="submit" disabled={busy}>
        Create
      </button>{' '}
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
      <ErrorBox error={error} />
    </form>
  );
}
