/**
 * The Redis sink task: each `put` becomes one pipeline (or MULTI/EXEC with `redis.multiexec`) of the
 * batch's commands in offset order, so for STRING, HASH and JSON the last write per key wins and a
 * batch written twice after a crash leaves the same state. Offsets are committed by the runtime
 * after `put` returns, i.e. after Redis answered every command.
 *
 * Errors: Redis unreachable at start fails the task with the address and reason; a connection lost
 * mid-run makes `put` throw RetriableError (the runtime redelivers the batch); a record Redis or the
 * mapping rejects (no key, a HASH value without fields, WRONGTYPE) goes to the runtime's dead-letter
 * queue when one is configured (`errors.tolerance=all`), else fails the task naming the record.
 */
import { Redis } from 'ioredis';
import {
  type ConnectConfig,
  ConnectError,
  RetriableError,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
} from '../../connect/api/index.ts';
import { type Command, collectionKeys, commandsFor, RecordError } from './commands.ts';
import { type RedisSinkSettings, redisSinkSettings } from './config.ts';

/** Commands per pipeline round trip; a larger batch is sent in several. */
const PIPELINE_COMMANDS = 10_000;

function describe(record: SinkRecord): string {
  return `${record.originalTopic}-${record.originalKafkaPartition} offset ${record.originalKafkaOffset}`;
}

export class RedisSinkTask implements SinkTask {
  #settings!: RedisSinkSettings;
  #context!: SinkTaskContext;
  #redis: Redis | null = null;
  /** Keys written, for tests and benchmarks. */
  written = 0;

  async start(config: ConnectConfig, context: SinkTaskContext): Promise<void> {
    try {
      this.#settings = redisSinkSettings(config);
    } catch (err) {
      throw new ConnectError((err as Error).message);
    }
    this.#context = context;
    const s = this.#settings;
    const redis = new Redis({
      host: s.host,
      port: s.port,
      db: s.db,
      ...(s.username !== undefined ? { username: s.username } : {}),
      ...(s.password !== undefined ? { password: s.password } : {}),
      ...(s.tls ? { tls: { rejectUnauthorized: !s.insecure, servername: s.host } } : {}),
      lazyConnect: true,
      connectTimeout: s.timeoutMs,
      commandTimeout: s.timeoutMs,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    });
    let lastError: Error | null = null;
    redis.on('error', (err: Error) => {
      lastError = err;
      context.logger.debug({ err }, 'Redis connection error');
    });
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      redis.disconnect();
      // ioredis rejects with "Connection is closed"; the socket's own error says why.
      const reason = (lastError as Error | null)?.message ?? (err as Error).message;
      throw new ConnectError(`could not connect to Redis at ${s.where}: ${reason}`);
    }
    this.#redis = redis;
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    // Consecutive plain SETs become one MSET and consecutive DELs one DEL: the same writes in the
    // same order (MSET applies its pairs left to right), with far fewer commands to encode.
    const commands: Command[] = [];
    const owners: number[][] = [];
    const merge = (c: Command, owner: number): void => {
      const last = commands.at(-1);
      if (last && c[0] === 'SET' && c.length === 3 && last[0] === 'MSET') {
        last.push(c[1]!, c[2]!);
        owners.at(-1)!.push(owner);
      } else if (last && c[0] === 'DEL' && last[0] === 'DEL') {
        last.push(c[1]!);
        owners.at(-1)!.push(owner);
      } else {
        commands.push(c[0] === 'SET' && c.length === 3 ? ['MSET', c[1]!, c[2]!] : [...c]);
        owners.push([owner]);
      }
    };
    for (let i = 0; i < records.length; i++) {
      let list: Command[];
      try {
        list = commandsFor(this.#settings, records[i]!);
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        await this.#reject(records[i]!, err);
        continue;
      }
      for (const c of list) merge(c, i);
    }
    for (const key of collectionKeys(this.#settings, records))
      merge(['EXPIRE', key, String(this.#settings.ttlSeconds)], records.length - 1);
    const rejected = new Set<number>();
    for (let start = 0; start < commands.length; start += PIPELINE_COMMANDS) {
      const chunk = commands.slice(start, start + PIPELINE_COMMANDS);
      const results = await this.#exec(chunk);
      for (const [err] of results)
        if (err && err.name !== 'ReplyError')
          throw new RetriableError(`Redis at ${this.#settings.where} is unavailable: ${err.message}`);
      for (const [j, [err]] of results.entries()) {
        if (!err) continue;
        for (const index of owners[start + j]!) {
          if (rejected.has(index)) continue;
          rejected.add(index);
          await this.#reject(
            records[index]!,
            new RecordError(`Redis answered ${err.message} to ${chunk[j]![0]}`),
          );
        }
      }
    }
    this.written += records.length;
  }

  async #exec(commands: readonly Command[]): Promise<[Error | null, unknown][]> {
    const redis = this.#redis!;
    const pipeline = this.#settings.multiExec ? redis.multi() : redis.pipeline();
    for (const [name, ...args] of commands) pipeline.call(name, ...args);
    try {
      const results = await pipeline.exec();
      if (results === null) throw new Error('the transaction was discarded');
      return results;
    } catch (err) {
      throw new RetriableError(`Redis at ${this.#settings.where} is unavailable: ${(err as Error).message}`);
    }
  }

  async #reject(record: SinkRecord, error: Error): Promise<void> {
    const reporter = this.#context.errantRecordReporter;
    if (reporter) {
      await reporter.report(record, error);
      return;
    }
    throw new ConnectError(
      `record ${describe(record)} cannot be written to Redis: ${error.message} (set errors.tolerance=all and errors.deadletterqueue.topic.name to send such records to a dead-letter topic)`,
    );
  }

  async stop(): Promise<void> {
    const redis = this.#redis;
    this.#redis = null;
    if (!redis) return;
    await redis.quit().catch(() => redis.disconnect());
  }
}
