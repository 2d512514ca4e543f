/** Overview: cluster id, brokers, topic and partition counts, the consumer groups lagging most. */
import { api, enc } from '../api.ts';
import { ErrorBox, fmt, Title } from '../components.tsx';
import { useLoad } from '../hooks.ts';
import { Throughput } from '../throughput.tsx';

export interface Cluster {
  clusterId: string;
  controllerId: number;
  brokers: { nodeId: number; host: string; port: number; rack: string | null }[];
  topics: number;
  partitions: number;
}

export interface GroupRow {
  id: string;
  state: string;
  protocolType: string;
  members: number | null;
  lag: number | null;
}

export function OverviewPage() {
  const cluster = useLoad(() => api<Cluster>('/api/cluster'), 'cluster');
  const groups = useLoad(() => api<GroupRow[]>('/api/groups'), 'groups');
  const c = cluster.data;
  const lagging = [...(groups.data ?? [])]
    .filter((g) => (g.lag ?? 0) > 0)
    .sort((a, b) => (b.lag ?? 0) - (a.lag ?? 0))
    .slice(0, 10);
  return (
    <>
      <Title>Overview</Title>
      <ErrorBox error={cluster.error} />
      {c ? (
        <dl class="stats">
          <div>
            <dt>Cluster id</dt>
            <dd data-testid="cluster-id">{c.clusterId}</dd>
          </div>
          <div>
            <dt>Brokers</dt>
            <dd>{c.brokers.length}</dd>
          </div>
          <div>
            <dt>Topics</dt>
            <dd data-testid="topic-count">{fmt(c.topics)}</dd>
          </div>
          <div>
            <dt>Partitions</dt>
            <dd>{fmt(c.partitions)}</dd>
          </div>
          <div>
            <dt>Consumer groups</dt>
            <dd>{groups.data ? fmt(groups.data.length) : '…'}</dd>
          </div>
        </dl>
      ) : cluster.loading ? (
        <p>Loading…</p>
      ) : null}
      <Throughput />
      {c ? (
        <section>
          <h2>Brokers</h2>
          <table>
            <thead>
              <tr>
                <th>Id</th>
                <th>Host</th>
                <th class="num">Port</th>
                <th>Rack</th>
              </tr>
            </thead>
            <tbody>
              {c.brokers.map((b) => (
                <tr key={b.nodeId}>
                  <td>
                    {b.nodeId}
                    {b.nodeId === c.controllerId ? ' (controller)' : ''}
                  </td>
                  <td>{b.host}</td>
                  <td class="num">{b.port}</td>
                  <td>{b.rack ?? '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      <section>
        <h2>Consumer groups with the largest lag</h2>
        <ErrorBox error={groups.error} />
        {groups.data && lagging.length === 0 ? <p>No consumer group is behind.</p> : null}
        {lagging.length > 0 ? (
          <table>
            <thead>
              <tr>
                <th>Group</th>
                <th>State</th>
                <th class="num">Lag</th>
              </tr>
            </thead>
            <tbody>
              {lagging.map((g) => (
                <tr key={g.id}>
                  <td>
                    <a href={`#/groups/${enc(g.id)}`}>{g.id}</a>
                  </td>
                  <td>{g.state}</td>
                  <td class="num">{fmt(g.lag)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
    </>
  );
}
