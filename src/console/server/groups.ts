/**
 * Describes consumer groups without @platformatic/kafka's `Admin.describeGroups`, which decodes
 * every member's subscription inside a socket callback and so crashes the process on metadata it
 * cannot parse (seen with librdkafka consumers such as kcat). Here DescribeGroups v5 goes to each
 * group's coordinator over a short-lived connection and assignments are decoded one by one; a member
 * whose assignment cannot be decoded shows no assignment instead of taking the server down.
 */
import {
  type Admin,
  Connection,
  decodeConsumerProtocolAssignment,
  describeGroupsV5,
  FindCoordinatorKeyTypes,
} from '@platformatic/kafka';
import type { UserClients } from '../../proxy/kafka.ts';

export interface DescribedMember {
  memberId: string;
  clientId: string;
  host: string;
  assignments: { topic: string; partitions: number[] }[];
}

export interface DescribedGroup {
  id: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: DescribedMember[];
}

function assignmentsOf(buffer: Buffer): DescribedMember['assignments'] {
  try {
    return decodeConsumerProtocolAssignment(buffer).assignedPartitions.map((a) => ({
      topic: a.topic,
      partitions: [...a.partitions],
    }));
  } catch {
    return [];
  }
}

export async function describeGroups(
  clients: UserClients,
  ids: readonly string[],
): Promise<Map<string, DescribedGroup>> {
  const out = new Map<string, DescribedGroup>();
  if (ids.length === 0) return out;
  const admin: Admin = clients.admin;
  const coordinators = await admin.findCoordinator({
    keyType: FindCoordinatorKeyTypes.GROUP,
    keys: [...ids],
  });
  const byNode = new Map<string, { host: string; port: number; groups: string[] }>();
  for (const c of coordinators) {
    const key = `${c.host}:${c.port}`;
    const entry = byNode.get(key) ?? { host: c.host, port: c.port, groups: [] };
    entry.groups.push(c.key);
    byNode.set(key, entry);
  }
  const c = clients.connection;
  await Promise.all(
    [...byNode.values()].map(async ({ host, port, groups }) => {
      const connection = new Connection('samsa-console', {
        connectTimeout: 5_000,
        requestTimeout: 15_000,
        ...(c.tls ? { tls: c.tls } : {}),
        ...(c.tlsServerName ? { tlsServerName: c.tlsServerName } : {}),
        ...(c.sasl ? { sasl: c.sasl } : {}),
      });
      try {
        await connection.connect(host, port);
        const response = await describeGroupsV5.api.async(connection, groups, false);
        for (const g of response.groups) {
          if (g.errorCode !== 0) continue;
          out.set(g.groupId, {
            id: g.groupId,
            state: g.groupState,
            protocolType: g.protocolType,
            protocol: g.protocolData,
            members: g.members.map((m) => ({
              memberId: m.memberId,
              clientId: m.clientId,
              host: m.clientHost,
              assignments: assignmentsOf(m.memberAssignment),
            })),
          });
        }
      } finally {
        await connection.close().catch(() => {});
      }
    }),
  );
  return out;
}
