/**
 * Plain TCP connections read into one buffer shared by every socket of the process, with Node's
 * `onread` option, instead of a new 64 KiB ArrayBuffer per read (external memory V8 counts against
 * its heap limit: a CDC snapshot's 1.1 GB of reads cost the broker dozens of full Mark-Compacts).
 *
 * Node offers `onread` only for sockets it creates, so an accepted socket (the server listens with
 * `pauseOnConnect`, nothing is read yet) gives its handle to a new `net.Socket` that has it; the
 * server's connection count moves with it (the new socket decrements it when it closes, so
 * `server.close()` still waits for it). Reads start when the connection registers its callback
 * (`readShared`).
 *
 * The bytes passed to the callback are valid only until it returns: libuv reads the next socket's
 * bytes into the same memory. The callback must consume them synchronously and copy whatever it
 * keeps. TLS sockets cannot use `onread` (their reads are decrypted by the TLS layer) and stay on
 * 'data' events. Relies on `_handle`/`_server`, internal to Node's net module (stable since Node 12);
 * where they are missing the accepted socket is used as it is.
 */
import { type Server, Socket } from 'node:net';

/** Size of the shared buffer: the most one read takes from a socket. */
export const READ_BUFFER_BYTES = 1024 * 1024;

export type ReadCallback = (nread: number, buf: Buffer) => void;

let readBuffer: Buffer | null = null;

/** Where each adopted socket's reads go, once its connection registered. */
const targets = new WeakMap<Socket, { callback: ReadCallback | null }>();

interface NetInternals {
  _handle: unknown;
  _server: Server | null;
  server: Server | null;
}

/**
 * A socket reading into the shared buffer, taking over `accepted` (from a server created with
 * `pauseOnConnect: true`). Returns `accepted` itself when its handle cannot be taken.
 */
export function adoptAccepted(accepted: Socket, server: Server): Socket {
  const old = accepted as unknown as NetInternals;
  const handle = old._handle;
  if (handle === null || handle === undefined || old._server !== server) return accepted;
  readBuffer ??= Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  const target: { callback: ReadCallback | null } = { callback: null };
  old._handle = null;
  old._server = null;
  old.server = null;
  const options = {
    handle,
    allowHalfOpen: (server as unknown as { allowHalfOpen?: boolean }).allowHalfOpen === true,
    pauseOnCreate: true,
    readable: true,
    writable: true,
    onread: {
      buffer: readBuffer,
      callback: (nread: number, buf: Uint8Array): boolean => {
        target.callback?.(nread, buf as Buffer);
        return true;
      },
    },
  };
  const socket = new Socket(options as unknown as ConstructorParameters<typeof Socket>[0]);
  const adopted = socket as unknown as NetInternals;
  adopted.server = server;
  adopted._server = server;
  targets.set(socket, target);
  return socket;
}

/**
 * Sends `socket`'s reads to `callback` and starts reading, when the socket came from
 * `adoptAccepted`; otherwise returns false (the caller reads 'data' events).
 */
export function readShared(socket: Socket, callback: ReadCallback): boolean {
  const target = targets.get(socket);
  if (!target) return false;
  target.callback = callback;
  socket.resume();
  return true;
}
