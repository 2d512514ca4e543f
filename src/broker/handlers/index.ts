/**
 * Every API handler the broker serves, in API key order, with the versions it serves. Each
 * handler's file states its key and versions once (`SERVES`); generated-table.ts carries them with
 * a loader (`npm run generate` rewrites it, `npm run check:generated` fails when it is stale), so
 * the registry and ApiVersions know every API without loading it. Handler modules (and the
 * generated codecs they import) load on the first request for their API, so a broker starts
 * without compiling codecs it may never use (startup and idle RSS in docs/benchmarks.md).
 * ApiVersions and the SASL pair, needed before anything else, load with the broker.
 */
import type { AnyHandler } from '../handler.ts';
import { saslHandshakeHandler } from './17-sasl-handshake.ts';
import { apiVersionsHandler } from './18-api-versions.ts';
import { saslAuthenticateHandler } from './36-sasl-authenticate.ts';
import { HANDLER_TABLE, type HandlerTableEntry } from './generated-table.ts';

export interface HandlerModule extends HandlerTableEntry {
  /** Set for the handlers loaded with the broker. */
  readonly handler?: AnyHandler;
}

const LOADED_WITH_BROKER: ReadonlyMap<number, AnyHandler> = new Map(
  [saslHandshakeHandler, apiVersionsHandler, saslAuthenticateHandler].map((h) => [h.apiKey, h]),
);

export const HANDLER_MODULES: readonly HandlerModule[] = HANDLER_TABLE.map((entry) => {
  const handler = LOADED_WITH_BROKER.get(entry.apiKey);
  return handler ? { ...entry, handler } : entry;
});

/** Loads every handler (tests and tools that walk all of them). */
export function loadAllHandlers(): Promise<AnyHandler[]> {
  return Promise.all(HANDLER_MODULES.map((m) => m.handler ?? m.load()));
}
