/**
 * The message browser: one page of one partition, or of all partitions merged by time, from the
 * beginning, the end, an offset or a time, filtered by text in key, value or headers; decoded as
 * text, JSON, hex, or through the schema registry (Avro, JSON Schema, Protobuf, decoded by the
 * server); older/newer pages by offset (one partition) or by cursor (all partitions); a live tail
 * that reloads the newest page every 2 seconds. Every control is in the URL. Below it, a form to
 * produce a message.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { ErrorBox, fmt, Notice, Title } from '../components.tsx';
import { type Decoding, decode } from '../decode.ts';
import { useLoad } from '../hooks.ts';
import { type Route, setQuery } from '../router.ts';

interface Message {
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: { key: string; value: string | null }[];
  schema?: { key?: Decoded; value?: Decoded };
}

interface Decoded {
  id: number;
  type?: string;
  value?: unknown;
  error?: string;
}

interface Page {
  partition: number;
  low: number;
  high: number;
  start: number;
  next: number;
  scanned: number;
  messages: Message[];
}

interface MergedPage {
  partition: 'all';
  partitions: { partition: number; low: number; high: number }[];
  start: string;
  next: string;
  hasOlder: boolean;
  hasNewer: boolean;
  scanned: number;
  messages: Message[];
}

type Shown = Decoding | 'registry';

/** A key or value as chosen: through the registry when it is in its wire format, else as bytes. */
function show(m: Message, part: 'key' | 'value', how: Shown): string {
  const bytes = m[part];
  if (how === 'registry') {
    const d = m.schema?.[part];
    if (d?.error !== undefined) return `(schema ${d.id}: ${d.error})\n${decode(bytes, 'hex')}`;
    if (d !== undefined) return JSON.stringify(d.value, null, 2);
    return decode(bytes, part === 'key' ? 'string' : 'json');
  }
  return decode(bytes, how === 'json' && part === 'key' ? 'string' : how);
}

/** The message as JSON (key, value and headers decoded as shown) on the clipboard. */
function copy(m: Message, decoding: Shown): void {
  const as = (part: 'key' | 'value') =>
    m[part] === null
      ? null
      : decoding === 'registry' && m.schema?.[part]?.value !== undefined
        ? m.schema[part].value
        : decode(m[part], decoding === 'json' || decoding === 'registry' ? 'string' : decoding);
  const text = JSON.stringify(
    {
      partition: m.partition,
      offset: m.offset,
      timestamp: new Date(m.timestamp).toISOString(),
      key: as('key'),
      value: as('value'),
      headers: Object.fromEntries(
        m.headers.map((h) => [h.key, h.value === null ? null : decode(h.value, 'string')]),
      ),
    },
    null,
    2,
  );
  void navigator.clipboard?.writeText(text);
}

export function MessagesPage({ route, topic }: { route: Route; topic: string }) {
  const q = route.query;
  const all = q.get('partition') === 'all';
  const partition = all ? 0 : Number(q.get('partition') ?? 0);
  const after = q.get('after') ?? '';
  const before = q.get('before') ?? '';
  const from = q.get('from') ?? 'end';
  const offset = q.get('offset') ?? '';
  const timestamp = q.get('timestamp') ?? '';
  const limit = Number(q.get('limit') ?? 50);
  const filter = q.get('filter') ?? '';
  const chosen = q.get('decode') as Shown | null;
  const partitions = useLoad(
    () => api<{ partitions: unknown[] }>(`/api/topics/${enc(topic)}`).then((t) => t.partitions.length),
    topic,
  );
  const params = new URLSearchParams({
    partition: all ? 'all' : String(partition),
    from,
    limit: String(limit),
  });
  if (from === 'offset') params.set('offset', offset || '0');
  if (from === 'timestamp') params.set('timestamp', timestamp);
  if (filter) params.set('filter', filter);
  if (all && after) params.set('after', after);
  else if (all && before) params.set('before', before);
  const url = `/api/topics/${enc(topic)}/messages?${params}`;
  const page = useLoad(() => api<Page | MergedPage>(url), url);
  const p = page.data;
  // Registry-encoded records are shown decoded unless another decoding was chosen.
  const decoding: Shown =
    chosen ?? (p?.messages.some((m) => m.schema?.value !== undefined) ? 'registry' : 'string');
  // Live tail: the newest page again every 2 seconds.
  const live = q.get('live') === '1' && from === 'end' && !after && !before;
  const { reload } = page;
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(reload, 2000);
    return () => clearInterval(timer);
  }, [live, reload]);
  const set = (changes: Record<string, string | number | undefined>) => setQuery(route, changes);
  const [draftFilter, setDraftFilter] = useState(filter);
  return (
    <>
      <p class="crumbs">
        <a href="#/topics">Topics</a> / <a href={`#/topics/${enc(topic)}`}>{topic}</a> /
      </p>
      <Title>Messages in {topic}</Title>
      <form
        class="inline controls"
        aria-label="Read messages"
        onSubmit={(e) => {
          e.preventDefault();
          set({ filter: draftFilter });
        }}
      >
        <label>
          Partition{' '}
          <select
            value={all ? 'all' : partition}
            onChange={(e) =>
              set({ partition: (e.target as HTMLSelectElement).value, after: undefined, before: undefined })
            }
          >
            <option value="all">all (merged by time)</option>
            {Array.from({ length: partitions.data ?? 1 }, (_, i) => (
              <option key={i} value={i}>
                {i}
              </option>
            ))}
          </select>
        </label>
        <label>
          From{' '}
          <select
            value={from}
            onChange={(e) =>
              set({ from: (e.target as HTMLSelectElement).value, after: undefined, before: undefined })
            }
          >
            <option value="end">the end (newest)</option>
            <option value="beginning">the beginning</option>
            <option value="offset">an offset</option>
            <option value="timestamp">a time</option>
          </select>
        </label>
        {from === 'offset' ? (
          <label>
            Offset{' '}
            <input
              type="number"
              min="0"
              value={offset}
              onChange={(e) =>
                set({ offset: (e.target as HTMLInputElement).value, after: undefined, before: undefined })
              }
            />
          </label>
        ) : null}
        {from === 'timestamp' ? (
          <label>
            Time{' '}
            <input
              type="datetime-local"
              value={timestamp ? new Date(Number(timestamp)).toISOString().slice(0, 16) : ''}
              onChange={(e) => set({ timestamp: Date.parse(`${(e.target as HTMLInputElement).value}Z`) })}
            />
          </label>
        ) : null}
        <label>
          Page size{' '}
          <select value={limit} onChange={(e) => set({ limit: (e.target as HTMLSelectElement).value })}>
            {[...new Set([20, 50, 100, 200, 500, limit])]
              .sort((a, b) => a - b)
              .map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
          </select>
        </label>
        <label>
          Decode as{' '}
          <select value={decoding} onChange={(e) => set({ decode: (e.target as HTMLSelectElement).value })}>
            <option value="string">text</option>
            <option value="json">JSON</option>
            <option value="hex">hex</option>
            <option value="registry">schema registry (Avro, JSON Schema, Protobuf)</option>
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={live}
            onChange={(e) =>
              set(
                (e.target as HTMLInputElement).checked
                  ? { live: 1, from: 'end', after: undefined, before: undefined }
                  : { live: undefined },
              )
            }
          />{' '}
          Live tail
        </label>
        <label>
          Filter{' '}
          <input
            type="search"
            name="filter"
            value={draftFilter}
            placeholder="text in key, value or headers"
            onInput={(e) => setDraftFilter((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit">Apply filter</button>
      </form>
      <ErrorBox error={page.error} />
      {p ? (
        <>
          {p.partition === 'all' ? (
            <>
              <p class="muted" data-testid="page-info">
                All {p.partitions.length} partitions merged by time (
                {p.partitions.map((x) => `${x.partition}: ${fmt(x.low)}–${fmt(x.high)}`).join(', ')}). Showing{' '}
                {p.messages.length} message{p.messages.length === 1 ? '' : 's'}
                {filter ? ` matching “${filter}” (${fmt(p.scanned)} scanned)` : ''}.
              </p>
              <nav class="pager" aria-label="Pages">
                <button
                  type="button"
                  disabled={!p.hasOlder}
                  onClick={() => set({ before: p.start, after: undefined, live: undefined })}
                >
                  ← Older
                </button>
                <button
                  type="button"
                  disabled={!p.hasNewer}
                  onClick={() => set({ after: p.next, before: undefined, live: undefined })}
                >
                  Newer →
                </button>
                <button type="button" onClick={page.reload}>
                  Refresh
                </button>
              </nav>
            </>
          ) : (
            <>
              <p class="muted" data-testid="page-info">
                Partition {p.partition}: offsets {fmt(p.low)}–{fmt(p.high)}. Showing {p.messages.length}{' '}
                message
                {p.messages.length === 1 ? '' : 's'} from offset {fmt(p.start)}
                {filter ? ` matching “${filter}” (${fmt(p.scanned)} scanned)` : ''}.
              </p>
              <nav class="pager" aria-label="Pages">
                <button
                  type="button"
                  disabled={p.start <= p.low}
                  onClick={() => set({ from: 'offset', offset: Math.max(p.low, p.start - limit) })}
                >
                  ← Older
                </button>
                <button
                  type="button"
                  disabled={p.next >= p.high}
                  onClick={() => set({ from: 'offset', offset: p.next })}
                >
                  Newer →
                </button>
                <button type="button" onClick={page.reload}>
                  Refresh
                </button>
              </nav>
            </>
          )}
          <table data-testid="messages" class="messages">
            <thead>
              <tr>
                {all ? <th class="num">Partition</th> : null}
                <th class="num">Offset</th>
                <th>Timestamp</th>
                <th>Key</th>
                <th>Value</th>
                <th>Headers</th>
                <th>
                  <span class="sr-only">Copy</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {p.messages.map((m) => (
                <tr key={`${m.partition}/${m.offset}`}>
                  {all ? <td class="num">{m.partition}</td> : null}
                  <td class="num">{m.offset}</td>
                  <td class="nowrap">
                    {new Date(m.timestamp).toISOString().replace('T', ' ').replace('Z', '')}
                  </td>
                  <td class="mono">{show(m, 'key', decoding)}</td>
                  <td class="mono value">
                    {decoding === 'registry' && m.schema?.value?.type ? (
                      <span class="badge">
                        schema {m.schema.value.id} · {m.schema.value.type}
                      </span>
                    ) : null}
                    <pre>{show(m, 'value', decoding)}</pre>
                  </td>
                  <td class="mono">
                    {m.headers.map((h) => (
                      <div key={h.key}>
                        {h.key}: {decode(h.value, decoding === 'hex' ? 'hex' : 'string')}
                      </div>
                    ))}
                  </td>
                  <td>
                    <button
                      type="button"
                      class="small"
                      onClick={() => copy(m, decoding)}
                      aria-label={
                        all ? `Copy message ${m.partition}/${m.offset}` : `Copy message ${m.offset}`
                      }
                    >
                      Copy
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : page.loading ? (
        <p>Loading…</p>
      ) : null}
      <Produce topic={topic} partitions={partitions.data ?? 1} done={page.reload} />
    </>
  );
}

function Produce({ topic, partitions, done }: { topic: string; partitions: number; done: () => void }) {
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const headers: Record<string, string> = {};
    for (const line of String(form.get('headers') ?? '').split('\n')) {
      const at = line.indexOf('=');
      if (line.trim() === '') continue;
      if (at <= 0) {
        setError(`header lines are NAME=VALUE, got "${line}"`);
        return;
      }
      headers[line.slice(0, at).trim()] = line.slice(at + 1);
    }
    setError(undefined);
    try {
      const partition = String(form.get('partition') ?? '');
      const r = await api<{ partition: number; offset: number }>(`/api/topics/${enc(topic)}/messages`, {
        method: 'POST',
        body: {
          key: form.get('key'),
          value: form.get('value'),
          headers,
          ...(partition ? { partition } : {}),
        },
      });
      setNotice(`Produced to partition ${r.partition} at offset ${r.offset}.`);
      done();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-label="Produce a message">
      <h2>Produce a message</h2>
      <label>
        Key <input name="key" />
      </label>
      <label>
        Partition{' '}
        <select name="partition">
          <option value="">by key</option>
          {Array.from({ length: partitions }, (_, i) => (
            <option key={i} value={i}>
              {i}
            </option>
          ))}
        </select>
      </label>
      <label class="wide">
        Value <textarea name="value" rows={4} />
      </label>
      <label class="wide">
        Headers (one NAME=VALUE a line) <textarea name="headers" rows={2} />
      </label>
      <button type="submit">Produce</button>
      <ErrorBox error={error} />
      <Notice text={notice} />
    </form>
  );
}
