/**
 * The logical replication connection: pg-logical-replication's LogicalReplicationService (the
 * replication-mode `pg` connection, CopyBoth framing, keepalives, flow control) with our pgoutput
 * decoder. Messages are handed to `onMessage` one at a time and in order; while it returns a pending
 * promise the socket is paused, which is how a full queue pushes back on the server.
 *
 * Positions are confirmed only through `confirm(lsn)`: automatic acknowledgement is off, and so is
 * the library's timer (it would confirm the last *received* position). The library reports
 * `lsn + 1` as flushed; `confirm` compensates so the server records exactly `lsn`.
 */
import type pg from 'pg';
import { LogicalReplicationService } from 'pg-logical-replication';
import { formatLsn, type Lsn, parseLsn } from './lsn.ts';
import { PgOutputDecoderPlugin, type PgOutputMessage } from './pgoutput.ts';

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

export class ReplicationStream {
  private readonly service: LogicalReplicationService;
  private confirmed: Lsn;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly options: ReplicationStreamOptions;

  constructor(options: ReplicationStreamOptions) {
    this.options = options;
    this.confirmed = options.confirmedLsn;
    this.service = new LogicalReplicationService(
      { ...options.client },
      { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: true } },
    );
    this.service.on('data', (lsn: string, message: PgOutputMessage) => {
      if (this.stopped) return;
      return this.options.onMessage(parseLsn(lsn), message);
    });
    this.service.on('heartbeat', (lsn: string, _time: number, shouldRespond: boolean) => {
      if (this.stopped) return;
      this.options.onKeepalive(parseLsn(lsn));
      if (shouldRespond) this.sendStatus();
    });
    this.service.on('error', (err: Error) => this.fail(err));
  }

  /** Connects and starts streaming; resolves once the server accepted START_REPLICATION. */
  async start(): Promise<void> {
    const plugin = new PgOutputDecoderPlugin({
      publication: this.options.publication,
    }) as unknown as Parameters<LogicalReplicationService['subscribe']>[0];
    await new Promise<void>((resolve, reject) => {
      let started = false;
      this.service.once('start', () => {
        started = true;
        resolve();
      });
      this.service.subscribe(plugin, this.options.slot, formatLsn(this.options.startLsn)).then(
        () => {
          // START_REPLICATION returned: the server ended the stream.
          const ended = new Error('the server ended the replication stream');
          if (!started) reject(ended);
          else if (!this.stopped) this.fail(ended);
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

  private sendStatus(): void {
    if (this.stopped || this.confirmed === 0n) return;
    void this.service.acknowledge(formatLsn(this.confirmed - 1n)).catch(() => {});
  }

  private fail(err: Error): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.options.onError(err);
    void this.service.stop().catch(() => {});
  }

  async stop(): Promise<void> {
    const wasRunning = !this.stopped;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (wasRunning) {
      // One last status so the server has the final confirmed position.
      if (this.confirmed > 0n) await this.service.acknowledge(formatLsn(this.confirmed - 1n)).catch(() => {});
      await this.service.stop().catch(() => {});
    }
    this.service.removeAllListeners();
  }
}
