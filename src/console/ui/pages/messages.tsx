/**
 * The message browser: one page of one partition from the beginning, the end, an offset or a time,
 * filtered by text in key, value or headers; decoded as text, JSON or hex; older/newer pages by
 * offset; a live tail that reloads the newest page every 2 seconds. Every control is in the URL.
 * Below it, a form to produce a message.
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

/** The message as JSON (key, value and headers decoded as shown) on the clipboard. */
function copy(m: Message, decoding: Decoding): void {
  const text = JSON.stringify(
    {
      partition: m.partition,
      offset: m.offset,
      timestamp: new Date(m.timestamp).toISOString(),
      key: m.key === null ? null : decode(m.key, decoding === 'json' ? 'string' : decoding),
      value: m.value === null ? null : decode(m.value, decoding === 'json' ? 'string' : decoding),
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
  const partition = Number(q.get('partition') ?? 0);
  const from = q.get('from') ?? 'end';
  const offset = q.get('offset') ?? '';
  const timestamp = q.get('timestamp') ?? '';
  const limit = Number(q.get('limit') ?? 50);
  const filter = q.get('filter') ?? '';
  const decoding = (q.get('decode') ?? 'string') as Decoding;
  const partitions = useLoad(
    () => api<{ partitions: unknown[] }>(`/api/topics/${enc(topic)}`).then((t) => t.partitions.length),
    topic,
  );
  const params = new URLSearchParams({ partition: String(partition), from, limit: String(limit) });
  if (from === 'offset') params.set('offset', offset || '0');
  if (from === 'timestamp') params.set('timestamp', timestamp);
  if (filter) params.set('filter', filter);
  const url = `/api/topics/${enc(topic)}/messages?${params}`;
  const page = useLoad(() => api<Page>(url), url);
  const p = page.data;
  // Live tail: the newest page again every 2 seconds.
  const live = q.get('live') === '1' && from === 'end';
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
            value={partition}
            onChange={(e) => set({ partition: (e.target as HTMLSelectElement).value })}
          >
            {Array.from({ length: partitions.data ?? 1 }, (_, i) => (
              <option key={i} value={i}>
                {i}
              </option>
            ))}
          </select>
        </label>
        <label>
          From{' '}
          <select value={from} onChange={(e) => set({ from: (e.target as HTMLSelectElement).value })}>
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
              onChange={(e) => set({ offset: (e.target as HTMLInputElement).value })}
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
            {[20, 50, 100, 200, 500].map((n) => (
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
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={live}
            onChange={(e) =>
              set((e.target as HTMLInputElement).checked ? { live: 1, from: 'end' } : { live: undefined })
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
          <p class="muted" data-testid="page-info">
            Partition {p.partition}: offsets {fmt(p.low)}–{fmt(p.high)}. Showing {p.messages.length} message
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
          <table data-testid="messages" class="messages">
            <thead>
              <tr>
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
                <tr key={m.offset}>
                  <td class="num">{m.offset}</td>
                  <td class="nowrap">
                    {new Date(m.timestamp).toISOString().replace('T', ' ').replace('Z', '')}
                  </td>
                  <td class="mono">{decode(m.key, decoding === 'json' ? 'string' : decoding)}</td>
                  <td class="mono value">
                    <pre>{decode(m.value, decoding)}</pre>
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
                      aria-label={`Copy message ${m.offset}`}
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
