/**
 * Security: the cluster's ACL bindings (listed, created, deleted after confirmation) and SCRAM users (listed, created or given a new
 * password, deleted after confirmation), as the logged-in user sees them. A broker without an
 * authorizer, or a user not allowed to describe them, shows the broker's reason.
 */
import { useState } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { ErrorBox, Notice, Title } from '../components.tsx';
import { useLoad } from '../hooks.ts';

interface Security {
  acls: {
    list?: {
      resourceType: string;
      resourceName: string;
      patternType: string;
      principal: string;
      host: string;
      operation: string;
      permission: string;
    }[];
    error?: string;
  };
  users: {
    list?: { user: string; credentials: { mechanism: string; iterations: number }[] }[];
    error?: string;
  };
}

const OPERATIONS = [
  'READ',
  'WRITE',
  'CREATE',
  'DELETE',
  'ALTER',
  'DESCRIBE',
  'CLUSTER_ACTION',
  'DESCRIBE_CONFIGS',
  'ALTER_CONFIGS',
  'IDEMPOTENT_WRITE',
  'ALL',
];

export function SecurityPage() {
  const data = useLoad(() => api<Security>('/api/security'), 'security');
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const s = data.data;
  const createUser = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    setError(undefined);
    try {
      const r = await api<{ name: string }>('/api/security/users', {
        method: 'POST',
        body: { name: form.get('name'), password: form.get('password'), mechanism: form.get('mechanism') },
      });
      setNotice(`Saved user ${r.name}.`);
      (e.target as HTMLFormElement).reset();
      data.reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  type Binding = NonNullable<Security['acls']['list']>[number];
  const createAcl = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    setError(undefined);
    const acl = Object.fromEntries(
      ['principal', 'permission', 'operation', 'resourceType', 'resourceName', 'patternType', 'host'].map(
        (k) => [k, form.get(k)],
      ),
    );
    setNotice(undefined);
    try {
      await api('/api/security/acls', { method: 'POST', body: acl });
      setNotice(
        `Created ACL: ${acl.principal} ${acl.permission} ${acl.operation} on ${acl.resourceType} ${acl.resourceName}.`,
      );
      data.reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const deleteAcl = async (a: Binding) => {
    const text = `${a.principal} ${a.permission} ${a.operation} on ${a.resourceType} ${a.resourceName}`;
    if (!confirm(`Delete ACL ${text}?`)) return;
    setError(undefined);
    try {
      await api('/api/security/acls/delete', { method: 'POST', body: a });
      setNotice(`Deleted ACL: ${text}.`);
      data.reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const deleteUser = async (name: string) => {
    if (!confirm(`Delete user ${name}?`)) return;
    setError(undefined);
    try {
      await api(`/api/security/users/${enc(name)}`, { method: 'DELETE' });
      setNotice(`Deleted user ${name}.`);
      data.reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <>
      <Title>Security</Title>
      <ErrorBox error={data.error ?? error} />
      <Notice text={notice} />
      {s ? (
        <>
          <section>
            <h2>ACLs</h2>
            {s.acls.error ? <p class="muted">{s.acls.error}</p> : null}
            {s.acls.list && s.acls.list.length === 0 ? <p>No ACL bindings.</p> : null}
            {s.acls.list && s.acls.list.length > 0 ? (
              <table data-testid="acls">
                <thead>
                  <tr>
                    <th>Principal</th>
                    <th>Permission</th>
                    <th>Operation</th>
                    <th>Resource</th>
                    <th>Pattern</th>
                    <th>Host</th>
                    <th>Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {s.acls.list.map((a) => (
                    <tr
                      key={`${a.principal}|${a.operation}|${a.resourceType}|${a.resourceName}|${a.patternType}|${a.permission}|${a.host}`}
                    >
                      <td>{a.principal}</td>
                      <td>{a.permission}</td>
                      <td>{a.operation}</td>
                      <td>
                        {a.resourceType} {a.resourceName}
                      </td>
                      <td>{a.patternType}</td>
                      <td>{a.host}</td>
                      <td>
                        <button
                          type="button"
                          class="small"
                          aria-label={`Delete ACL ${a.principal} ${a.operation} ${a.resourceType} ${a.resourceName}`}
                          onClick={() => deleteAcl(a)}
                        >
                          Delete
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            {s.acls.list ? (
              <form class="panel" onSubmit={createAcl} aria-label="Create an ACL">
                <h2>Create an ACL</h2>
                <label>
                  Principal <input name="principal" required placeholder="User:alice" autoComplete="off" />
                </label>
                <label>
                  Permission{' '}
                  <select name="permission">
                    <option>ALLOW</option>
                    <option>DENY</option>
                  </select>
                </label>
                <label>
                  Operation{' '}
                  <select name="operation">
                    {OPERATIONS.map((o) => (
                      <option key={o}>{o}</option>
                    ))}
                  </select>
                </label>
                <label>
                  Resource{' '}
                  <select name="resourceType">
                    {['TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID'].map((o) => (
                      <option key={o}>{o}</option>
                    ))}
                  </select>
                </label>
                <label>
                  Name <input name="resourceName" required placeholder="orders, or *" autoComplete="off" />
                </label>
                <label>
                  Pattern{' '}
                  <select name="patternType">
                    <option>LITERAL</option>
                    <option>PREFIXED</option>
                  </select>
                </label>
                <label>
                  Host <input name="host" defaultValue="*" autoComplete="off" />
                </label>
                <button type="submit">Create ACL</button>
              </form>
            ) : null}
          </section>
          <section>
            <h2>SCRAM users</h2>
            {s.users.error ? <p class="muted">{s.users.error}</p> : null}
            {s.users.list && s.users.list.length === 0 ? <p>No SCRAM users.</p> : null}
            {s.users.list && s.users.list.length > 0 ? (
              <table data-testid="users">
                <thead>
                  <tr>
                    <th>User</th>
                    <th>Mechanisms</th>
                    <th>Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {s.users.list.map((u) => (
                    <tr key={u.user}>
                      <td>{u.user}</td>
                      <td>{u.credentials.map((c) => `${c.mechanism} (${c.iterations})`).join(', ')}</td>
                      <td>
                        <button type="button" class="small" onClick={() => deleteUser(u.user)}>
                          Delete
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            <form class="panel" onSubmit={createUser} aria-label="Create or update a user">
              <h2>Create a user or set a password</h2>
              <label>
                Name <input name="name" required autoComplete="off" />
              </label>
              <label>
                Password <input name="password" type="password" required autoComplete="new-password" />
              </label>
              <label>
                Mechanism{' '}
                <select name="mechanism">
                  <option value="SCRAM-SHA-256">SCRAM-SHA-256</option>
                  <option value="SCRAM-SHA-512">SCRAM-SHA-512</option>
                </select>
              </label>
              <button type="submit">Save user</button>
            </form>
          </section>
        </>
      ) : data.loading ? (
        <p>Loading…</p>
      ) : null}
    </>
  );
}
