/**
 * The console's JSON API over the Kafka protocol (through @platformatic/kafka, as the user the
 * request authenticated as): cluster overview, topics (list, create, delete, add partitions, configs),
 * the message browser and produce, consumer groups (lag, offset resets with a dry run, delete).
 * Offsets go out as JSON numbers (exact up to 2^53); sizes on disk come from DescribeLogDirs
 * (log-sizes.ts). ACLs and SCRAM users are in security-api.ts.
 */
import { type Admin, ConfigResourceTypes, type ProduceResult } from '@platformatic/kafka';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { committedOffsets, groupLag } from '../../cli/group-offsets.ts';
import { lagAfter, type PartitionState, planReset, type ResetMode } from '../../cli/reset-plan.ts';
import { alterTopicConfigs, describeTopicConfigs } from '../../cli/topic-configs.ts';
import { type DescribedGroup, describeGroups } from '../../client/describe-groups.ts';
import { listOffsets, partitionsOf } from '../../client/offsets.ts';
import type { UserClients } from '../../proxy/kafka.ts';
import { ApiError } from './errors.ts';
import { logSizes, topicSize } from './log-sizes.ts';
import { type MergedStart, parseCursor, readMergedPage } from './merged.ts';
import { type BrowsedMessage, MAX_PAGE, type PageStart, readPage } from './messages.ts';

export type ClientsOf = (req: FastifyRequest) => Promise<UserClients>;
/** Decodes the page's registry-encoded keys and values in place (as the request's user). */
export type DecodeMessages = (req: FastifyRequest, messages: BrowsedMessage[]) => Promise<void>;

/** Lag is computed for at most this many groups on list pages. */
const MAX_GROUPS_WITH_LAG = 200;

const num = (v: bigint | null | undefined): number | null =>
  v === null || v === undefined ? null : Number(v);

function isUserTopic(name: string): boolean {
  return !name.startsWith('__');
}

function body(req: FastifyRequest): Record<string, unknown> {
  const b = req.body;
  if (b === null || typeof b !== 'object' || Array.isArray(b))
    throw new ApiError(400, 'expected a JSON object');
  return b as Record<string, unknown>;
}

function intField(o: Record<string, unknown>, name: string, min: number, fallback?: number): number {
  const v = o[name] ?? fallback;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min)
    throw new ApiError(400, `${name} must be an integer ≥ ${min}`);
  return n;
}

function intQuery(
  q: Record<string, string | undefined>,
  name: string,
  min: number,
  fallback: number,
): number {
  const v = q[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new ApiError(400, `${name} must be an integer ≥ ${min}`);
  return n;
}

async function topicConfigsOf(admin: Admin, topics: string[]): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>();
  if (topics.length === 0) return out;
  const result = await admin.describeConfigs({
    resources: topics.map((resourceName) => ({
      resourceType: ConfigResourceTypes.TOPIC,
      resourceName,
      configurationKeys: ['retention.ms', 'cleanup.policy'],
    })),
  });
  for (const r of result) {
    out.set(r.resourceName, new Map(r.configs.map((c) => [c.name, c.value ?? ''])));
  }
  return out;
}

async function listTopicRows(admin: Admin) {
  const names = (await admin.listTopics({ includeInternals: false })).filter(isUserTopic).sort();
  if (names.length === 0) return [];
  const metadata = await admin.metadata({ topics: names, forceUpdate: true });
  const partitions = new Map<string, number[]>();
  for (const name of names) {
    const t = metadata.topics.get(name);
    if (t) partitions.set(name, [...Array(t.partitionsCount).keys()]);
  }
  const [low, high, configs, sizes] = await Promise.all([
    listOffsets(admin, partitions, 'earliest'),
    listOffsets(admin, partitions, 'latest'),
    topicConfigsOf(admin, [...partitions.keys()]).catch(() => new Map<string, Map<string, string>>()),
    logSizes(admin, partitions),
  ]);
  return [...partitions].map(([name, list]) => {
    let messages = 0;
    for (const p of list) messages += Number((high.get(name)?.get(p) ?? 0n) - (low.get(name)?.get(p) ?? 0n));
    const c = configs.get(name);
    return {
      name,
      partitions: list.length,
      replicas: metadata.topics.get(name)?.partitions[0]?.replicas.length ?? 0,
      messages,
      size: topicSize(sizes, name),
      retentionMs: c?.get('retention.ms') ?? null,
      cleanupPolicy: c?.get('cleanup.policy') ?? null,
    };
  });
}

/** Groups with committed offsets on `topic` (of the first MAX_GROUPS_WITH_LAG), with their lag on it. */
async function topicConsumers(admin: Admin, topic: string, high: Map<number, bigint>) {
  const groups = [...(await admin.listGroups()).keys()].sort().slice(0, MAX_GROUPS_WITH_LAG);
  if (groups.length === 0) return [];
  const offsets = await admin.listConsumerGroupOffsets({
    groups: groups.map((groupId) => ({
      groupId,
      topics: [{ name: topic, partitionIndexes: [...high.keys()] }],
    })),
  });
  const rows: { group: string; partitions: number; lag: number }[] = [];
  for (const g of offsets) {
    let lag = 0;
    let partitions = 0;
    for (const t of g.topics) {
      if (t.name !== topic) continue;
      for (const p of t.partitions) {
        if (p.committedOffset < 0n) continue;
        partitions++;
        const end = high.get(p.partitionIndex) ?? 0n;
        lag += Number(end > p.committedOffset ? end - p.committedOffset : 0n);
      }
    }
    if (partitions > 0) rows.push({ group: g.groupId, partitions, lag });
  }
  return rows;
}

interface GroupRow {
  id: string;
  state: string;
  protocolType: string;
  members: number | null;
  lag: number | null;
}

async function listGroupRows(clients: UserClients): Promise<GroupRow[]> {
  const admin = clients.admin;
  const groups = [...(await admin.listGroups()).values()].sort((a, b) => a.id.localeCompare(b.id));
  const withLag = groups.slice(0, MAX_GROUPS_WITH_LAG);
  const described = await describeGroups(
    clients,
    withLag.map((g) => g.id),
  ).catch(() => new Map<string, DescribedGroup>());
  return Promise.all(
    groups.map(async (g, i) => {
      let lag: number | null = null;
      if (i < MAX_GROUPS_WITH_LAG) {
        const rows = await groupLag(admin, g.id, new Map()).catch(() => []);
        lag = rows.reduce((sum, r) => sum + Number(r.lag ?? 0n), 0);
      }
      return {
        id: g.id,
        state: String(g.state),
        protocolType: g.protocolType,
        members: described.get(g.id)?.members.length ?? null,
        lag,
      };
    }),
  );
}

function resetModeOf(o: Record<string, unknown>): ResetMode {
  switch (o.mode) {
    case 'earliest':
      return { kind: 'earliest' };
    case 'latest':
      return { kind: 'latest' };
    case 'timestamp': {
      const ms =
        typeof o.value === 'string' && !/^\d+$/.test(o.value) ? Date.parse(o.value) : Number(o.value);
      if (!Number.isFinite(ms)) throw new ApiError(400, 'value must be a date or epoch milliseconds');
      return { kind: 'time', ms };
    }
    case 'offset':
    case 'shift': {
      const text = String(o.value ?? '').trim();
      if (!/^[-+]?\d+$/.test(text)) throw new ApiError(400, 'value must be an integer');
      return o.mode === 'offset'
        ? { kind: 'offset', offset: BigInt(text) }
        : { kind: 'shift', by: BigInt(text) };
    }
    default:
      throw new ApiError(400, 'mode must be earliest, latest, timestamp, offset or shift');
  }
}

export function registerKafkaApi(
  app: FastifyInstance,
  clientsOf: ClientsOf,
  decodeMessages: DecodeMessages = async () => {},
): void {
  app.get('/api/cluster', async (req) => {
    const { admin } = await clientsOf(req);
    const topics = (await admin.listTopics({ includeInternals: false })).filter(isUserTopic);
    const metadata = await admin.metadata({ topics, forceUpdate: true });
    const partitions = topics.reduce((sum, t) => sum + (metadata.topics.get(t)?.partitionsCount ?? 0), 0);
    return {
      clusterId: metadata.id,
      controllerId: metadata.controllerId,
      brokers: [...metadata.brokers]
        .map(([nodeId, b]) => ({ nodeId, host: b.host, port: b.port, rack: b.rack ?? null }))
        .sort((a, b) => a.nodeId - b.nodeId),
      topics: topics.length,
      partitions,
    };
  });

  app.get('/api/topics', async (req) => listTopicRows((await clientsOf(req)).admin));

  app.post('/api/topics', async (req, reply) => {
    const o = body(req);
    const name = typeof o.name === 'string' ? o.name.trim() : '';
    if (!/^[a-zA-Z0-9._-]{1,249}$/.test(name))
      throw new ApiError(400, 'topic names use letters, digits, ".", "_" and "-" (at most 249)');
    const partitions = intField(o, 'partitions', 1, 1);
    const replicas = intField(o, 'replicationFactor', 1, 1);
    const configs = Object.entries((o.configs as Record<string, unknown> | undefined) ?? {}).map(
      ([k, v]) => ({
        name: k,
        value: String(v),
      }),
    );
    await (await clientsOf(req)).admin.createTopics({ topics: [name], partitions, replicas, configs });
    reply.code(201);
    return { name, partitions };
  });

  app.get<{ Params: { topic: string } }>('/api/topics/:topic', async (req) => {
    const { admin } = await clientsOf(req);
    const topic = req.params.topic;
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true, autocreateTopics: false });
    const info = metadata.topics.get(topic);
    if (!info) throw new ApiError(404, `topic ${topic} not found`);
    const list = new Map([[topic, [...Array(info.partitionsCount).keys()]]]);
    const [low, high, configs, sizes] = await Promise.all([
      listOffsets(admin, list, 'earliest'),
      listOffsets(admin, list, 'latest'),
      describeTopicConfigs(admin, topic),
      logSizes(admin, list),
    ]);
    const consumers = await topicConsumers(admin, topic, high.get(topic) ?? new Map()).catch(() => []);
    return {
      name: topic,
      id: info.id,
      consumers,
      partitions: info.partitions.map((p, partition) => ({
        partition,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
        low: num(low.get(topic)?.get(partition)),
        high: num(high.get(topic)?.get(partition)),
        size: sizes.get(topic)?.get(partition) ?? null,
      })),
      size: topicSize(sizes, topic),
      configs,
    };
  });

  app.delete<{ Params: { topic: string } }>('/api/topics/:topic', async (req) => {
    await (await clientsOf(req)).admin.deleteTopics({ topics: [req.params.topic] });
    return { deleted: req.params.topic };
  });

  app.post<{ Params: { topic: string } }>('/api/topics/:topic/partitions', async (req) => {
    const count = intField(body(req), 'count', 1);
    await (await clientsOf(req)).admin.createPartitions({ topics: [{ name: req.params.topic, count }] });
    return { name: req.params.topic, partitions: count };
  });

  app.put<{ Params: { topic: string } }>('/api/topics/:topic/configs', async (req) => {
    const changes = Object.entries(body(req)).map(
      ([k, v]) => [k, v === null || v === '' ? null : String(v)] as const,
    );
    const { admin } = await clientsOf(req);
    await alterTopicConfigs(admin, req.params.topic, changes);
    return describeTopicConfigs(admin, req.params.topic);
  });

  app.get<{ Params: { topic: string }; Querystring: Record<string, string | undefined> }>(
    '/api/topics/:topic/messages',
    async (req) => {
      const q = req.query;
      const merged = q.partition === 'all';
      const partition = merged ? 0 : intQuery(q, 'partition', 0, 0);
      const limit = Math.min(intQuery(q, 'limit', 1, 50), MAX_PAGE);
      let start: PageStart;
      switch (q.from ?? 'beginning') {
        case 'beginning':
          start = { from: 'beginning' };
          break;
        case 'end':
          start = { from: 'end' };
          break;
        case 'offset':
          start = { from: 'offset', offset: intQuery(q, 'offset', 0, 0) };
          break;
        case 'timestamp': {
          const ms = /^\d+$/.test(q.timestamp ?? '') ? Number(q.timestamp) : Date.parse(q.timestamp ?? '');
          if (!Number.isFinite(ms)) throw new ApiError(400, 'timestamp must be a date or epoch milliseconds');
          start = { from: 'timestamp', timestamp: ms };
          break;
        }
        default:
          throw new ApiError(400, 'from must be beginning, end, offset or timestamp');
      }
      if (!merged && (q.after !== undefined || q.before !== undefined))
        throw new ApiError(400, 'after and before (cursors) go with partition=all');
      const clients = await clientsOf(req);
      const metadata = await clients.admin.metadata({ topics: [req.params.topic], autocreateTopics: false });
      const info = metadata.topics.get(req.params.topic);
      if (!info) throw new ApiError(404, `topic ${req.params.topic} not found`);
      if (merged) {
        const mergedStart: MergedStart =
          q.after !== undefined
            ? { from: 'after', cursor: parseCursor(q.after) }
            : q.before !== undefined
              ? { from: 'before', cursor: parseCursor(q.before) }
              : start;
        const page = await readMergedPage(
          clients.admin,
          clients.reader(),
          req.params.topic,
          info.partitionsCount,
          mergedStart,
          limit,
          q.filter ?? '',
        );
        await decodeMessages(req, page.messages);
        return page;
      }
      if (partition >= info.partitionsCount)
        throw new ApiError(404, `topic ${req.params.topic} has no partition ${partition}`);
      const page = await readPage(
        clients.admin,
        clients.reader(),
        req.params.topic,
        partition,
        start,
        limit,
        q.filter ?? '',
      );
      await decodeMessages(req, page.messages);
      return page;
    },
  );

  app.post<{ Params: { topic: string } }>('/api/topics/:topic/messages', async (req) => {
    const o = body(req);
    const text = (v: unknown): Buffer | undefined =>
      v === undefined || v === null || v === '' ? undefined : Buffer.from(String(v));
    const headers = new Map<Buffer, Buffer>();
    for (const [k, v] of Object.entries((o.headers as Record<string, unknown> | undefined) ?? {}))
      headers.set(Buffer.from(k), Buffer.from(String(v)));
    const partition =
      o.partition === undefined || o.partition === '' ? undefined : intField(o, 'partition', 0);
    const key = text(o.key);
    const value = text(o.value);
    const { producer } = await clientsOf(req);
    const result: ProduceResult = await producer.send({
      messages: [
        {
          topic: req.params.topic,
          ...(partition !== undefined ? { partition } : {}),
          ...(key !== undefined ? { key } : {}),
          ...(value !== undefined ? { value } : {}),
          headers,
        },
      ],
    });
    const written = result.offsets?.[0];
    return { partition: written?.partition ?? partition ?? null, offset: num(written?.offset) };
  });

  app.get('/api/groups', async (req) => listGroupRows(await clientsOf(req)));

  app.get<{ Params: { group: string } }>('/api/groups/:group', async (req) => {
    const clients = await clientsOf(req);
    const admin = clients.admin;
    const id = req.params.group;
    const group = (await describeGroups(clients, [id])).get(id);
    const assigned = new Map<string, number[]>();
    const owner = new Map<string, string>();
    const members = group?.members ?? [];
    for (const m of members) {
      for (const a of m.assignments) {
        assigned.set(a.topic, [...(assigned.get(a.topic) ?? []), ...a.partitions]);
        for (const p of a.partitions) owner.set(`${a.topic}\0${p}`, m.memberId);
      }
    }
    const lags = await groupLag(admin, id, assigned);
    if ((group === undefined || group.state === 'Dead') && members.length === 0 && lags.length === 0)
      throw new ApiError(404, `consumer group ${id} not found`);
    return {
      id,
      state: group?.state ?? 'Dead',
      protocol: group?.protocol ?? '',
      members,
      partitions: lags.map((l) => ({
        topic: l.topic,
        partition: l.partition,
        committed: num(l.committed),
        logEnd: num(l.logEnd),
        lag: num(l.lag),
        member: owner.get(`${l.topic}\0${l.partition}`) ?? null,
      })),
      totalLag: lags.reduce((sum, l) => sum + Number(l.lag ?? 0n), 0),
    };
  });

  app.post<{ Params: { group: string } }>('/api/groups/:group/reset', async (req) => {
    const o = body(req);
    const mode = resetModeOf(o);
    const execute = o.execute === true;
    const topic = typeof o.topic === 'string' ? o.topic : '';
    const id = req.params.group;
    const clients = await clientsOf(req);
    const admin = clients.admin;
    const partitions = await partitionsOf(admin, [topic]);
    if (!partitions.has(topic)) throw new ApiError(404, `topic ${topic} not found`);
    const group = (await describeGroups(clients, [id]).catch(() => new Map<string, DescribedGroup>())).get(
      id,
    );
    const active = group?.members.length ?? 0;
    if (execute && active > 0)
      throw new ApiError(
        409,
        `consumer group ${id} has ${active} active member(s): stop its consumers first; Kafka only accepts offset resets for groups without members`,
      );
    const [committed, earliest, latest, atTime] = await Promise.all([
      committedOffsets(admin, id, partitions),
      listOffsets(admin, partitions, 'earliest'),
      listOffsets(admin, partitions, 'latest'),
      mode.kind === 'time' ? listOffsets(admin, partitions, { timestamp: mode.ms }) : undefined,
    ]);
    const states: PartitionState[] = (partitions.get(topic) ?? []).map((partition) => {
      const at = atTime?.get(topic)?.get(partition);
      return {
        topic,
        partition,
        current: committed.get(topic)?.get(partition) ?? null,
        earliest: earliest.get(topic)?.get(partition) ?? 0n,
        latest: latest.get(topic)?.get(partition) ?? 0n,
        ...(at !== undefined ? { atTime: at } : {}),
      };
    });
    const plan = planReset(states, mode);
    const moves = plan.filter((p) => p.target !== null);
    if (execute && moves.length > 0) {
      await admin.alterConsumerGroupOffsets({
        groupId: id,
        topics: [
          {
            name: topic,
            partitionOffsets: moves.map((p) => ({ partition: p.partition, offset: p.target! })),
          },
        ],
      });
    }
    return {
      executed: execute,
      partitions: plan.map((p) => ({
        topic: p.topic,
        partition: p.partition,
        current: num(p.current),
        target: num(p.target),
        logEnd: num(p.logEnd),
        lagAfter:
          p.target !== null
            ? Number(p.logEnd - p.target)
            : p.current !== null
              ? Number(p.logEnd - p.current)
              : null,
      })),
      totalLag: Number(lagAfter(plan)),
    };
  });

  app.delete<{ Params: { group: string } }>('/api/groups/:group', async (req) => {
    await (await clientsOf(req)).admin.deleteGroups({ groups: [req.params.group] });
    return { deleted: req.params.group };
  });
}
