/**
 * Handler registry: maps API key → handler and answers which versions are supported. The
 * ApiVersions response is built from the registry, so the broker advertises exactly what it serves.
 */
import type { AnyHandler } from './handler.ts';

export class HandlerRegistry {
  private readonly byKey = new Map<number, AnyHandler>();

  register(handler: AnyHandler): this {
    if (this.byKey.has(handler.apiKey)) throw new Error(`API key ${handler.apiKey} registered twice`);
    this.byKey.set(handler.apiKey, handler);
    return this;
  }

  get(apiKey: number): AnyHandler | undefined {
    return this.byKey.get(apiKey);
  }

  supports(apiKey: number, version: number): boolean {
    const h = this.byKey.get(apiKey);
    return h !== undefined && version >= h.minVersion && version <= h.maxVersion;
  }

  /** Supported ranges sorted by API key, as ApiVersions reports them. */
  ranges(): { apiKey: number; minVersion: number; maxVersion: number }[] {
    return [...this.byKey.values()]
      .sort((a, b) => a.apiKey - b.apiKey)
      .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }));
  }
}
