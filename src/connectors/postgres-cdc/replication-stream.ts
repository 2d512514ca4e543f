/**
 * The logical replication connection: a replication-mode `pg` connection that runs
 * START_REPLICATION and then reads the CopyBoth stream itself: XLogData messages decoded by our
 * pgoutput decoder, the server's keepalives, and our standby status updates.
 *
 * Messages and keepalives are handed over one at a time and in the server's order, each as it is
 * read (no promise or timer per message). When `onMessage` returns a promise (the task's queue is
 * full, or a Relation message reads the catalog), the socket is paused and what was already read
 * waits, in order, until it settles: that is how a full queue pushes back on the server. A
 * keepalive waits with the messages before it, so its position (the end of WAL sent) is never
 * taken while a transaction it covers is still unread.
 *
 * Positions are confirmed only through `confirm(lsn)` (written, flushed and applied all report it),
 * at each `confirm` that moves it, every `statusIntervalMs`, when the server asks for a reply, and
 * at `stop`.
 *
 * https://www.postgresql.org/docs/current/protocol-replication.html (XLogData, Primary keepalive
 * message, Standby status update).
 */
import pg from 'pg';
import { formatLsn, type Lsn } from './lsn.ts';
import { decodePgOutput, type PgOutputMessage } from './pgoutput.ts';

export interface ReplicationStreamOptions {
  readonly client: pg.ClientConfig;
  readonly slot: string;
  readonly publication: string;
  /** Where to start (the server starts at its confirmed position if that is later). */
  readonly startLsn: Lsn;
  /** The position to report as flushed until `confirm` moves it. */
  readonly confirmedLsn: Lsn;
  readonly statusIntervalMs: number;
  onMessage(lsn: Lsn, message: PgOutputMessage): Promise<void> | void;
  /** The server's keepalive: the end of WAL it has sent. */
  onKeepalive(walEnd: Lsn): void;
  /** The stream ended with an error (not called after `stop`). */
  onError(error: Error): void;
}

/** Milliseconds between 1970-01-01 and PostgreSQL's epoch, 2000-01-01 (status update clock). */
const PG_EPOCH_MS = 946_684_800_000;

/** pg's connection internals this module uses: its socket and raw CopyData writes. */
interface PgConnection {
  stream: NodeJS.ReadableStream & NodeJS.WritableStream;
  on(event: 'copyData', listener: (message: { chunk: Buffer }) => void): void;
  once(event: 'replicationStart', listener: () => void): void;
  sendCopyFromChunk(chunk: Buffer): void;
}

export function startReplicationSql(slot: string, publication: string, startLsn: Lsn): string {
  const quotedSlot = `"${slot.replace(/"/g, '""')}"`;
  const names = `'${`"${publication.replace(/"/g, '""')}"`.replace(/'/g, "''")}'`;
  return `START_REPLICATION SLOT ${quotedSlot} LOGICAL ${formatLsn(startLsn)} (proto_version '1', publication_names ${names})`;
}

export class ReplicationStream {
  private readonly options: ReplicationStreamOptions;
  private client: pg.Client | null = null;
  private connection: PgConnection | null = null;
  private confirmed: Lsn;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  /**
   * What was read while a handler's promise is pending, in order, already decoded: pg's parser may
   * reuse the bytes of a message it handed out once it reads on.
   */
  private readonly waiting: Waiting[] = [];
  private blocked = false;

  constructor(options: ReplicationStreamOptions) {
    this.options = options;
    this.confirmed = options.confirmedLsn;
  }

  /** Connects and starts streaming; resolves once the server accepted START_REPLICATION. */
  async start(): Promise<void> {
    const client = new pg.Client({ ...this.options.client, replication: 'database' } as pg.ClientConfig);
    this.client = client;
    client.on('error', (err: Error) => this.fail(err));
    await client.connect();
    const connection = (client as unknown as { connection: PgConnection }).connection;
    this.connection = connection;
    connection.on('copyData', ({ chunk }) => this.onCopyData(chunk));
    const { slot, publication, startLsn } = this.options;
    await new Promise<void>((resolve, reject) => {
      let started = false;
      connection.once('replicationStart', () => {
        started = true;
        resolve();
      });
      client.query(startReplicationSql(slot, publication, startLsn)).then(
        () => {
          // START_REPLICATION returned: the server ended the stream.
          const ended = new Error('the server ended the replication stream');
          if (!started) reject(ended);
          else this.fail(ended);
        },
        (err: Error) => {
          if (!started) reject(err);
          else this.fail(err);
        },
      );
    });
    this.timer = setInterval(() => this.sendStatus(), this.options.statusIntervalMs);
    this.timer.unref();
  }

  /** Reports `lsn` as flushed: the server may discard WAL before it, and a restart resumes there. */
  confirm(lsn: Lsn): void {
    if (lsn <= this.confirmed) return;
    this.confirmed = lsn;
    this.sendStatus();
  }

  get confirmedLsn(): Lsn {
    return this.confirmed;
  }

  private onCopyData(chunk: Buffer): void {
    if (this.stopped) return;
    const kind = chunk[0];
    if (kind === 0x77 /* w: XLogData */) {
      const lsn = chunk.readBigUInt64BE(1);
      const message = decodePgOutput(chunk.subarray(25));
      if (this.blocked) this.waiting.push({ lsn, message });
      else this.handle(lsn, message);
    } else if (kind === 0x6b /* k: primary keepalive */) {
      const walEnd = chunk.readBigUInt64BE(1);
      // A reply reports only the confirmed position: it need not wait.
      if (chunk[17] !== 0) this.sendStatus();
      if (this.blocked) this.waiting.push({ lsn: walEnd, message: null });
      else this.options.onKeepalive(walEnd);
    }
  }

  /** Hands one message over; blocks the stream while its handler's promise is pending. */
  private handle(lsn: Lsn, message: PgOutputMessage): boolean {
    const result = this.options.onMessage(lsn, message);
    if (!(result instanceof Promise)) return false;
    this.blocked = true;
    this.connection?.stream.pause();
    result.then(
      () => this.unblock(),
      (err: Error) => this.fail(err),
    );
    return true;
  }

  /** Hands over what waited, in order, until a handler blocks again; then reads on. */
  private unblock(): void {
    this.blocked = false;
    while (this.waiting.length > 0) {
      if (this.stopped) return;
      const { lsn, message } = this.waiting.shift()!;
      if (message === null) this.options.onKeepalive(lsn);
      else if (this.handle(lsn, message)) return;
    }
    if (!this.stopped) this.connection?.stream.resume();
  }

  /** A standby status update: written = flushed = applied = the confirmed position. */
  private sendStatus(): void {
    if (this.stopped || this.confirmed === 0n || !this.connection) return;
    this.connection.sendCopyFromChunk(statusUpdate(this.confirmed));
  }

  private fail(err: Error): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.options.onError(err);
    void this.client?.end().catch(() => {});
  }

  async stop(): Promise<void> {
    const wasRunning = !this.stopped;
    if (wasRunning && this.confirmed > 0n) {
      // One last status so the server has the final confirmed position.
      try {
        this.connection?.sendCopyFromChunk(statusUpdate(this.confirmed));
      } catch {}
    }
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.waiting.length = 0;
    await this.client?.end().catch(() => {});
    this.client = null;
    this.connection = null;
  }
}

/** A message (or, with no message, a keepalive's end of WAL) read while the stream was blocked. */
interface Waiting {
  readonly lsn: Lsn;
  readonly message: PgOutputMessage | null;
}

/** The Standby status update message ('r') reporting `lsn` as written, flushed and applied. */
function statusUpdate(lsn: Lsn): Buffer {
  const out = Buffer.alloc(34);
  out[0] = 0x72;
  out.writeBigUInt64BE(lsn, 1);
  out.writeBigUInt64BE(lsn, 9);
  out.writeBigUInt64BE(lsn, 17);
  out.writeBigInt64BE(BigInt(Date.now() - PG_EPOCH_MS) * 1000n, 25);
  out[33] = 0; // no reply requested
  return out;
}
