/**
 * Debezium's change event envelope for PostgreSQL (as Debezium 3.x writes it): the
 * `<prefix>.<schema>.<table>.Envelope` struct (version 2) with `before`/`after` (the table's
 * `.Value` struct), `source` (`io.debezium.connector.postgresql.Source`, version 1), `transaction`
 * (`event.block`, always null here: provide.transaction.metadata is not implemented), `op` and the
 * processing time in `ts_ms`/`ts_us`/`ts_ns`; and the heartbeat record's key and value.
 */
import type { Schema, Struct } from '../../connect/api/index.ts';

const str = (optional = false): Schema => ({ type: 'string', optional });
const i64 = (optional = false): Schema => ({ type: 'int64', optional });

function struct(
  name: string | undefined,
  fields: [string, Schema][],
  optional: boolean,
  version?: number,
): Schema {
  return {
    type: 'struct',
    optional,
    ...(name !== undefined ? { name } : {}),
    ...(version !== undefined ? { version } : {}),
    fields: fields.map(([n, schema], index) => ({ name: n, index, schema })),
  };
}

export const SNAPSHOT_ENUM: Schema = {
  type: 'string',
  optional: true,
  name: 'io.debezium.data.Enum',
  version: 1,
  parameters: {
    allowed: 'true,first,first_in_data_collection,last_in_data_collection,last,false,incremental',
  },
  defaultValue: 'false',
};

export const SOURCE_SCHEMA: Schema = struct(
  'io.debezium.connector.postgresql.Source',
  [
    ['version', str()],
    ['connector', str()],
    ['name', str()],
    ['ts_ms', i64()],
    ['snapshot', SNAPSHOT_ENUM],
    ['db', str()],
    ['sequence', str(true)],
    ['ts_us', i64(true)],
    ['ts_ns', i64(true)],
    ['schema', str()],
    ['table', str()],
    ['txId', i64(true)],
    ['lsn', i64(true)],
    ['xmin', i64(true)],
  ],
  false,
  1,
);

export const TRANSACTION_SCHEMA: Schema = struct(
  'event.block',
  [
    ['id', str()],
    ['total_order', i64()],
    ['data_collection_order', i64()],
  ],
  true,
  1,
);

/** The envelope schema of a table whose row struct is `valueSchema`. */
export function envelopeSchema(name: string, valueSchema: Schema): Schema {
  return struct(
    name,
    [
      ['before', valueSchema],
      ['after', valueSchema],
      ['source', SOURCE_SCHEMA],
      ['transaction', TRANSACTION_SCHEMA],
      ['op', str()],
      ['ts_ms', i64(true)],
      ['ts_us', i64(true)],
      ['ts_ns', i64(true)],
    ],
    false,
    2,
  );
}

export type SnapshotMarker =
  | 'true'
  | 'first'
  | 'first_in_data_collection'
  | 'last_in_data_collection'
  | 'last'
  | 'false';

export interface SourceInfo {
  readonly version: string;
  readonly serverName: string;
  readonly db: string;
  readonly schema: string;
  readonly table: string;
  /** Commit time (streaming) or read time (snapshot), microseconds since the epoch. */
  readonly tsUs: number;
  readonly snapshot: SnapshotMarker;
  /** Last commit LSN before this event, as Debezium's `sequence[0]`. */
  readonly lastCommitLsn: bigint | null;
  readonly lsn: bigint | null;
  readonly txId: number | null;
}

/** The `source` struct; `sequence` may be passed when the caller already has it. */
export function sourceStruct(s: SourceInfo, sequence?: string): Struct {
  return {
    version: s.version,
    connector: 'postgresql',
    name: s.serverName,
    ts_ms: Math.floor(s.tsUs / 1000),
    snapshot: s.snapshot,
    db: s.db,
    sequence:
      sequence ??
      `[${s.lastCommitLsn === null ? 'null' : `"${s.lastCommitLsn}"`},${s.lsn === null ? 'null' : `"${s.lsn}"`}]`,
    ts_us: s.tsUs,
    ts_ns: BigInt(s.tsUs) * 1000n,
    schema: s.schema,
    table: s.table,
    txId: s.txId,
    lsn: s.lsn === null ? null : Number(s.lsn),
    xmin: null,
  };
}

/** The envelope value; `ts_*` are the processing time. */
export function envelope(op: string, before: Struct | null, after: Struct | null, source: Struct): Struct {
  const nowMs = Date.now();
  const micros = nowMs * 1000 + Math.floor((performance.now() % 1) * 1000);
  return {
    before,
    after,
    source,
    transaction: null,
    op,
    ts_ms: nowMs,
    ts_us: micros,
    ts_ns: BigInt(micros) * 1000n,
  };
}

export const HEARTBEAT_KEY_SCHEMA: Schema = struct(
  'io.debezium.connector.common.ServerNameKey',
  [['serverName', str()]],
  false,
);

export const HEARTBEAT_VALUE_SCHEMA: Schema = struct(
  'io.debezium.connector.common.Heartbeat',
  [['ts_ms', i64()]],
  false,
);
