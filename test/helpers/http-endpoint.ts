/**
 * A real HTTP server on a free 127.0.0.1 port that fails on command, for sink tests: each request is
 * recorded (time, method, path, headers, body) and answered as the test's `respond` function decides
 * — a status with an optional Retry-After, a delay before answering, or a connection reset.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type Answer =
  | { status: number; retryAfter?: string; delayMs?: number; body?: string }
  | { reset: true; delayMs?: number };

export type Responder = (request: ReceivedRequest, index: number) => Answer;

export interface HttpEndpoint {
  readonly url: string;
  readonly port: number;
  /** Every request received, in arrival order (also the failed ones). */
  readonly requests: ReceivedRequest[];
  respond: Responder;
  close(): Promise<void>;
}

export async function startHttpEndpoint(respond: Responder = () => ({ status: 200 })): Promise<HttpEndpoint> {
  const sockets = new Set<Socket>();
  const endpoint = {
    url: '',
    port: 0,
    requests: [] as ReceivedRequest[],
    respond,
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: ReceivedRequest = {
        at: Date.now(),
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const index = endpoint.requests.push(request) - 1;
      const answer = endpoint.respond(request, index);
      const reply = (): void => {
        if ('reset' in answer) {
          req.socket.resetAndDestroy();
          return;
        }
        const headers: Record<string, string> = { 'content-type': 'text/plain' };
        if (answer.retryAfter !== undefined) headers['retry-after'] = answer.retryAfter;
        res.writeHead(answer.status, headers);
        res.end(answer.body ?? (answer.status < 300 ? 'ok' : `failed with ${answer.status}`));
      };
      if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  server.keepAliveTimeout = 60_000;
  // Unreferenced: a test that fails before closing its endpoint must not keep the process alive.
  server.unref();
  server.on('connection', (socket) => {
    socket.unref();
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  endpoint.port = port;
  endpoint.url = `http://127.0.0.1:${port}`;
  endpoint.close = async () => {
    for (const socket of sockets) socket.destroy();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return endpoint;
}
