/**
 * Schemas through the registry's REST API (forwarded by the console's server): subjects, one
 * subject's versions and compatibility level, and registering a new version after the
 * compatibility check, whose messages are shown when it fails.
 */
import { useState } from 'preact/hooks';
import { api, enc } from '../api.ts';
import { ErrorBox, Notice, Title } from '../components.tsx';
import { diffLines } from '../diff.ts';
import { useLoad } from '../hooks.ts';
import { go } from '../router.ts';

interface SchemaVersion {
  subject: string;
  version: number;
  id: number;
  schemaType?: string;
  schema: string;
}

function pretty(schema: string): string {
  try {
    return JSON.stringify(JSON.parse(schema), null, 2);
  } catch {
    return schema;
  }
}

export function SchemasPage({ enabled }: { enabled: boolean }) {
  const subjects = useLoad(() => api<string[]>('/api/registry/subjects'), 'subjects');
  if (!enabled)
    return (
      <>
        <Title>Schemas</Title>
        <p>No schema registry is configured: start the console with --registry-url URL.</p>
      </>
    );
  return (
    <>
      <Title>Schemas</Title>
      <ErrorBox error={subjects.error} />
      {subjects.data && subjects.data.length === 0 ? <p>No subjects yet.</p> : null}
      {subjects.data && subjects.data.length > 0 ? (
        <ul data-testid="subjects" class="list">
          {subjects.data.map((s) => (
            <li key={s}>
              <a href={`#/schemas/${enc(s)}`}>{s}</a>
            </li>
          ))}
        </ul>
      ) : null}
      <Register subject={undefined} done={(s) => go(['schemas', s])} />
    </>
  );
}

export function SubjectPage({ subject }: { subject: string }) {
  const versions = useLoad(async () => {
    const list = await api<number[]>(`/api/registry/subjects/${enc(subject)}/versions`);
    return Promise.all(
      list.map((v) => api<SchemaVersion>(`/api/registry/subjects/${enc(subject)}/versions/${v}`)),
    );
  }, subject);
  const level = useLoad(
    () =>
      api<{ compatibilityLevel: string }>(`/api/registry/config/${enc(subject)}?defaultToGlobal=true`).then(
        (c) => c.compatibilityLevel,
      ),
    subject,
  );
  const list = [...(versions.data ?? [])].reverse();
  return (
    <>
      <p class="crumbs">
        <a href="#/schemas">Schemas</a> /
      </p>
      <Title>{subject}</Title>
      <p>
        Compatibility: <strong data-testid="compatibility">{level.data ?? '…'}</strong>
      </p>
      <ErrorBox error={versions.error} />
      {list.map((v) => (
        <details key={v.version} open={v === list[0]} data-testid={`version-${v.version}`}>
          <summary>
            Version {v.version} (id {v.id}, {v.schemaType ?? 'AVRO'})
          </summary>
          <pre class="schema">{pretty(v.schema)}</pre>
        </details>
      ))}
      {list.length > 1 ? <Compare versions={list} /> : null}
      <Register key={list[0]?.version ?? 0} subject={subject} done={versions.reload} initial={list[0]} />
    </>
  );
}

function Compare({ versions }: { versions: SchemaVersion[] }) {
  const [from, setFrom] = useState(versions[1]!.version);
  const [to, setTo] = useState(versions[0]!.version);
  const a = versions.find((v) => v.version === from);
  const b = versions.find((v) => v.version === to);
  const pick = (value: number, set: (n: number) => void, label: string) => (
    <label>
      {label}{' '}
      <select value={value} onChange={(e) => set(Number((e.target as HTMLSelectElement).value))}>
        {versions.map((v) => (
          <option key={v.version} value={v.version}>
            {v.version}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <section>
      <h2>Compare versions</h2>
      {pick(from, setFrom, 'Version')}
      {pick(to, setTo, 'with version')}
      {a && b ? (
        <pre class="diff" data-testid="diff">
          {diffLines(pretty(a.schema), pretty(b.schema)).map((l, i) => (
            <div key={i} class={l.kind === '+' ? 'add' : l.kind === '-' ? 'del' : ''}>
              {l.kind} {l.text}
            </div>
          ))}
        </pre>
      ) : null}
    </section>
  );
}

function Register(props: {
  subject: string | undefined;
  done: (subject: string) => void;
  initial?: SchemaVersion;
}) {
  const [error, setError] = useState<string>();
  const [messages, setMessages] = useState<string[]>([]);
  const [notice, setNotice] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const subject = props.subject ?? String(form.get('subject'));
    const body = { schema: String(form.get('schema')), schemaType: String(form.get('schemaType')) };
    setError(undefined);
    setMessages([]);
    setNotice(undefined);
    try {
      if (props.subject !== undefined) {
        const check = await api<{ is_compatible: boolean; messages?: string[] }>(
          `/api/registry/compatibility/subjects/${enc(subject)}/versions/latest?verbose=true`,
          { method: 'POST', body },
        );
        if (!check.is_compatible) {
          setError('Not compatible with the latest version:');
          setMessages(check.messages ?? []);
          return;
        }
      }
      const r = await api<{ id: number }>(`/api/registry/subjects/${enc(subject)}/versions`, {
        method: 'POST',
        body,
      });
      setNotice(`Registered (schema id ${r.id}).`);
      props.done(subject);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-label="Register schema">
      <h2>{props.subject === undefined ? 'Register a schema' : 'Register a new version'}</h2>
      {props.subject === undefined ? (
        <label>
          Subject <input name="subject" required placeholder="orders-value" />
        </label>
      ) : null}
      <label>
        Type{' '}
        <select name="schemaType" defaultValue={props.initial?.schemaType ?? 'AVRO'}>
          <option value="AVRO">Avro</option>
          <option value="JSON">JSON Schema</option>
          <option value="PROTOBUF">Protobuf</option>
        </select>
      </label>
      <label class="wide">
        Schema
        <textarea
          name="schema"
          rows={10}
          class="mono"
          required
          defaultValue={props.initial ? pretty(props.initial.schema) : ''}
        />
      </label>
      <button type="submit">{props.subject === undefined ? 'Register' : 'Check and register'}</button>
      <ErrorBox error={error} />
      {messages.length > 0 ? (
        <ul class="error" data-testid="compat-messages">
          {messages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
      <Notice text={notice} />
    </form>
  );
}
