/**
 * Codec for the "consumer" protocol type's embedded bytes: ConsumerProtocolSubscription (JoinGroup
 * protocol metadata) and ConsumerProtocolAssignment (SyncGroup assignment), versions 0-3, each
 * prefixed by an int16 version. Like Kafka, a newer version is read with the newest layout we know
 * (new versions only append fields), and trailing bytes are ignored.
 */
import { Reader, Writer } from '../protocol/primitives/index.ts';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

export interface ConsumerProtocolSubscription {
  topics: string[];
  userData: Buffer | null;
  /** v1+ */
  ownedPartitions: TopicPartitions[];
  /** v2+, -1 default */
  generationId: number;
  /** v3+ */
  rackId: string | null;
}

export interface ConsumerProtocolAssignment {
  assignedPartitions: TopicPartitions[];
  userData: Buffer | null;
}

function readTopicPartitions(r: Reader): TopicPartitions[] {
  const n = r.readArrayLength(6);
  const out: TopicPartitions[] = [];
  for (let i = 0; i < n; i++) {
    const topic = r.readString();
    const count = r.readArrayLength(4);
    const partitions: number[] = [];
    for (let j = 0; j < count; j++) partitions.push(r.readInt32());
    out.push({ topic, partitions });
  }
  return out;
}

function writeTopicPartitions(w: Writer, list: TopicPartitions[]): void {
  w.writeArrayLength(list.length);
  for (const tp of list) {
    w.writeString(tp.topic).writeArrayLength(tp.partitions.length);
    for (const p of tp.partitions) w.writeInt32(p);
  }
}

/** Decodes a subscription; throws DecodeError on malformed bytes. */
export function decodeSubscription(buf: Buffer): ConsumerProtocolSubscription & { version: number } {
  const r = new Reader(buf);
  const version = r.readInt16();
  const topicCount = r.readArrayLength(2);
  const topics: string[] = [];
  for (let i = 0; i < topicCount; i++) topics.push(r.readString());
  const userData = r.readNullableBytes();
  const sub: ConsumerProtocolSubscription & { version: number } = {
    version,
    topics,
    userData: userData === null ? null : Buffer.from(userData),
    ownedPartitions: [],
    generationId: -1,
    rackId: null,
  };
  if (version >= 1 && r.remaining > 0) sub.ownedPartitions = readTopicPartitions(r);
  if (version >= 2 && r.remaining > 0) sub.generationId = r.readInt32();
  if (version >= 3 && r.remaining > 0) sub.rackId = r.readNullableString();
  return sub;
}

export function encodeSubscription(sub: Partial<ConsumerProtocolSubscription>, version = 3): Buffer {
  const w = new Writer(128).writeInt16(version);
  const topics = sub.topics ?? [];
  w.writeArrayLength(topics.length);
  for (const t of topics) w.writeString(t);
  w.writeNullableBytes(sub.userData ?? null);
  if (version >= 1) writeTopicPartitions(w, sub.ownedPartitions ?? []);
  if (version >= 2) w.writeInt32(sub.generationId ?? -1);
  if (version >= 3) w.writeNullableString(sub.rackId ?? null);
  return w.toBuffer();
}

export function decodeAssignment(buf: Buffer): ConsumerProtocolAssignment & { version: number } {
  const r = new Reader(buf);
  const version = r.readInt16();
  const assignedPartitions = readTopicPartitions(r);
  const userData = r.remaining > 0 ? r.readNullableBytes() : null;
  return { version, assignedPartitions, userData: userData === null ? null : Buffer.from(userData) };
}

export function encodeAssignment(assignment: Partial<ConsumerProtocolAssignment>, version = 3): Buffer {
  const w = new Writer(128).writeInt16(version);
  writeTopicPartitions(w, assignment.assignedPartitions ?? []);
  w.writeNullableBytes(assignment.userData ?? null);
  return w.toBuffer();
}

/** The topics a subscription names, read as version 0 (the prefix of every version), as Kafka does. */
export function subscribedTopicsOf(metadata: Buffer): string[] {
  const r = new Reader(metadata);
  r.readInt16();
  const n = r.readArrayLength(2);
  const topics: string[] = [];
  for (let i = 0; i < n; i++) topics.push(r.readString());
  r.readNullableBytes();
  return topics;
}
