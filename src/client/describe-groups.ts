/**
 * Describes groups without @platformatic/kafka's `Admin.describeGroups`, which decodes every
 * member's metadata and assignment as the consumer protocol inside a socket callback and so crashes
 * the process on anything else (librdkafka metadata it cannot parse, Kafka Connect worker groups of
 * protocol type "connect"). Here DescribeGroups v5 goes to each group's coordinator over a
 * short-lived connection; assignments are decoded only for protocol type "consumer", one by one, and
 * a member whose assignment cannot be decoded shows none. Used by the console and the CLI.
 */
import {
  type Admin,
  Connection,
  decodeConsumerProtocolAssignment,
  describeGroupsV5,
  FindCoordinatorKeyTypes,
} from '@platformatic/kafka';
import type { KafkaConnectionOptions } from './connection-options.ts';

const CONSUMER_PROTOCOL_TYPE = 'consumer';

export interface DescribedMember {
  memberId: string;
  groupInstanceId: string | null;
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

/** The clients a describe needs: an admin (FindCoordinator) and the options to connect. */
export interface DescribeClients {
  readonly admin: Admin;
  readonly connection: KafkaConnectionOptions;
}

export async function describeGroups(
  clients: DescribeClients,
  ids: readonly string[],
  clientId = 'samsa-console',
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
      const connection = new Connection(clientId, {
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
              groupInstanceId: m.groupInstanceId ?? null,
              clientId: m.clientId,
              host: m.clientHost,
              assignments: g.protocolType === CONSUMER_PROTOCOL_TYPE ? assignmentsOf(m.memberAssignment) : [],
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
