/**
 * Decodes message keys and values in Confluent's wire format (magic byte 0, a 4-byte schema id)
 * through the schema registry's REST API, like any consumer with the registry's deserializers
 * would: the schema of an id is fetched once (as the logged-in user when the console has a login)
 * and Avro (in Avro's JSON encoding), JSON Schema and Protobuf (the JSON mapping) values come out as
 * JSON. An id the registry does not know, or bytes that do not decode, give a reason instead of a
 * value, and the same unknown id is not asked again for 30 seconds. Without a registry nothing is
 * decoded.
 */

import type { Principal } from '../../proxy/kafka.ts';
import { RegistryClient } from '../../registry/client.ts';
import { SchemaDeserializer } from '../../registry/serdes/serde.ts';
import { MAGIC_BYTE } from '../../registry/serdes/wire.ts';
import type { BrowsedMessage, DecodedValue } from './messages.ts';

const RETRY_UNKNOWN_MS = 30_000;
const MAX_DESERIALIZERS = 64;

interface Decoder {
  deserializer: SchemaDeserializer;
  client: RegistryClient;
  types: Map<number, string>;
  failed: Map<number, { error: string; until: number }>;
}

export class RegistryDecoder {
  private readonly decoders = new Map<string, Decoder>();

  private decoderFor(url: string, principal: Principal | null): Decoder {
    const key = `${url}\0${principal?.username ?? ''}\0${principal?.password ?? ''}`;
    let d = this.decoders.get(key);
    if (!d) {
      if (this.decoders.size >= MAX_DESERIALIZERS) void this.close();
      const client = new RegistryClient({
        url,
        timeoutMs: 5000,
        ...(principal ? { auth: { username: principal.username, password: principal.password } } : {}),
      });
      d = {
        client,
        deserializer: new SchemaDeserializer({ registry: client, avroJson: true }),
        types: new Map(),
        failed: new Map(),
      };
      this.decoders.set(key, d);
    }
    return d;
  }

  private async decodeOne(d: Decoder, base64: string | null): Promise<DecodedValue | undefined> {
    if (base64 === null) return undefined;
    const bytes = Buffer.from(base64, 'base64');
    if (bytes.length < 5 || bytes[0] !== MAGIC_BYTE) return undefined;
    const id = bytes.readInt32BE(1);
    const failed = d.failed.get(id);
    if (failed && failed.until > Date.now()) return { id, error: failed.error };
    try {
      if (!d.types.has(id)) d.types.set(id, (await d.client.getSchema(id)).schemaType);
      const value = await d.deserializer.deserialize('', bytes);
      return { id, type: d.types.get(id)!, value: jsonSafe(value) };
    } catch (err) {
      const error = (err as Error).message;
      if (!d.types.has(id)) d.failed.set(id, { error, until: Date.now() + RETRY_UNKNOWN_MS });
      return { id, ...(d.types.has(id) ? { type: d.types.get(id)! } : {}), error };
    }
  }

  async close(): Promise<void> {
    const all = [...this.decoders.values()];
    this.decoders.clear();
    await Promise.allSettled(all.map((d) => d.client.close()));
  }

  /** Adds `schema` to the messages whose key or value is in the wire format. */
  async decode(
    url: string | undefined,
    principal: Principal | null,
    messages: BrowsedMessage[],
  ): Promise<void> {
    if (url === undefined) return;
    const d = this.decoderFor(url, principal);
    // One after the other: the first record of an id fetches its schema, the rest reuse it.
    for (const m of messages) {
      const key = await this.decodeOne(d, m.key);
      const value = await this.decodeOne(d, m.value);
      if (key || value) m.schema = { ...(key ? { key } : {}), ...(value ? { value } : {}) };
    }
  }
}

/** bigint → string, Buffer → base64: what JSON.stringify cannot write. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonSafe(v);
    return out;
  }
  return value;
}
