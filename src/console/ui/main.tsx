/**
 * The console's single page: a header with the sections, the page the URL hash names, light and
 * dark colours from the system's preference. Pages load their data from the console's own API.
 */
import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { api } from './api.ts';
import { useLoad } from './hooks.ts';
import { ConnectorsPage } from './pages/connectors.tsx';
import { GroupPage, GroupsPage } from './pages/groups.tsx';
import { MessagesPage } from './pages/messages.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { SchemasPage, SubjectPage } from './pages/schemas.tsx';
import { SecurityPage } from './pages/security.tsx';
import { TopicPage } from './pages/topic.tsx';
import { TopicsPage } from './pages/topics.tsx';
import { type Route, useRoute } from './router.ts';
import './style.css';

export interface Session {
  authentication: 'none' | 'basic';
  user: string | null;
  connect: boolean;
  registry: boolean;
}

const SECTIONS = [
  ['', 'Overview'],
  ['topics', 'Topics'],
  ['groups', 'Consumer groups'],
  ['connectors', 'Connectors'],
  ['schemas', 'Schemas'],
  ['security', 'Security'],
] as const;

function page(route: Route, session: Session | undefined) {
  const [section, name, sub] = route.path;
  switch (section) {
    case undefined:
      return <OverviewPage />;
    case 'topics':
      if (name === undefined) return <TopicsPage route={route} />;
      if (sub === 'messages') return <MessagesPage route={route} topic={name} />;
      return <TopicPage topic={name} />;
    case 'groups':
      return name === undefined ? <GroupsPage /> : <GroupPage group={name} />;
    case 'connectors':
      return <ConnectorsPage enabled={session?.connect ?? true} />;
    case 'schemas':
      return name === undefined ? (
        <SchemasPage enabled={session?.registry ?? true} />
      ) : (
        <SubjectPage subject={name} />
      );
    case 'security':
      return <SecurityPage />;
    default:
      return <p>No such page.</p>;
  }
}

function App() {
  const route = useRoute();
  const session = useLoad(() => api<Session>('/api/session'), 'session');
  const section = route.path[0] ?? '';
  const key = route.path.join('/');
  useEffect(() => {
    const h1 = document.querySelector<HTMLElement>('main h1');
    if (h1 && document.activeElement === document.body) h1.focus({ preventScroll: true });
    document.title = `${SECTIONS.find(([s]) => s === section)?.[1] ?? 'Samsa'} · Samsa console`;
  }, [key, section]);
  return (
    <>
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header>
        <a class="brand" href="#/">
          Samsa
        </a>
        <nav aria-label="Sections">
          {SECTIONS.map(([s, label]) => (
            <a key={s} href={`#/${s}`} aria-current={section === s ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        {session.data?.user ? <span class="user">Signed in as {session.data.user}</span> : null}
      </header>
      <main id="main" tabIndex={-1} key={key}>
        {page(route, session.data)}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
