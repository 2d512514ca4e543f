/**
 * GroupMetadataKey (version 2) and GroupMetadataValue (versions 0-4) of __consumer_offsets,
 * hand-coded from Kafka's internal schemas. We write value version 3 (the one Kafka writes: it
 * carries group instance ids and the state timestamp); every version is read.
 */
import { DecodeError, Reader, Writer } from '../../protocol/primitives/index.ts';
import { readArrayLength, readBytes, readNullableStr, readStr, skipTaggedFields } from './flexible.ts';

export const GROUP_METADATA_KEY_VERSION = 2;
const WRITTEN_VALUE_VERSION = 3;

export interface GroupMetadataKey {
  group: string;
}

export interface GroupMemberMetadata {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** -1 in value version 0 (use the session timeout). */
  rebalanceTimeout: number;
  sessionTimeout: number;
  /** The member's metadata for the group's selected protocol. */
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  /** -1 when unknown (value versions before 2). */
  currentStateTimestamp: bigint;
  members: GroupMemberMetadata[];
}

export function encodeGroupMetadataKey(key: GroupMetadataKey): Buffer {
  return new Writer(64).writeInt16(GROUP_METADATA_KEY_VERSION).writeString(key.group).toBuffer();
}

/** Decodes the fields after the int16 key version. */
export function decodeGroupMetadataKeyBody(r: Reader): GroupMetadataKey {
  return { group: r.readString() };
}

export function encodeGroupMetadataValue(value: GroupMetadataValue): Buffer {
  const w = new Writer(256);
  w.writeInt16(WRITTEN_VALUE_VERSION)
    .writeString(value.protocolType)
    .writeInt32(value.generation)
    .writeNullableString(value.protocol)
    .writeNullableString(value.leader)
    .writeInt64(value.currentStateTimestamp)
    .writeArrayLength(value.members.length);
  for (const m of value.members) {
    w.writeString(m.memberId)
      .writeNullableString(m.groupInstanceId)
      .writeString(m.clientId)
      .writeString(m.clientHost)
      .writeInt32(m.rebalanceTimeout)
      .writeInt32(m.sessionTimeout)
      .writeBytes(m.subscription)
      .writeBytes(m.assignment);
  }
  return w.toBuffer();
}

export function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue {
  const r = new Reader(buf);
  const version = r.readInt16();
  if (version < 0 || version > 4) throw new DecodeError(`unknown GroupMetadataValue version ${version}`);
  const flexible = version >= 4;
  const protocolType = readStr(r, flexible);
  const generation = r.readInt32();
  const protocol = readNullableStr(r, flexible);
  const leader = readNullableStr(r, flexible);
  const currentStateTimestamp = version >= 2 ? r.readInt64() : -1n;
  const count = readArrayLength(r, flexible, 4);
  const members: GroupMemberMetadata[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = readStr(r, flexible);
    const groupInstanceId = version >= 3 ? readNullableStr(r, flexible) : null;
    const clientId = readStr(r, flexible);
    const clientHost = readStr(r, flexible);
    const rebalanceTimeout = version >= 1 ? r.readInt32() : -1;
    const sessionTimeout = r.readInt32();
    const subscription = Buffer.from(readBytes(r, flexible));
    const assignment = Buffer.from(readBytes(r, flexible));
    if (flexible) skipTaggedFields(r);
    members.push({
      memberId,
      groupInstanceId,
      clientId,
      clientHost,
      rebalanceTimeout,
      sessionTimeout,
      subscription,
      assignment,
    });
  }
  if (flexible) skipTaggedFields(r);
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}
