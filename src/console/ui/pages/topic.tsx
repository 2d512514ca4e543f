/**
 * One topic: partitions with leaders, replicas, low/high watermarks and sizes on disk, a throughput
 * chart, the consumer groups reading it, its configs (editable, with
 * the broker's validation errors), adding partitions and deleting it after typing its name.
 */
import { useState } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { bytes, ErrorBox, fmt, Notice, Title } from '../components.tsx';
import { useLoad } from '../hooks.ts';
import { go } from '../router.ts';
import { Throughput } from '../throughput.tsx';

interface TopicInfo {
  name: string;
  id: string;
  partitions: {
    partition: number;
    leader: number;
    replicas: number[];
    isr: number[];
    low: number | null;
    high: number | null;
    size: number | null;
  }[];
  size: number | null;
  configs: { name: string; value: string | null; source: string; isDefault: boolean; readOnly: boolean }[];
  consumers: { group: string; partitions: number; lag: number }[];
}

export function TopicPage({ topic }: { topic: string }) {
  const info = useLoad(() => api<TopicInfo>(`/api/topics/${enc(topic)}`), topic);
  const t = info.data;
  return (
    <>
      <p class="crumbs">
        <a href="#/topics">Topics</a> /
      </p>
      <Title>{topic}</Title>
      <p>
        <a class="button" href={`#/topics/${enc(topic)}/messages`}>
          Browse messages
        </a>
      </p>
      <ErrorBox error={info.error} />
      {t ? (
        <>
          <section>
            <h2>
              Partitions{' '}
              <span class="muted" data-testid="topic-size">
                ({bytes(t.size)} on disk)
              </span>
            </h2>
            <table data-testid="partitions">
              <thead>
                <tr>
                  <th class="num">Partition</th>
                  <th class="num">Leader</th>
                  <th>Replicas</th>
                  <th>In sync</th>
                  <th class="num">Low watermark</th>
                  <th class="num">High watermark</th>
                  <th class="num">Messages</th>
                  <th class="num">Size</th>
                </tr>
              </thead>
              <tbody>
                {t.partitions.map((p) => (
                  <tr key={p.partition}>
                    <td class="num">
                      <a href={`#/topics/${enc(topic)}/messages?partition=${p.partition}`}>{p.partition}</a>
                    </td>
                    <td class="num">{p.leader}</td>
                    <td>{p.replicas.join(', ')}</td>
                    <td>{p.isr.join(', ')}</td>
                    <td class="num">{fmt(p.low)}</td>
                    <td class="num">{fmt(p.high)}</td>
                    <td class="num">{fmt((p.high ?? 0) - (p.low ?? 0))}</td>
                    <td class="num" title={p.size === null ? undefined : `${fmt(p.size)} bytes`}>
                      {bytes(p.size)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <AddPartitions topic={topic} current={t.partitions.length} done={info.reload} />
          </section>
          <Throughput topic={topic} />
          <section>
            <h2>Consumers</h2>
            {t.consumers.length === 0 ? <p>No consumer group has committed offsets on this topic.</p> : null}
            {t.consumers.length > 0 ? (
              <table data-testid="consumers">
                <thead>
                  <tr>
                    <th>Group</th>
                    <th class="num">Partitions committed</th>
                    <th class="num">Lag</th>
                  </tr>
                </thead>
                <tbody>
                  {t.consumers.map((c) => (
                    <tr key={c.group}>
                      <td>
                        <a href={`#/groups/${enc(c.group)}`}>{c.group}</a>
                      </td>
                      <td class="num">{c.partitions}</td>
                      <td class="num">{fmt(c.lag)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
          </section>
          <section>
            <h2>Configs</h2>
            <EditConfig topic={topic} done={info.reload} />
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Value</th>
                  <th>Source</th>
                </tr>
              </thead>
              <tbody>
                {t.configs.map((c) => (
                  <tr key={c.name} class={c.isDefault ? 'muted' : ''}>
                    <td>{c.name}</td>
                    <td class="mono">{c.value ?? '(sensitive)'}</td>
                    <td>{c.source}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <DeleteTopic topic={topic} />
        </>
      ) : null}
    </>
  );
}

function AddPartitions({ topic, current, done }: { topic: string; current: number; done: () => void }) {
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const count = Number(new FormData(e.target as HTMLFormElement).get('count'));
    setError(undefined);
    try {
      await api(`/api/topics/${enc(topic)}/partitions`, { method: 'POST', body: { count } });
      setNotice(`${topic} now has ${count} partitions.`);
      done();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="inline" onSubmit={submit} aria-label="Add partitions">
      <label>
        Partitions in total{' '}
        <input name="count" type="number" min={current + 1} defaultValue={String(current + 1)} />
      </label>
      <button type="submit">Add partitions</button>
      <ErrorBox error={error} />
      <Notice text={notice} />
    </form>
  );
}

function EditConfig({ topic, done }: { topic: string; done: () => void }) {
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const name = String(form.get('name'));
    const value = String(form.get('value'));
    setError(undefined);
    setNotice(undefined);
    try {
      await api(`/api/topics/${enc(topic)}/configs`, { method: 'PUT', body: { [name]: value } });
      setNotice(value === '' ? `${name} reset to its default.` : `${name} set to ${value}.`);
      done();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="inline" onSubmit={submit} aria-label="Edit config">
      <label>
        Config <input name="name" required placeholder="retention.ms" />
      </label>
      <label>
        Value <input name="value" placeholder="empty: reset to default" />
      </label>
      <button type="submit">Set</button>
      <ErrorBox error={error} />
      <Notice text={notice} />
    </form>
  );
}

function DeleteTopic({ topic }: { topic: string }) {
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string>();
  const remove = async () => {
    try {
      await api(`/api/topics/${enc(topic)}`, { method: 'DELETE' });
      go(['topics']);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section class="danger">
      <h2>Delete topic</h2>
      {!confirming ? (
        <button type="button" onClick={() => setConfirming(true)}>
          Delete {topic}…
        </button>
      ) : (
        <fieldset>
          <legend>Confirm deletion</legend>
          <p>This deletes every record in {topic}. Type the topic's name to confirm.</p>
          <input
            aria-label="Topic name to confirm"
            value={typed}
            onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
          />{' '}
          <button type="button" disabled={typed !== topic} onClick={remove}>
            Delete permanently
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </fieldset>
      )}
      <ErrorBox error={error} />
    </section>
  );
}
