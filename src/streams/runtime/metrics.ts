/**
 * Counters and timings of a streams instance, kept in memory and read through
 * `KafkaStreams.metrics()` (names follow Kafka Streams' metric names). Rates are derived by the
 * reader from the totals. Wiring to a Prometheus registry is left to the metrics module; nothing
 * here serves HTTP.
 */

export interface TaskMetrics {
  /** Records processed (after deserialization). */
  processTotal: number;
  /** Records dropped because their window had closed (past the grace period). */
  droppedRecordsTotal: number;
  /** Records skipped by the deserialization handler or for an invalid timestamp. */
  skippedRecordsTotal: number;
  /** Records buffered for processing, not yet processed. */
  bufferedRecords: number;
  /** Lag per input partition (`topic:partition`) at the last fetch: high watermark minus fetch position. */
  lag: Map<string, number>;
}

export interface StreamsMetricsSnapshot {
  processTotal: number;
  processLatencyAvgMs: number;
  processLatencyMaxMs: number;
  producedTotal: number;
  commitTotal: number;
  commitLatencyAvgMs: number;
  commitLatencyMaxMs: number;
  droppedRecordsTotal: number;
  skippedRecordsTotal: number;
  restoredRecordsTotal: number;
  punctuateTotal: number;
  rebalanceTotal: number;
  tasks: {
    [taskId: string]: {
      processTotal: number;
      droppedRecordsTotal: number;
      skippedRecordsTotal: number;
      bufferedRecords: number;
      lag: { [partition: string]: number };
    };
  };
}

export class StreamsMetrics {
  processTotal = 0;
  processTimeMs = 0;
  processBatches = 0;
  processLatencyMaxMs = 0;
  producedTotal = 0;
  commitTotal = 0;
  commitTimeMs = 0;
  commitLatencyMaxMs = 0;
  restoredRecordsTotal = 0;
  punctuateTotal = 0;
  rebalanceTotal = 0;
  /** Totals of tasks that were closed (so the instance totals never go down). */
  private closedDropped = 0;
  private closedSkipped = 0;
  readonly tasks = new Map<string, TaskMetrics>();

  task(id: string): TaskMetrics {
    let t = this.tasks.get(id);
    if (t === undefined) {
      t = {
        processTotal: 0,
        droppedRecordsTotal: 0,
        skippedRecordsTotal: 0,
        bufferedRecords: 0,
        lag: new Map(),
      };
      this.tasks.set(id, t);
    }
    return t;
  }

  removeTask(id: string): void {
    const t = this.tasks.get(id);
    if (t === undefined) return;
    this.closedDropped += t.droppedRecordsTotal;
    this.closedSkipped += t.skippedRecordsTotal;
    this.tasks.delete(id);
  }

  recordProcess(records: number, ms: number): void {
    this.processTotal += records;
    this.processTimeMs += ms;
    this.processBatches++;
    if (records > 0) this.processLatencyMaxMs = Math.max(this.processLatencyMaxMs, ms / records);
  }

  recordCommit(ms: number): void {
    this.commitTotal++;
    this.commitTimeMs += ms;
    this.commitLatencyMaxMs = Math.max(this.commitLatencyMaxMs, ms);
  }

  snapshot(): StreamsMetricsSnapshot {
    let dropped = this.closedDropped;
    let skipped = this.closedSkipped;
    const tasks: StreamsMetricsSnapshot['tasks'] = {};
    for (const [id, t] of this.tasks) {
      dropped += t.droppedRecordsTotal;
      skipped += t.skippedRecordsTotal;
      tasks[id] = {
        processTotal: t.processTotal,
        droppedRecordsTotal: t.droppedRecordsTotal,
        skippedRecordsTotal: t.skippedRecordsTotal,
        bufferedRecords: t.bufferedRecords,
        lag: Object.fromEntries(t.lag),
      };
    }
    return {
      processTotal: this.processTotal,
      processLatencyAvgMs: this.processTotal === 0 ? 0 : this.processTimeMs / this.processTotal,
      processLatencyMaxMs: this.processLatencyMaxMs,
      producedTotal: this.producedTotal,
      commitTotal: this.commitTotal,
      commitLatencyAvgMs: this.commitTotal === 0 ? 0 : this.commitTimeMs / this.commitTotal,
      commitLatencyMaxMs: this.commitLatencyMaxMs,
      droppedRecordsTotal: dropped,
      skippedRecordsTotal: skipped,
      restoredRecordsTotal: this.restoredRecordsTotal,
      punctuateTotal: this.punctuateTotal,
      rebalanceTotal: this.rebalanceTotal,
      tasks,
    };
  }
}
