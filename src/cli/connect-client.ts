/**
 * The `connectors:*` commands' client for a Kafka Connect REST API (Samsa's or a real Kafka
 * Connect cluster's): `--connect-url`, else CONNECT_URL, else http://127.0.0.1:8083. A REST error
 * becomes a CliError with the API's own message.
 */
import type { OptionSpec } from './args.ts';
import type { CommandContext } from './command.ts';
import { CliError } from './errors.ts';

export const DEFAULT_CONNECT_URL = 'http://127.0.0.1:8083';

export const CONNECT_URL_OPTION: OptionSpec = {
  name: 'connect-url',
  type: 'string',
  placeholder: 'URL',
  description: `Kafka Connect REST API (default: CONNECT_URL, else ${DEFAULT_CONNECT_URL})`,
};

export interface ConnectApi {
  readonly url: string;
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
}

export function connectApi(ctx: CommandContext): ConnectApi {
  const url = (ctx.string('connect-url') ?? ctx.env.CONNECT_URL ?? DEFAULT_CONNECT_URL).replace(/\/+$/, '');
  return {
    url,
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      let response: Response;
      try {
        response = await fetch(`${url}${path}`, {
          method,
          headers:
            body === undefined
              ? { accept: 'application/json' }
              : { 'content-type': 'application/json', accept: 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (err) {
        throw new CliError(
          `cannot reach Kafka Connect at ${url}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`,
          'start one with "samsa start" (embedded worker) or "samsa connect", or pass --connect-url',
        );
      }
      const text = await response.text();
      const parsed = text === '' ? null : (JSON.parse(text) as unknown);
      if (response.status >= 400) {
        const message = (parsed as { message?: string } | null)?.message ?? `HTTP ${response.status}`;
        throw new CliError(
          message,
          response.status === 404 ? '"samsa connectors" lists the connectors' : undefined,
        );
      }
      return parsed as T;
    },
  };
}

export function encodeName(name: string): string {
  return encodeURIComponent(name);
}
