/**
 * The UI's only way out: JSON requests to the console's own server (same origin, so the browser
 * re-sends basic credentials). Errors carry the server's message: the Kafka error name, Connect's
 * or the registry's answer.
 */

export class RequestError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, message: string, body: unknown) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

function messageOf(body: unknown, status: number): string {
  if (body && typeof body === 'object') {
    const o = body as { error?: unknown; message?: unknown };
    if (typeof o.error === 'string') return o.error;
    if (typeof o.message === 'string') return o.message;
  }
  return typeof body === 'string' && body !== '' ? body : `HTTP ${status}`;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  if (!res.ok) throw new RequestError(res.status, messageOf(body, res.status), body);
  return body as T;
}

export const enc = encodeURIComponent;
