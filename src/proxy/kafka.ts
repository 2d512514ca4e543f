/**
 * The proxy's Kafka side: one set of clients per authenticated user (the proxy speaks to the
 * broker *as* that user over SASL, so ACLs and tenant prefixes apply to HTTP clients as to Kafka
 * clients), created on first use, checked by a Metadata request (a wrong password fails the SASL
 * handshake: 401), cached by user and password hash, closed after `idleMs` unused. Anonymous use
 * (no proxy authentication) shares one set. Also: reading Kafka error names out of the client
 * library's nested errors, and topic metadata with Confluent's 404/403 answers.
 */
import { createHash } from 'node:crypto';
import { Admin, type ClusterMetadata, Consumer, Producer, type SASLOptions } from '@platformatic/kafka';
import type { KafkaConnectionOptions } from '../client/connection-options.ts';
import { kafkaError, notAuthorized, RestError, topicNotFound, unauthorized } from './errors.ts';

export interface Principal {
  username: string;
  password: string;
}

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'PLAIN';

export interface KafkaSideOptions {
  connection: KafkaConnectionOptions;
  /** SASL mechanism used to speak as an HTTP user (default SCRAM-SHA-256). */
  mechanism?: ScramMechanism;
  compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  /** Close a user's clients after this long unused (default 5 min). */
  idleMs?: number;
}

export interface UserClients {
  readonly key: string;
  readonly principal: Principal | null;
  readonly admin: Admin;
  readonly producer: Producer;
  /** Connection options for clients created per request (consumer instances). */
  readonly connection: KafkaConnectionOptions & { sasl?: SASLOptions };
  /** A consumer that only lists offsets (never joins a group), created on first use. */
  reader(): Consumer;
  lastUsed: number;
}

/** The first Kafka error name (`UNKNOWN_TOPIC_OR_PARTITION`, ...) in a client library error. */
export function kafkaErrorName(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const walk = (e: unknown): string | undefined => {
    if (e === null || typeof e !== 'object' || seen.has(e)) return undefined;
    seen.add(e);
    const o = e as { apiId?: unknown; errors?: unknown[]; cause?: unknown; response?: unknown };
    if (typeof o.apiId === 'string') return o.apiId;
    for (const inner of o.errors ?? []) {
      const found = walk(inner);
      if (found) return found;
    }
    return walk(o.cause);
  };
  return walk(err);
}

/** Maps a client library error to Confluent's answer. */
export function restErrorOf(err: unknown, topics: readonly string[] = []): RestError {
  if (err instanceof RestError) return err;
  const name = kafkaErrorName(err);
  if (name === 'TOPIC_AUTHORIZATION_FAILED') return notAuthorized(topics);
  if (name === 'UNKNOWN_TOPIC_OR_PARTITION' || name === 'UNKNOWN_TOPIC_ID') return topicNotFound();
  // The client library turns UNKNOWN_TOPIC_OR_PARTITION in Metadata into this message.
  if (name === undefined && /^Unknown topic /.test(String((err as Error)?.message))) return topicNotFound();
  if (name === 'SASL_AUTHENTICATION_FAILED' || /authenticat/i.test(String((err as Error)?.message))) {
    return unauthorized('Authentication with the Kafka cluster failed');
  }
  if (name === 'GROUP_AUTHORIZATION_FAILED')
    return new RestError(403, 40301, 'Not authorized to access group');
  if (name === 'CLUSTER_AUTHORIZATION_FAILED')
    return new RestError(403, 40301, 'Not authorized to access the cluster');
  return kafkaError(name ?? describe(err));
}

export function describe(err: unknown): string {
  const e = err as Error & { errors?: unknown[] };
  const inner = e?.errors?.at(-1);
  return inner ? `${e.message} ${describe(inner)}` : (e?.message ?? String(err));
}

export class KafkaSide {
  readonly #o: KafkaSideOptions;
  readonly #users = new Map<string, Promise<UserClients>>();
  readonly #timer: NodeJS.Timeout;

  constructor(o: KafkaSideOptions) {
    this.#o = o;
    this.#timer = setInterval(() => this.#closeIdle(), Math.min(o.idleMs ?? 300_000, 60_000));
    this.#timer.unref();
  }

  get connection(): KafkaConnectionOptions {
    return this.#o.connection;
  }

  /** The clients of `principal` (null: anonymous), created and checked on first use. */
  async clients(principal: Principal | null): Promise<UserClients> {
    const key =
      principal === null
        ? ''
        : `${principal.username}\0${createHash('sha256').update(principal.password).digest('hex')}`;
    let entry = this.#users.get(key);
    if (entry === undefined) {
      entry = this.#create(key, principal);
      this.#users.set(key, entry);
      entry.catch(() => this.#users.delete(key));
    }
    const clients = await entry;
    clients.lastUsed = Date.now();
    return clients;
  }

  async #create(key: string, principal: Principal | null): Promise<UserClients> {
    const connection: KafkaConnectionOptions & { sasl?: SASLOptions } = { ...this.#o.connection };
    if (principal !== null) {
      connection.sasl = {
        mechanism: this.#o.mechanism ?? 'SCRAM-SHA-256',
        username: principal.username,
        password: principal.password,
      };
    }
    const base = {
      ...connection,
      clientId: principal === null ? 'samsa-proxy' : `samsa-proxy-${principal.username}`,
      connectTimeout: 5000,
      timeout: 30_000,
      requestTimeout: 30_000,
      retries: 2,
      retryDelay: 200,
    };
    const admin = new Admin(base);
    try {
      await admin.metadata({ topics: [] });
    } catch (err) {
      await admin.close().catch(() => {});
      if (principal !== null && isAuthFailure(err)) throw unauthorized();
      throw restErrorOf(err);
    }
    const producer = new Producer({
      ...base,
      acks: -1,
      // Concurrent HTTP requests each send; let them pipeline on the connection.
      maxInflights: 16,
      compression: this.#o.compression ?? 'lz4',
      autocreateTopics: false,
    });
    let reader: Consumer | undefined;
    return {
      key,
      principal,
      admin,
      producer,
      connection,
      reader: () => {
        reader ??= new Consumer({
          ...base,
          clientId: `${base.clientId}-offsets`,
          groupId: 'samsa-proxy-offsets',
        });
        return reader;
      },
      closeReader: () => reader?.close(true),
      lastUsed: Date.now(),
    } as UserClients;
  }

  /** Metadata of one topic, or Confluent's 404 (unknown) / 403 (not authorised). */
  async topic(
    clients: UserClients,
    topic: string,
  ): Promise<{
    metadata: ClusterMetadata;
    info: ClusterMetadata['topics'] extends Map<string, infer T> ? T : never;
  }> {
    try {
      const metadata = await clients.admin.metadata({
        topics: [topic],
        autocreateTopics: false,
        forceUpdate: true,
      });
      const info = metadata.topics.get(topic);
      if (info === undefined) throw topicNotFound();
      return { metadata, info };
    } catch (err) {
      throw restErrorOf(err, [topic]);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    const entries = [...this.#users.values()];
    this.#users.clear();
    await Promise.all(entries.map(async (e) => closeClients(await e.catch(() => null))));
  }

  #closeIdle(): void {
    const cutoff = Date.now() - (this.#o.idleMs ?? 300_000);
    for (const [key, entry] of this.#users) {
      entry.then(
        (c) => {
          if (c.lastUsed < cutoff && this.#users.get(key) === entry) {
            this.#users.delete(key);
            void closeClients(c);
          }
        },
        () => {},
      );
    }
  }
}

function isAuthFailure(err: unknown): boolean {
  const name = kafkaErrorName(err);
  if (name === 'SASL_AUTHENTICATION_FAILED' || name === 'ILLEGAL_SASL_STATE') return true;
  return /authenticat|sasl/i.test(describe(err));
}

async function closeClients(c: UserClients | null): Promise<void> {
  if (c === null) return;
  const closeReader = (c as UserClients & { closeReader?: () => Promise<void> | undefined }).closeReader;
  await Promise.all([
    c.admin.close().catch(() => {}),
    c.producer.close(true).catch(() => {}),
    Promise.resolve(closeReader?.()).catch(() => {}),
  ]);
}
