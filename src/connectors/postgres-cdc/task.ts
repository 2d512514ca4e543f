/**
 * The CDC source task: prepares the publication and the replication slot, takes the initial
 * snapshot when `snapshot.mode` asks for one, then streams changes from the slot. The slot's
 * confirmed position moves only in `commit()` — that is, only past records the broker acknowledged
 * and whose offsets the runtime stored — or, when every emitted record is acknowledged and no
 * transaction is open, to the server's keepalive position (so WAL of tables we do not capture is
 * not retained). Heartbeat records (`heartbeat.interval.ms`) carry the position through Kafka too.
 *
 * A lost connection is retried from the end of the last complete transaction; a dropped slot,
 * a missing publication, bad credentials or wal_level below logical fail the task with a message
 * saying what to fix.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import {
  type CommittedSourceOffset,
  ConnectError,
  RetriableError,
  type SourceMap,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
} from '../../connect/api/index.ts';
import { assertLogicalDecoding, capturedTables, loadTypes, readTable, serverInfo } from './catalog.ts';
import { ChangeProcessor } from './changes.ts';
import { type CdcConfig, readCdcConfig } from './config.ts';
import { clientConfig, connect, describeError, isTransient } from './connection.ts';
import { HEARTBEAT_KEY_SCHEMA, HEARTBEAT_VALUE_SCHEMA } from './envelope.ts';
import { type Lsn, lsnFromOffset } from './lsn.ts';
import { ReplicationStream } from './replication-stream.ts';
import { assertUsableSlot, createSlot, dropSlot, ensurePublication, readSlot } from './slot.ts';
import { SnapshotReader, type SnapshotVisibility } from './snapshot.ts';
import { TableSchema } from './table-schema.ts';
import type { TypeRegistry } from './types.ts';
import { CONNECTOR_VERSION } from './version.ts';

const POLL_WAIT_MS = 500;

export class PostgresCdcSourceTask implements SourceTask {
  private config!: CdcConfig;
  private context!: SourceTaskContext;
  private logger!: Logger;
  private catalog: pg.Client | null = null;
  private registry!: TypeRegistry;
  private partition!: Record<string, string>;
  private snapshot: SnapshotReader | null = null;
  private snapshotClient: pg.Client | null = null;
  private streamingEnabled = true;
  private processor: ChangeProcessor | null = null;
  private stream: ReplicationStream | null = null;
  private streamFailure: Error | null = null;
  private startLsn: Lsn = 0n;
  /** The slot position confirmed so far (kept across reconnects). */
  private confirmed: Lsn = 0n;
  private visibility: SnapshotVisibility | null = null;
  private seq = Date.now() * 1000;
  private lastEmittedSeq: number | null = null;
  private lastCommittedSeq: number | null = null;
  private lastHeartbeat = Date.now();
  private reconnectAttempts = 0;
  private stopped = false;

  async start(raw: Readonly<Record<string, string>>, context: SourceTaskContext): Promise<void> {
    this.config = readCdcConfig(raw);
    this.context = context;
    this.logger = context.logger;
    this.partition = { server: this.config.topicPrefix };
    const config = this.config;
    try {
      this.catalog = await connect(config);
      assertLogicalDecoding(await serverInfo(this.catalog), `${config.hostname}:${config.port}`);
      this.registry = await loadTypes(this.catalog);
      const tables = await capturedTables(this.catalog, config.filters);
      const offset = await context.offsetStorageReader.offset(this.partition);
      const snapshotIncomplete = offset?.snapshot === true && offset.last_snapshot_record !== true;
      const stored = offset && !snapshotIncomplete ? lsnFromOffset(offset.lsn_commit) : null;
      const initialOnly = config.snapshotMode === 'initial_only';
      let slot = initialOnly ? null : await readSlot(this.catalog, config.slotName);
      // A previous task of ours (a worker that just died or moved the task) may still hold the slot
      // until the server notices its connection is gone.
      for (let waited = 0; slot?.active && waited < 15_000; waited += 250) {
        await sleep(250, context.signal);
        slot = await readSlot(this.catalog, config.slotName);
      }
      if (slot) {
        assertUsableSlot(slot, config);
        if (slot.active) {
          throw new RetriableError(
            `replication slot "${config.slotName}" is in use by another connection (PID ${slot.activePid}); another connector or task may be using the same slot.name`,
          );
        }
      }
      const needSnapshot = this.needsSnapshot(offset, snapshotIncomplete, slot !== null);
      if (!initialOnly && offset && !snapshotIncomplete && !slot && !needSnapshot) {
        throw new ConnectError(
          `replication slot "${config.slotName}" does not exist, but the connector has a stored position (LSN ${offset.lsn_commit ?? offset.lsn}): changes made since then cannot be streamed. Set snapshot.mode=when_needed (or always) to take a new snapshot, or delete the connector's offsets`,
        );
      }
      if (!initialOnly) await ensurePublication(this.catalog, config, tables);
      this.logger.info(
        { tables: tables.map((t) => `${t.schema}.${t.table}`), snapshot: needSnapshot, slot: slot !== null },
        'postgres cdc starting',
      );
      let replication: pg.Client | null = null;
      let created: Awaited<ReturnType<typeof createSlot>> | null = null;
      try {
        if (!initialOnly && !slot) {
          replication = await connect(config, true);
          created = await createSlot(replication, config.slotName, needSnapshot);
          slot = await readSlot(this.catalog, config.slotName);
        }
        if (needSnapshot) {
          const schemas: TableSchema[] = [];
          for (const t of tables) {
            const spec = await readTable(this.catalog, t.oid);
            if (spec)
              schemas.push(new TableSchema(spec, config.topicPrefix, this.registry, config, config.filters));
          }
          this.snapshotClient = await connect(config);
          this.snapshot = new SnapshotReader(
            this.snapshotClient,
            schemas,
            {
              serverName: config.topicPrefix,
              db: config.dbname,
              version: CONNECTOR_VERSION,
              sourcePartition: this.partition,
            },
            config.maxBatchSize,
          );
          await this.snapshot.begin(created?.snapshotName ?? null, created?.consistentPoint ?? null);
          this.visibility = this.snapshot.visibility;
        }
      } finally {
        await replication?.end().catch(() => {});
      }
      this.streamingEnabled = !initialOnly;
      this.startLsn = created?.consistentPoint ?? stored ?? slot?.confirmedFlush ?? 0n;
      this.confirmed = slot?.confirmedFlush ?? 0n;
    } catch (err) {
      await this.stop();
      throw describeError(err, config, 'postgres cdc task could not start');
    }
  }

  private needsSnapshot(offset: SourceMap | null, incomplete: boolean, slotExists: boolean): boolean {
    switch (this.config.snapshotMode) {
      case 'initial':
      case 'initial_only':
        return !offset || incomplete;
      case 'never':
      case 'no_data':
        return false;
      case 'when_needed':
        return !offset || incomplete || !slotExists;
      case 'always':
        return true;
    }
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.stopped) return null;
    if (this.snapshot && !this.snapshot.finished) {
      let records: SourceRecord[];
      try {
        records = await this.snapshot.next();
      } catch (err) {
        throw describeError(err, this.config, 'snapshot failed');
      }
      if (records.length > 0) return this.emit(records);
      this.logger.info('postgres cdc snapshot completed');
      await this.snapshotClient?.end().catch(() => {});
      this.snapshotClient = null;
    }
    if (!this.streamingEnabled) {
      await sleep(POLL_WAIT_MS, this.context.signal);
      return null;
    }
    if (!this.stream || this.streamFailure) await this.startStreaming();
    const processor = this.processor!;
    // Streaming polls come as often as changes (the runner polls on while a request lingers):
    // no timer, listener or promise of ours when records are ready and no heartbeat is due.
    if (processor.ready.length === 0) await processor.waitForRecords(POLL_WAIT_MS, this.context.signal);
    if (this.streamFailure && processor.ready.length === 0) await this.startStreaming();
    const records = processor.take(this.config.maxBatchSize);
    if (this.heartbeatDue()) {
      const heartbeat = await this.heartbeat(records);
      if (heartbeat) records.push(heartbeat);
    }
    if (records.length === 0) {
      this.advanceWhileIdle();
      return null;
    }
    return this.emit(records);
  }

  private emit(records: SourceRecord[]): SourceRecord[] {
    const last = records[records.length - 1];
    const seq = last?.sourceOffset.seq;
    if (typeof seq === 'number') this.lastEmittedSeq = seq;
    else if (last) {
      // Snapshot records carry no sequence: give the batch's last one its own.
      const next = this.nextSeq();
      records[records.length - 1] = { ...last, sourceOffset: { ...last.sourceOffset, seq: next } };
      this.lastEmittedSeq = next;
    }
    return records;
  }

  private nextSeq(): number {
    return ++this.seq;
  }

  /** (Re)connects the replication stream from the end of the last complete transaction. */
  private async startStreaming(): Promise<void> {
    const config = this.config;
    if (this.streamFailure) {
      const failure = this.streamFailure;
      if (this.stream) this.confirmed = this.stream.confirmedLsn;
      await this.stream?.stop().catch(() => {});
      this.stream = null;
      if (!isTransient(failure))
        throw describeError(failure, config, 'streaming from the replication slot failed');
      this.processor?.resetTransaction();
      this.reconnectAttempts++;
      this.logger.warn(
        { err: failure.message, attempt: this.reconnectAttempts },
        'replication stream lost; reconnecting',
      );
    }
    if (!this.processor) {
      this.processor = new ChangeProcessor({
        config,
        registry: this.registry,
        catalog: this.catalog!,
        version: CONNECTOR_VERSION,
        sourcePartition: this.partition,
        logger: this.logger,
        visibility: this.visibility,
        lastCommitEnd: this.startLsn,
        nextSeq: () => this.nextSeq(),
      });
    }
    const processor = this.processor;
    this.streamFailure = null;
    const stream = new ReplicationStream({
      client: clientConfig(config, true),
      slot: config.slotName,
      publication: config.publicationName,
      startLsn: processor.lastCommitEnd,
      confirmedLsn: this.confirmed,
      statusIntervalMs: config.statusIntervalMs,
      onMessage: (lsn, message) => processor.handle(lsn, message),
      onKeepalive: (walEnd) => processor.keepalive(walEnd),
      onError: (err) => {
        this.streamFailure = err;
        processor.releaseWaiters();
      },
    });
    try {
      await stream.start();
    } catch (err) {
      await stream.stop().catch(() => {});
      this.streamFailure = null;
      throw describeError(err, config, `cannot stream from replication slot "${config.slotName}"`);
    }
    this.stream = stream;
    this.reconnectAttempts = 0;
  }

  private heartbeatDue(): boolean {
    const interval = this.config.heartbeatIntervalMs;
    return interval > 0 && Date.now() - this.lastHeartbeat >= interval;
  }

  /** A heartbeat record when `heartbeat.interval.ms` has passed (and its action query run). */
  private async heartbeat(queued: readonly SourceRecord[]): Promise<SourceRecord | null> {
    if (!this.heartbeatDue()) return null;
    this.lastHeartbeat = Date.now();
    if (this.config.heartbeatActionQuery) {
      try {
        await this.catalog?.query(this.config.heartbeatActionQuery);
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'heartbeat.action.query failed');
      }
    }
    const processor = this.processor!;
    // Everything queued before the heartbeat precedes it in the topic, so its position is safe.
    const position = processor.ready.length === 0 ? processor.safePosition() : 0n;
    const last = queued[queued.length - 1];
    const flush =
      position > 0n
        ? position
        : last
          ? (lsnFromOffset(last.sourceOffset.lsn_commit) ?? 0n)
          : processor.lastCommitEnd;
    return {
      topic: this.config.heartbeatTopic,
      kafkaPartition: null,
      keySchema: HEARTBEAT_KEY_SCHEMA,
      key: { serverName: this.config.topicPrefix },
      valueSchema: HEARTBEAT_VALUE_SCHEMA,
      value: { ts_ms: Date.now() },
      timestamp: null,
      headers: [],
      sourcePartition: this.partition,
      sourceOffset: { lsn: Number(flush), lsn_commit: Number(flush), seq: this.nextSeq() },
    };
  }

  /** With every emitted record acknowledged and nothing pending, confirm the server's position. */
  private advanceWhileIdle(): void {
    const processor = this.processor;
    const stream = this.stream;
    if (!processor || !stream || processor.inTransaction || processor.ready.length > 0) return;
    if (this.lastEmittedSeq !== null && this.lastCommittedSeq !== this.lastEmittedSeq) return;
    stream.confirm(processor.safePosition());
  }

  async commit(committed: readonly CommittedSourceOffset[]): Promise<void> {
    for (const { partition, offset } of committed) {
      if (partition.server !== this.config.topicPrefix) continue;
      if (typeof offset.seq === 'number') this.lastCommittedSeq = offset.seq;
      if (offset.snapshot === true) continue;
      const lsn = lsnFromOffset(offset.lsn_commit);
      if (lsn !== null && lsn > 0n) this.stream?.confirm(lsn);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.processor?.releaseWaiters();
    await this.snapshot?.abort().catch(() => {});
    await this.snapshotClient?.end().catch(() => {});
    this.snapshotClient = null;
    await this.stream?.stop().catch(() => {});
    this.stream = null;
    if (this.config?.slotDropOnStop && this.catalog) {
      await dropSlot(this.catalog, this.config.slotName).catch((err: Error) =>
        this.logger.warn({ err: err.message }, 'could not drop the replication slot'),
      );
    }
    await this.catalog?.end().catch(() => {});
    this.catalog = null;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
