/**
 * Hash routing: `#/topics/orders/messages?partition=0&from=end`. Every page and filter lives in
 * the URL, so a view can be shared or bookmarked; changing a filter replaces the URL.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  path: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const text = hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = text.split('?', 2);
  return { path: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function href(path: readonly string[], query?: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return `#/${path.map(encodeURIComponent).join('/')}${qs ? `?${qs}` : ''}`;
}

/** Replaces the query of the current page (filters), keeping history short. */
export function setQuery(route: Route, changes: Record<string, string | number | undefined>): void {
  const q: Record<string, string> = Object.fromEntries(route.query);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') delete q[k];
    else q[k] = String(v);
  }
  history.replaceState(null, '', href(route.path, q));
  dispatchEvent(new HashChangeEvent('hashchange'));
}

export function go(path: readonly string[], query?: Record<string, string | number | undefined>): void {
  location.hash = href(path, query);
}
