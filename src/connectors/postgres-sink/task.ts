/**
 * The Postgres sink task: turns each record into a row operation, buffers them, and writes
 * `batch.size` at a time (one transaction per batch); what is left is written when the runtime asks
 * for a flush before committing offsets, or when a poll brings nothing new. A record the sink cannot
 * write (no key, a value that does not fit the column, a missing table or column) goes to the
 * dead-letter queue when the connector has one (errors.tolerance=all with
 * errors.deadletterqueue.topic.name), otherwise the task fails with the record's position and the
 * database's message. Lost connections are retried (RetriableError): the runtime redelivers the
 * batch, which is harmless since writes are idempotent by key. A full batch is written while the
 * runtime fetches and converts the records of the next one (one write at a time): the put that
 * fills the next batch, a put after the write failed (the failure surfaces there) and flush wait
 * for it, so offsets are committed only for written records. Buffered rows keep their records only
 * when a dead-letter reporter may need them (otherwise their positions, for error messages): the
 * converted values die young instead of filling V8's old generation.
 */
import pg from 'pg';
import {
  ConnectError,
  RetriableError,
  type SinkOffsets,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
} from '../../connect/api/index.ts';
import { readSinkConfig, type SinkConfig } from './config.ts';
import { rowOp, UnwritableRecordError } from './record.ts';
import { Tables } from './tables.ts';
import { BatchWriter, type Entry, type RecordPosition } from './writer.ts';

const TRANSIENT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '40001',
  '40P01',
  '08006',
  '08001',
  '08003',
]);
/** SQLSTATE classes of errors caused by a row's data: 22 data exception, 23 integrity violation. */
const DATA_ERROR = /^(22|23)|^42703$|^42804$|^2200|^42P01$/;

interface PgError extends Error {
  code?: string;
}

function isTransient(err: unknown): boolean {
  const e = err as PgError;
  return (
    (e?.code !== undefined && TRANSIENT.has(e.code)) ||
    /Connection terminated|not queryable|connection timeout/i.test(e?.message ?? '')
  );
}

export function connectionConfig(config: SinkConfig): pg.ClientConfig {
  const t = config.target;
  return {
    host: t.host,
    port: t.port,
    database: t.database,
    ...(t.user !== undefined ? { user: t.user } : {}),
    ...(t.password !== undefined ? { password: t.password } : {}),
    ssl: t.ssl,
    options: '-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres',
    application_name: 'samsa-sink',
    connectionTimeoutMillis: 10_000,
  };
}

export class PostgresSinkTask implements SinkTask {
  private config!: SinkConfig;
  private context!: SinkTaskContext;
  private client: pg.Client | null = null;
  private readonly tables = new Tables();
  private writer!: BatchWriter;
  private buffer: Entry[] = [];
  /** Puts so far (entries carry the number of the put that added them). */
  private puts = 0;
  private writing: Promise<void> = Promise.resolve();
  /** The batch write started by the last put and not awaited yet (it overlaps the next fetch). */
  private background: Promise<void> | null = null;
  /** The background write failed (not yet surfaced by a put or flush). */
  private backgroundFailed = false;

  async start(raw: Readonly<Record<string, string>>, context: SinkTaskContext): Promise<void> {
    this.config = readSinkConfig(raw);
    this.context = context;
    this.writer = new BatchWriter(this.config, this.tables);
    await this.connection();
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client(connectionConfig(this.config));
    client.on('error', () => {
      if (this.client === client) this.client = null;
    });
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => {});
      const t = this.config.target;
      const e = err as PgError;
      if (e.code === '28P01' || e.code === '28000') {
        throw new ConnectError(
          `authentication failed for ${t.user ?? '(default user)'}@${t.host}:${t.port}/${t.database}: ${e.message}`,
        );
      }
      if (e.code === '3D000')
        throw new ConnectError(`database "${t.database}" does not exist on ${t.host}:${t.port}`);
      throw new RetriableError(`cannot reach PostgreSQL at ${t.host}:${t.port}: ${e.message}`);
    }
    this.client = client;
    return client;
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    const put = ++this.puts;
    const keepRecords = this.context.errantRecordReporter !== null;
    for (const record of records) {
      let op: Entry['op'] | null;
      try {
        op = rowOp(this.config, record);
      } catch (err) {
        await this.unwritable(record, err as Error);
        continue;
      }
      if (op) {
        this.buffer.push({
          op,
          record: keepRecords
            ? record
            : { topic: record.topic, kafkaPartition: record.kafkaPartition, kafkaOffset: record.kafkaOffset },
          put,
        });
      }
    }
    try {
      const batch = this.config.batchSize;
      // The write an earlier put started goes on while the next batch fills (its entries stay
      // buffered until it succeeds, so a full next batch is twice `batch`). It is waited for when
      // it failed (the failure surfaces here), when the next batch is full, and when nothing new
      // arrived; flush waits for it too, so offsets are committed only after it succeeded.
      const full = (this.background === null ? 1 : 2) * batch;
      if (this.backgroundFailed || this.buffer.length >= full || records.length === 0) {
        await this.settle();
        while (this.buffer.length >= 2 * batch) await this.writeNext(batch);
        if (this.buffer.length >= batch) {
          const write = this.writeNext(batch);
          this.background = write;
          write.catch(() => {
            if (this.background === write) this.backgroundFailed = true;
          });
        }
      }
      // Nothing new arrived: do not let a partial batch wait for the next offset commit.
      if (records.length === 0 && this.buffer.length > 0) {
        await this.settle();
        await this.writeNext(this.buffer.length);
      }
    } catch (err) {
      if (err instanceof RetriableError) {
        // The runtime delivers these records again; keep only what came before.
        this.buffer = this.buffer.filter((e) => e.put !== put);
      }
      throw err;
    }
  }

  /** Waits for the write started in the background, rethrowing its failure. */
  private async settle(): Promise<void> {
    const write = this.background;
    this.background = null;
    this.backgroundFailed = false;
    await write;
  }

  /**
   * Writes the first `n` buffered entries in one transaction and drops them from the buffer. One
   * write at a time: a runtime stopping the task may flush while a put is still writing.
   */
  private writeNext(n: number): Promise<void> {
    const run = this.writing.then(async () => {
      const count = Math.min(n, this.buffer.length);
      if (count === 0) return;
      const batch = this.buffer.slice(0, count);
      await this.writeBatch(batch);
      this.buffer.splice(0, count);
    });
    this.writing = run.catch(() => {});
    return run;
  }

  private async writeBatch(batch: readonly Entry[]): Promise<void> {
    const client = await this.connection();
    try {
      await this.writer.write(client, batch);
    } catch (err) {
      if (isTransient(err)) {
        await this.reset();
        throw new RetriableError(`writing to PostgreSQL failed: ${(err as Error).message}`);
      }
      const code = (err as PgError).code ?? '';
      if (err instanceof UnwritableRecordError || DATA_ERROR.test(code)) {
        if (batch.length === 1) {
          await this.unwritable(batch[0]!.record, err as Error);
          return;
        }
        // Find the culprit(s): write one record at a time.
        this.context.logger.warn(
          { err: (err as Error).message },
          'batch failed; writing its records one by one',
        );
        for (const entry of batch) await this.writeBatch([entry]);
        return;
      }
      if (code === '42P10') {
        throw new ConnectError(
          `${(err as Error).message}: the destination table needs a primary key or unique constraint on the key columns for insert.mode=upsert`,
        );
      }
      throw new ConnectError(`writing to PostgreSQL failed: ${(err as Error).message}`);
    }
  }

  /** Reports the record to the dead-letter reporter, or fails naming it (a position is all that needs). */
  private async unwritable(record: SinkRecord | RecordPosition, error: Error): Promise<void> {
    const reporter = this.context.errantRecordReporter;
    const where = `${record.topic}/${record.kafkaPartition}@${record.kafkaOffset}`;
    const wrapped = new ConnectError(`cannot write record ${where} to PostgreSQL: ${error.message}`);
    if (reporter) {
      this.context.logger.warn({ err: wrapped.message }, 'record sent to the dead-letter queue');
      // With a reporter, buffered entries hold whole records (put).
      await reporter.report(record as SinkRecord, wrapped);
      return;
    }
    throw wrapped;
  }

  private async reset(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  async flush(_current: SinkOffsets): Promise<void> {
    // The runtime fails the task when flush throws: retry lost connections here for a while first.
    for (let attempt = 1; this.background !== null || this.buffer.length > 0; attempt++) {
      try {
        await this.settle();
        await this.writeNext(Math.min(this.buffer.length, this.config.batchSize));
      } catch (err) {
        if (!(err instanceof RetriableError) || attempt >= 5 || this.context.signal.aborted) throw err;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }

  async stop(): Promise<void> {
    await this.settle().catch(() => {});
    await this.reset();
  }
}
