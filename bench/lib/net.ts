/** Loopback helpers: a free port, connecting, and waiting until a port accepts connections. */
import { connect, createServer, type Socket } from 'node:net';

export const HOST = '127.0.0.1';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function connectTo(port: number, host = HOST, timeoutMs = 5000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host, noDelay: true });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`connect ${host}:${port} timed out`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** True when something accepts a TCP connection on host:port within timeoutMs. */
export async function canConnect(port: number, host = HOST, timeoutMs = 500): Promise<boolean> {
  try {
    const s = await connectTo(port, host, timeoutMs);
    s.destroy();
    return true;
  } catch {
    return false;
  }
}

/** Polls every `everyMs` until a connection is accepted; returns the time it succeeded (performance.now()). */
export async function waitForPort(port: number, timeoutMs: number, everyMs = 2): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await canConnect(port, HOST, 200)) return performance.now();
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`nothing accepted connections on ${HOST}:${port} within ${timeoutMs} ms`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
