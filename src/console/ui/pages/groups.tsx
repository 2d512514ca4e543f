/**
 * Consumer groups: the list with state, members and lag; one group's members, lag per partition and
 * its chart over time (re-read every 5 seconds while the page is open), an offset reset (earliest, latest, time, offset, shift) previewed as a dry run before it is applied,
 * and deletion after confirmation.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { ErrorBox, fmt, Notice, Title } from '../components.tsx';
import { useLoad } from '../hooks.ts';
import { LagChart, useLagHistory } from '../lag-chart.tsx';
import { go } from '../router.ts';
import type { GroupRow } from './overview.tsx';

interface GroupInfo {
  id: string;
  state: string;
  protocol: string;
  members: {
    memberId: string;
    clientId: string;
    host: string;
    assignments: { topic: string; partitions: number[] }[];
  }[];
  partitions: {
    topic: string;
    partition: number;
    committed: number | null;
    logEnd: number | null;
    lag: number | null;
    member: string | null;
  }[];
  totalLag: number;
}

interface ResetPlan {
  executed: boolean;
  partitions: {
    topic: string;
    partition: number;
    current: number | null;
    target: number | null;
    logEnd: number;
    lagAfter: number | null;
  }[];
  totalLag: number;
}

export function GroupsPage() {
  const groups = useLoad(() => api<GroupRow[]>('/api/groups'), 'groups');
  return (
    <>
      <Title>Consumer groups</Title>
      <ErrorBox error={groups.error} />
      {groups.data && groups.data.length === 0 ? <p>No consumer groups.</p> : null}
      {groups.data && groups.data.length > 0 ? (
        <table data-testid="groups">
          <thead>
            <tr>
              <th>Group</th>
              <th>State</th>
              <th>Type</th>
              <th class="num">Members</th>
              <th class="num">Lag</th>
            </tr>
          </thead>
          <tbody>
            {groups.data.map((g) => (
              <tr key={g.id}>
                <td>
                  <a href={`#/groups/${enc(g.id)}`}>{g.id}</a>
                </td>
                <td>{g.state}</td>
                <td>{g.protocolType || '–'}</td>
                <td class="num">{fmt(g.members)}</td>
                <td class="num">{fmt(g.lag)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : groups.loading ? (
        <p>Loading…</p>
      ) : null}
    </>
  );
}

/** Lag is re-read this often while a group's page is open. */
const LAG_POLL_MS = 5000;

export function GroupPage({ group }: { group: string }) {
  const info = useLoad(
    () => api<GroupInfo>(`/api/groups/${enc(group)}`).then((data) => ({ ...data, readAt: Date.now() })),
    group,
  );
  const g = info.data;
  const { reload } = info;
  useEffect(() => {
    const timer = setInterval(reload, LAG_POLL_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const sample = useMemo(
    () =>
      g && {
        time: g.readAt,
        lag: Object.fromEntries(g.partitions.map((p) => [`${p.topic}/${p.partition}`, p.lag])),
      },
    [g],
  );
  const history = useLagHistory(sample, group);
  return (
    <>
      <p class="crumbs">
        <a href="#/groups">Consumer groups</a> /
      </p>
      <Title>{group}</Title>
      <ErrorBox error={info.error} />
      {g ? (
        <>
          <dl class="stats">
            <div>
              <dt>State</dt>
              <dd data-testid="group-state">{g.state}</dd>
            </div>
            <div>
              <dt>Members</dt>
              <dd>{g.members.length}</dd>
            </div>
            <div>
              <dt>Total lag</dt>
              <dd data-testid="total-lag">{fmt(g.totalLag)}</dd>
            </div>
          </dl>
          {g.members.length > 0 ? (
            <section>
              <h2>Members</h2>
              <table>
                <thead>
                  <tr>
                    <th>Member</th>
                    <th>Client</th>
                    <th>Host</th>
                    <th>Assigned</th>
                  </tr>
                </thead>
                <tbody>
                  {g.members.map((m) => (
                    <tr key={m.memberId}>
                      <td class="mono">{m.memberId}</td>
                      <td>{m.clientId}</td>
                      <td>{m.host}</td>
                      <td>
                        {m.assignments.map((a) => `${a.topic}[${a.partitions.join(',')}]`).join(' ') || '–'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ) : null}
          <section>
            <h2>Lag per partition</h2>
            {g.partitions.length === 0 ? <p>No committed offsets.</p> : <LagChart history={history} />}
            {g.partitions.length > 0 ? (
              <table data-testid="lag">
                <thead>
                  <tr>
                    <th>Topic</th>
                    <th class="num">Partition</th>
                    <th class="num">Committed</th>
                    <th class="num">Log end</th>
                    <th class="num">Lag</th>
                  </tr>
                </thead>
                <tbody>
                  {g.partitions.map((p) => (
                    <tr key={`${p.topic}/${p.partition}`}>
                      <td>
                        <a href={`#/topics/${enc(p.topic)}`}>{p.topic}</a>
                      </td>
                      <td class="num">{p.partition}</td>
                      <td class="num">{fmt(p.committed)}</td>
                      <td class="num">{fmt(p.logEnd)}</td>
                      <td class="num">{fmt(p.lag)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
          </section>
          <ResetOffsets
            group={group}
            topics={[...new Set(g.partitions.map((p) => p.topic))]}
            done={info.reload}
          />
          <DeleteGroup group={group} />
        </>
      ) : null}
    </>
  );
}

function ResetOffsets({ group, topics, done }: { group: string; topics: string[]; done: () => void }) {
  const [mode, setMode] = useState('earliest');
  const [plan, setPlan] = useState<ResetPlan>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const run = async (form: HTMLFormElement, execute: boolean) => {
    const data = new FormData(form);
    setError(undefined);
    setNotice(undefined);
    try {
      const result = await api<ResetPlan>(`/api/groups/${enc(group)}/reset`, {
        method: 'POST',
        body: { topic: data.get('topic'), mode, value: data.get('value') ?? undefined, execute },
      });
      setPlan(result);
      if (execute) {
        setNotice(`Offsets reset. Total lag is now ${fmt(result.totalLag)}.`);
        done();
      }
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form
      class="panel"
      aria-label="Reset offsets"
      onSubmit={(e) => {
        e.preventDefault();
        void run(e.target as HTMLFormElement, false);
      }}
    >
      <h2>Reset offsets</h2>
      <label>
        Topic <input name="topic" list="group-topics" required defaultValue={topics[0] ?? ''} />
        <datalist id="group-topics">
          {topics.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
      </label>
      <label>
        To{' '}
        <select name="mode" value={mode} onChange={(e) => setMode((e.target as HTMLSelectElement).value)}>
          <option value="earliest">the earliest offset</option>
          <option value="latest">the latest offset</option>
          <option value="timestamp">a time</option>
          <option value="offset">an offset</option>
          <option value="shift">shift by</option>
        </select>
      </label>
      {mode === 'timestamp' || mode === 'offset' || mode === 'shift' ? (
        <label>
          {mode === 'timestamp'
            ? 'Time (ISO or epoch ms)'
            : mode === 'offset'
              ? 'Offset'
              : 'Shift by (negative: back)'}{' '}
          <input name="value" required />
        </label>
      ) : null}
      <button type="submit">Preview (dry run)</button>{' '}
      <button
        type="button"
        disabled={plan === undefined || plan.executed}
        onClick={(e) => void run((e.target as HTMLButtonElement).form!, true)}
      >
        Apply reset
      </button>
      <ErrorBox error={error} />
      <Notice text={notice} />
      {plan ? (
        <table data-testid="reset-plan">
          <caption>
            {plan.executed ? 'Applied' : 'Dry run: nothing changed yet'}. Total lag after:{' '}
            {fmt(plan.totalLag)}
          </caption>
          <thead>
            <tr>
              <th>Topic</th>
              <th class="num">Partition</th>
              <th class="num">Current</th>
              <th class="num">New</th>
              <th class="num">Log end</th>
              <th class="num">Lag after</th>
            </tr>
          </thead>
          <tbody>
            {plan.partitions.map((p) => (
              <tr key={`${p.topic}/${p.partition}`}>
                <td>{p.topic}</td>
                <td class="num">{p.partition}</td>
                <td class="num">{fmt(p.current)}</td>
                <td class="num">{p.target === null ? 'unchanged' : fmt(p.target)}</td>
                <td class="num">{fmt(p.logEnd)}</td>
                <td class="num">{fmt(p.lagAfter)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </form>
  );
}

function DeleteGroup({ group }: { group: string }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string>();
  const remove = async () => {
    try {
      await api(`/api/groups/${enc(group)}`, { method: 'DELETE' });
      go(['groups']);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section class="danger">
      <h2>Delete group</h2>
      {confirming ? (
        <p>
          Delete {group} and its committed offsets?{' '}
          <button type="button" onClick={remove}>
            Delete permanently
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </p>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          Delete {group}…
        </button>
      )}
      <ErrorBox error={error} />
    </section>
  );
}
