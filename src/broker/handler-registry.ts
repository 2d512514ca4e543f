/**
 * Handler registry: maps API key → handler and answers which versions are supported. The
 * ApiVersions response is built from the registry, so the broker advertises exactly what it serves.
 * Handlers are registered loaded, or as modules loaded on first use (handlers/index.ts): the
 * versions are known up front either way, and `get` returns only loaded handlers while `load`
 * brings one in (once, shared by every connection).
 */
import type { AnyHandler } from './handler.ts';
import type { HandlerModule } from './handlers/index.ts';

interface Entry {
  readonly module: HandlerModule;
  handler: AnyHandler | undefined;
  loading: Promise<AnyHandler> | undefined;
}

export class HandlerRegistry {
  private readonly byKey = new Map<number, Entry>();

  /** Registers a handler module: loaded already when it carries its handler, else on first use. */
  registerModule(module: HandlerModule): this {
    if (this.byKey.has(module.apiKey)) throw new Error(`API key ${module.apiKey} registered twice`);
    this.byKey.set(module.apiKey, { module, handler: module.handler, loading: undefined });
    return this;
  }

  /** The handler when it is loaded; undefined for an unknown API key or one not loaded yet. */
  get(apiKey: number): AnyHandler | undefined {
    return this.byKey.get(apiKey)?.handler;
  }

  /** Loads the handler for a registered API key (undefined for an unknown one). */
  load(apiKey: number): Promise<AnyHandler> | undefined {
    const entry = this.byKey.get(apiKey);
    if (!entry) return undefined;
    if (entry.handler) return Promise.resolve(entry.handler);
    entry.loading ??= entry.module.load().then((h) => {
      if (
        h.apiKey !== entry.module.apiKey ||
        h.minVersion !== entry.module.minVersion ||
        h.maxVersion !== entry.module.maxVersion
      ) {
        throw new Error(`handler ${h.name} does not match its registration (${entry.module.name})`);
      }
      entry.handler = h;
      return h;
    });
    return entry.loading;
  }

  supports(apiKey: number, version: number): boolean {
    const m = this.byKey.get(apiKey)?.module;
    return m !== undefined && version >= m.minVersion && version <= m.maxVersion;
  }

  /** Supported ranges sorted by API key, as ApiVersions reports them. */
  ranges(): { apiKey: number; minVersion: number; maxVersion: number }[] {
    return [...this.byKey.values()]
      .map((e) => e.module)
      .sort((a, b) => a.apiKey - b.apiKey)
      .map((m) => ({ apiKey: m.apiKey, minVersion: m.minVersion, maxVersion: m.maxVersion }));
  }
}
