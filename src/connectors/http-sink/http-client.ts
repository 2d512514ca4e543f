/**
 * Sends one request with undici and says what happened: delivered (2xx), or failed with the status
 * (0 for a connection error, reset or timeout), whether the failure is worth retrying (statuses in
 * `retry.on.status.codes`; connection errors and timeouts always) and the `Retry-After` wait, given
 * in seconds or as an HTTP date. The response body is read (and kept, shortened, for the error
 * message) so the connection goes back to the pool. One agent per task keeps up to
 * `max.in.flight.requests` connections per origin.
 */
import { Agent } from 'undici';
import { type StatusRanges, statusIn } from './status-ranges.ts';

export interface HttpRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string | null;
}

export type SendOutcome =
  | { readonly ok: true; readonly status: number }
  | {
      readonly ok: false;
      readonly status: number;
      readonly retryable: boolean;
      readonly error: string;
      /** Milliseconds the server asked us to wait (Retry-After), if it did. */
      readonly retryAfterMs?: number;
    };

export interface HttpClientOptions {
  readonly connections: number;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly retryStatuses: StatusRanges;
}

/** Milliseconds from a Retry-After value (delta-seconds or an HTTP date), or undefined. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export class HttpClient {
  readonly #agent: Agent;
  readonly #options: HttpClientOptions;

  constructor(options: HttpClientOptions) {
    this.#options = options;
    this.#agent = new Agent({
      connections: options.connections,
      connectTimeout: options.connectTimeoutMs,
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
      keepAliveTimeout: 30_000,
    });
  }

  async send(request: HttpRequest, signal?: AbortSignal): Promise<SendOutcome> {
    const url = new URL(request.url);
    const timeout = AbortSignal.timeout(this.#options.requestTimeoutMs + this.#options.connectTimeoutMs);
    try {
      const response = await this.#agent.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: request.method as 'POST',
        headers: request.headers,
        body: request.body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      const status = response.statusCode;
      if (status >= 200 && status < 300) {
        await response.body.dump();
        return { ok: true, status };
      }
      const text = await response.body.text().catch(() => '');
      const wait = retryAfterMs(response.headers['retry-after']);
      return {
        ok: false,
        status,
        retryable: statusIn(this.#options.retryStatuses, status),
        error: `HTTP ${status} from ${request.method} ${url.origin}${url.pathname}${text ? `: ${text.slice(0, 500)}` : ''}`,
        ...(wait !== undefined ? { retryAfterMs: wait } : {}),
      };
    } catch (err) {
      const e = err as Error & { code?: string; cause?: { code?: string; message?: string } };
      const code = e.code ?? e.cause?.code;
      const reason =
        e.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT'
          ? `no answer within http.request.timeout.ms (${this.#options.requestTimeoutMs} ms)`
          : code === 'UND_ERR_CONNECT_TIMEOUT'
            ? `could not connect within http.connect.timeout.ms (${this.#options.connectTimeoutMs} ms)`
            : `${code ? `${code}: ` : ''}${e.cause?.message ?? e.message}`;
      return {
        ok: false,
        status: 0,
        retryable: true,
        error: `${request.method} ${url.origin}${url.pathname} failed: ${reason}`,
      };
    }
  }

  async close(): Promise<void> {
    await this.#agent.destroy().catch(() => {});
  }
}
