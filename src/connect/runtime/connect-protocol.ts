/**
 * Kafka Connect's group protocol payloads (protocol type `connect`, protocol `default`, the eager
 * protocol of `ConnectProtocol` V0), so Samsa workers speak the same bytes in JoinGroup/SyncGroup:
 *
 * - member metadata: version int16 (0), url string, config_offset int64
 * - assignment: version int16 (0), error int16, leader string, leader_url string, config_offset
 *   int64, assignment [connector string, tasks [int32]] where task -1 is the connector itself.
 *
 * Not implemented: the incremental cooperative protocols (`compatible`, `sessioned`, V1/V2).
 */

export const PROTOCOL_TYPE = 'connect';
export const PROTOCOL_NAME = 'default';
export const CONNECTOR_TASK = -1;
export const ASSIGNMENT_OK = 0;
/** The leader could not read the config topic far enough (Kafka's CONFIG_MISMATCH). */
export const CONFIG_MISMATCH = 1;

export interface MemberMetadata {
  url: string;
  configOffset: bigint;
}

export interface ConnectAssignment {
  error: number;
  leader: string;
  leaderUrl: string;
  configOffset: bigint;
  /** connector → task ids (-1: the connector itself). */
  assignment: Map<string, number[]>;
}

class Out {
  readonly parts: Buffer[] = [];
  int16(n: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    this.parts.push(b);
    return this;
  }
  int32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.parts.push(b);
    return this;
  }
  int64(n: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(n);
    this.parts.push(b);
    return this;
  }
  string(s: string): this {
    const bytes = Buffer.from(s, 'utf8');
    this.int16(bytes.length);
    this.parts.push(bytes);
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

class In {
  #pos = 0;
  readonly #buf: Buffer;
  constructor(buf: Buffer) {
    this.#buf = buf;
  }
  int16(): number {
    const v = this.#buf.readInt16BE(this.#pos);
    this.#pos += 2;
    return v;
  }
  int32(): number {
    const v = this.#buf.readInt32BE(this.#pos);
    this.#pos += 4;
    return v;
  }
  int64(): bigint {
    const v = this.#buf.readBigInt64BE(this.#pos);
    this.#pos += 8;
    return v;
  }
  string(): string {
    const len = this.int16();
    const v = this.#buf.toString('utf8', this.#pos, this.#pos + len);
    this.#pos += len;
    return v;
  }
}

export function encodeMetadata(m: MemberMetadata): Buffer {
  return new Out().int16(0).string(m.url).int64(m.configOffset).done();
}

export function decodeMetadata(buf: Buffer): MemberMetadata {
  const r = new In(buf);
  r.int16();
  return { url: r.string(), configOffset: r.int64() };
}

export function encodeAssignment(a: ConnectAssignment): Buffer {
  const out = new Out().int16(0).int16(a.error).string(a.leader).string(a.leaderUrl).int64(a.configOffset);
  out.int32(a.assignment.size);
  for (const [connector, tasks] of a.assignment) {
    out.string(connector).int32(tasks.length);
    for (const t of tasks) out.int32(t);
  }
  return out.done();
}

export function decodeAssignment(buf: Buffer): ConnectAssignment {
  const r = new In(buf);
  r.int16();
  const a: ConnectAssignment = {
    error: r.int16(),
    leader: r.string(),
    leaderUrl: r.string(),
    configOffset: r.int64(),
    assignment: new Map(),
  };
  const n = r.int32();
  for (let i = 0; i < n; i++) {
    const connector = r.string();
    const count = r.int32();
    const tasks: number[] = [];
    for (let j = 0; j < count; j++) tasks.push(r.int32());
    a.assignment.set(connector, tasks);
  }
  return a;
}

/**
 * The eager round-robin assignment (Kafka's `EagerAssignor`): members in member-id order, the
 * connectors dealt out first, then every task, continuing around the circle.
 */
export function assignRoundRobin(
  memberIds: readonly string[],
  connectors: ReadonlyMap<string, number>,
): Map<string, Map<string, number[]>> {
  const members = [...memberIds].sort();
  const out = new Map<string, Map<string, number[]>>(members.map((m) => [m, new Map()]));
  if (members.length === 0) return out;
  let i = 0;
  const give = (connector: string, task: number): void => {
    const member = out.get(members[i++ % members.length]!)!;
    member.set(connector, [...(member.get(connector) ?? []), task]);
  };
  const names = [...connectors.keys()].sort();
  for (const name of names) give(name, CONNECTOR_TASK);
  for (const name of names) for (let t = 0; t < connectors.get(name)!; t++) give(name, t);
  return out;
}
