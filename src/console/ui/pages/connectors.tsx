/**
 * Connectors through the Connect REST API (forwarded by the console's server): each connector with
 * its state and its tasks' states and error traces, its offsets (`GET /connectors/{name}/offsets`:
 * source partitions and positions, or a sink's Kafka offsets), pause/resume/restart/delete, and
 * creating one from JSON with Connect's validation errors shown as Connect words them.
 */
import { useState } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { ErrorBox, Notice, Title } from '../components.tsx';
import { useLoad } from '../hooks.ts';

interface Expanded {
  status?: {
    connector: { state: string; worker_id: string; trace?: string };
    tasks: { id: number; state: string; worker_id: string; trace?: string }[];
    type?: string;
  };
  info?: { config: Record<string, string>; type: string };
}

const EXAMPLE = `{
  "name": "my-file-source",
  "config": {
    "connector.class": "FileStreamSource",
    "file": "/tmp/input.txt",
    "topic": "lines"
  }
}`;

export function ConnectorsPage({ enabled }: { enabled: boolean }) {
  const list = useLoad(
    () => api<Record<string, Expanded>>('/api/connect/connectors?expand=status&expand=info'),
    'connectors',
  );
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const act = async (name: string, method: string, path: string, done: string) => {
    setError(undefined);
    try {
      await api(`/api/connect/connectors/${enc(name)}${path}`, { method });
      setNotice(done);
      list.reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  if (!enabled)
    return (
      <>
        <Title>Connectors</Title>
        <p>No Connect worker is configured: start the console with --connect-url URL.</p>
      </>
    );
  const rows = Object.entries(list.data ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return (
    <>
      <Title>Connectors</Title>
      <ErrorBox error={list.error ?? error} />
      <Notice text={notice} />
      {list.data && rows.length === 0 ? <p>No connectors yet.</p> : null}
      {rows.length > 0 ? (
        <table data-testid="connectors">
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>State</th>
              <th>Tasks</th>
              <th>Offsets</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([name, c]) => (
              <tr key={name}>
                <td>
                  <strong>{name}</strong>
                  <div class="muted mono">{c.info?.config['connector.class']}</div>
                </td>
                <td>{c.info?.type ?? c.status?.type ?? '–'}</td>
                <td data-testid={`state-${name}`}>
                  <span class={`state ${c.status?.connector.state ?? ''}`}>
                    {c.status?.connector.state ?? '–'}
                  </span>
                  {c.status?.connector.trace ? <pre class="trace">{c.status.connector.trace}</pre> : null}
                </td>
                <td>
                  {(c.status?.tasks ?? []).map((t) => (
                    <div key={t.id}>
                      task {t.id}: <span class={`state ${t.state}`}>{t.state}</span>
                      {t.trace ? (
                        <details>
                          <summary>error trace</summary>
                          <pre class="trace">{t.trace}</pre>
                        </details>
                      ) : null}
                    </div>
                  ))}
                </td>
                <td>
                  <ConnectorOffsets name={name} />
                </td>
                <td class="actions">
                  {c.status?.connector.state === 'PAUSED' ? (
                    <button type="button" onClick={() => act(name, 'PUT', '/resume', `Resumed ${name}.`)}>
                      Resume
                    </button>
                  ) : (
                    <button type="button" onClick={() => act(name, 'PUT', '/pause', `Paused ${name}.`)}>
                      Pause
                    </button>
                  )}{' '}
                  <button
                    type="button"
                    onClick={() => act(name, 'POST', '/restart?includeTasks=true', `Restarted ${name}.`)}
                  >
                    Restart
                  </button>{' '}
                  <button
                    type="button"
                    onClick={() =>
                      confirm(`Delete connector ${name}?`) && act(name, 'DELETE', '', `Deleted ${name}.`)
                    }
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p>
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
      </p>
      <CreateConnector done={list.reload} />
    </>
  );
}

interface Offsets {
  offsets: { partition: Record<string, unknown>; offset: Record<string, unknown> | null }[];
}

const show = (o: Record<string, unknown> | null) =>
  o === null
    ? 'null'
    : Object.entries(o)
        .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(', ');

/** A connector's committed offsets, read when opened (and again with its Refresh). */
function ConnectorOffsets({ name }: { name: string }) {
  const [open, setOpen] = useState(false);
  const [tick, setTick] = useState(0);
  const offsets = useLoad<Offsets | undefined>(
    () => (open ? api<Offsets>(`/api/connect/connectors/${enc(name)}/offsets`) : Promise.resolve(undefined)),
    `${name}/${open}/${tick}`,
  );
  return (
    <details onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>Offsets of {name}</summary>
      <ErrorBox error={offsets.error} />
      {offsets.data ? (
        offsets.data.offsets.length === 0 ? (
          <p class="muted">No offsets committed yet.</p>
        ) : (
          <table data-testid={`offsets-${name}`} class="compact">
            <thead>
              <tr>
                <th>Partition</th>
                <th>Offset</th>
              </tr>
            </thead>
            <tbody>
              {offsets.data.offsets.map((o) => (
                <tr key={JSON.stringify(o.partition)}>
                  <td class="mono">{show(o.partition)}</td>
                  <td class="mono">{show(o.offset)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : open && offsets.loading ? (
        <p>Loading…</p>
      ) : null}
      {open ? (
        <button type="button" class="small" onClick={() => setTick((t) => t + 1)}>
          Refresh offsets
        </button>
      ) : null}
    </details>
  );
}

function CreateConnector({ done }: { done: () => void }) {
  const [text, setText] = useState(EXAMPLE);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setNotice(undefined);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      setError(`Not valid JSON: ${(err as Error).message}`);
      return;
    }
    try {
      const created = await api<{ name: string }>('/api/connect/connectors', { method: 'POST', body });
      setNotice(`Created ${created.name}.`);
      done();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-label="Create connector">
      <h2>Create connector</h2>
      <label class="wide">
        Connector as JSON (name and config)
        <textarea
          name="connector"
          rows={10}
          class="mono"
          value={text}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        />
      </label>
      <button type="submit">Create</button>
      {error ? (
        <pre class="error" role="alert">
          {error}
        </pre>
      ) : null}
      <Notice text={notice} />
    </form>
  );
}
