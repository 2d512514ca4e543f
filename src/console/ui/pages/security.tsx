/**
 * Security: the cluster's ACL bindings (listed) and SCRAM users (listed, created or given a new
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
                    </tr>
                  ))}
                </tbody>
              </table>
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
