/**
 * A decoder for pgoutput's logical replication messages (protocol version 1), keeping column values
 * as PostgreSQL's text output (the connector's type mapping parses them; pg-logical-replication's
 * own parser runs node-postgres' type parsers, which lose microseconds and numeric precision) and
 * LSNs and timestamps as exact numbers.
 *
 * https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html
 * Not decoded: streamed in-progress transactions and two-phase messages (protocol 2+, not requested).
 */
import { type CellValue, UNCHANGED_TOAST } from './table-schema.ts';

/** Microseconds between 1970-01-01 and PostgreSQL's epoch, 2000-01-01. */
const PG_EPOCH_US = 946_684_800_000_000;

export interface RelationColumn {
  readonly key: boolean;
  readonly name: string;
  readonly typeOid: number;
  readonly typmod: number;
}

export type PgOutputMessage =
  | { tag: 'begin'; finalLsn: bigint; commitTimeUs: number; xid: number }
  | { tag: 'commit'; commitLsn: bigint; endLsn: bigint; commitTimeUs: number }
  | {
      tag: 'relation';
      relid: number;
      schema: string;
      name: string;
      replicaIdentity: string;
      columns: RelationColumn[];
    }
  | { tag: 'insert'; relid: number; tuple: CellValue[] }
  | { tag: 'update'; relid: number; key: CellValue[] | null; old: CellValue[] | null; tuple: CellValue[] }
  | { tag: 'delete'; relid: number; key: CellValue[] | null; old: CellValue[] | null }
  | { tag: 'truncate'; relids: number[]; cascade: boolean; restartIdentity: boolean }
  | { tag: 'type'; oid: number; schema: string; name: string }
  | { tag: 'origin' }
  | { tag: 'message'; transactional: boolean; prefix: string }
  | { tag: 'unknown'; code: number };

class Reader {
  private pos = 0;
  private readonly buf: Buffer;
  constructor(buf: Buffer) {
    this.buf = buf;
  }

  u8(): number {
    return this.buf.readUInt8(this.pos++);
  }
  i16(): number {
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  i32(): number {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u32(): number {
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  /** A PostgreSQL timestamp (µs since 2000-01-01) as µs since 1970-01-01. */
  time(): number {
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return Number(v) + PG_EPOCH_US;
  }
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new Error('pgoutput: unterminated string');
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  tuple(): CellValue[] {
    const n = this.i16();
    const cells: CellValue[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const kind = this.u8();
      if (kind === 0x74 /* t */ || kind === 0x62 /* b */) {
        const len = this.i32();
        cells[i] = this.buf.toString('utf8', this.pos, this.pos + len);
        this.pos += len;
      } else if (kind === 0x6e /* n */) {
        cells[i] = null;
      } else if (kind === 0x75 /* u */) {
        cells[i] = UNCHANGED_TOAST;
      } else {
        throw new Error(`pgoutput: unknown tuple value kind ${kind}`);
      }
    }
    return cells;
  }
}

export function decodePgOutput(buf: Buffer): PgOutputMessage {
  const r = new Reader(buf);
  const tag = r.u8();
  switch (tag) {
    case 0x42 /* B */:
      return { tag: 'begin', finalLsn: r.u64(), commitTimeUs: r.time(), xid: r.u32() };
    case 0x43 /* C */:
      {
        r.u8();
        return { tag: 'commit', commitLsn: r.u64(), endLsn: r.u64(), commitTimeUs: r.time() };
      }
    case 0x52 /* R */:
      {
        const relid = r.u32();
        const schema = r.cstring();
        const name = r.cstring();
        const replicaIdentity = String.fromCharCode(r.u8());
        const n = r.i16();
        const columns: RelationColumn[] = [];
        for (let i = 0; i < n; i++) {
          const flags = r.u8();
          columns.push({ key: (flags & 1) === 1, name: r.cstring(), typeOid: r.u32(), typmod: r.i32() });
        }
        return { tag: 'relation', relid, schema, name, replicaIdentity, columns };
      }
    case 0x49 /* I */:
      {
        const relid = r.u32();
        r.u8(); // 'N'
        return { tag: 'insert', relid, tuple: r.tuple() };
      }
    case 0x55 /* U */:
      {
        const relid = r.u32();
        let sub = r.u8();
        let key: CellValue[] | null = null;
        let old: CellValue[] | null = null;
        if (sub === 0x4b /* K */) {
          key = r.tuple();
          sub = r.u8();
        } else if (sub === 0x4f /* O */) {
          old = r.tuple();
          sub = r.u8();
        }
        return { tag: 'update', relid, key, old, tuple: r.tuple() };
      }
    case 0x44 /* D */:
      {
        const relid = r.u32();
        const sub = r.u8();
        const cells = r.tuple();
        return sub === 0x4b
          ? { tag: 'delete', relid, key: cells, old: null }
          : { tag: 'delete', relid, key: null, old: cells };
      }
    case 0x54 /* T */:
      {
        const n = r.u32();
        const options = r.u8();
        const relids: number[] = [];
        for (let i = 0; i < n; i++) relids.push(r.u32());
        return {
          tag: 'truncate',
          relids,
          cascade: (options & 1) === 1,
          restartIdentity: (options & 2) === 2,
        };
      }
    case 0x59 /* Y */:
      return { tag: 'type', oid: r.u32(), schema: r.cstring(), name: r.cstring() };
    case 0x4f /* O */:
      return { tag: 'origin' };
    case 0x4d /* M */:
      {
        const flags = r.u8();
        r.u64();
        return { tag: 'message', transactional: (flags & 1) === 1, prefix: r.cstring() };
      }
    default:
      return { tag: 'unknown', code: tag };
  }
}
