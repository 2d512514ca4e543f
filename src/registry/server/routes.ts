/**
 * Confluent Schema Registry's REST API (paths, query parameters, bodies, answers):
 *
 *   GET    /                                  {}
 *   GET    /schemas/types                     ["JSON","PROTOBUF","AVRO"]
 *   GET    /schemas                           subjectPrefix, deleted, latestOnly, offset, limit
 *   GET    /schemas/ids/{id}                  subject, format, fetchMaxId
 *   GET    /schemas/ids/{id}/schema           the schema text itself
 *   GET    /schemas/ids/{id}/versions         [{subject, version}] (deleted)
 *   GET    /schemas/ids/{id}/subjects         [subject] (deleted)
 *   GET    /subjects                          subjectPrefix, deleted, deletedOnly
 *   POST   /subjects/{s}                      look up a schema under a subject (normalize, deleted)
 *   DELETE /subjects/{s}                      soft, then permanent=true
 *   GET    /subjects/{s}/versions             deleted, deletedOnly
 *   POST   /subjects/{s}/versions             register (normalize) → {id}
 *   GET    /subjects/{s}/versions/{v}         v: 1..2^31-1 | latest | -1 (deleted, format)
 *   GET    /subjects/{s}/versions/{v}/schema
 *   GET    /subjects/{s}/versions/{v}/referencedby
 *   DELETE /subjects/{s}/versions/{v}         soft, then permanent=true
 *   POST   /compatibility/subjects/{s}/versions[/{v}]   verbose, normalize
 *   GET|PUT|DELETE /config, /config/{s}       defaultToGlobal
 *   GET|PUT /mode, GET|PUT|DELETE /mode/{s}   defaultToGlobal, force
 *   GET    /contexts, /v1/metadata/id, /v1/metadata/version
 *
 * Writes go to the primary: a follower forwards them (./forward.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Errors, RegistryError } from '../errors.ts';
import { parseVersion, type SchemaRegistry, versionView } from '../registry.ts';
import { forwardToLeader } from './forward.ts';
import { flag, text } from './http.ts';

export interface RegistryNode {
  readonly registry: SchemaRegistry;
  isLeader(): boolean;
  leaderUrl(): string | null;
  /** Resolves once a primary is known (this instance, ready, or another), or after `timeoutMs`. */
  leaderKnown(timeoutMs: number): Promise<void>;
  /** Resolves once the primary is another than `from` (or this instance), or after `timeoutMs`. */
  leaderChanged(from: string | null, timeoutMs: number): Promise<void>;
  readonly kafkaClusterId: string | null;
}

type Params = Record<string, string>;

/** How long a write waits for an election in progress (startup, failover) before answering 50004. */
const LEADER_WAIT_MS = 15_000;

/** Confluent's order. */
const SCHEMA_TYPES_ANSWER = ['JSON', 'PROTOBUF', 'AVRO'];

function params(request: FastifyRequest): Params {
  return request.params as Params;
}

function body(request: FastifyRequest): Record<string, unknown> {
  const b = request.body;
  if (b === undefined || b === null) return {};
  if (typeof b !== 'object' || Array.isArray(b))
    throw Errors.unprocessable('The request body must be a JSON object');
  return b as Record<string, unknown>;
}

function schemaId(raw: string | undefined): number {
  if (raw === undefined || !/^-?\d+$/.test(raw)) throw Errors.notFound();
  return Number(raw);
}

function storedView(stored: { schemaType: string; schema: string; references: unknown[] }) {
  return {
    ...(stored.schemaType === 'AVRO' ? {} : { schemaType: stored.schemaType }),
    ...(stored.references.length === 0 ? {} : { references: stored.references }),
    schema: stored.schema,
  };
}

function page<T>(items: T[], query: unknown): T[] {
  const offset = Number(text(query, 'offset') ?? 0);
  const limit = Number(text(query, 'limit') ?? -1);
  const start = Number.isFinite(offset) && offset > 0 ? offset : 0;
  return Number.isFinite(limit) && limit >= 0 ? items.slice(start, start + limit) : items.slice(start);
}

export function registerRoutes(app: FastifyInstance, node: RegistryNode): void {
  const r = node.registry;

  /**
   * Runs a write here on the primary, else forwards it. A primary that cannot be reached (it just
   * stopped) is given one election's time to be replaced, then the write is forwarded again.
   */
  const write =
    (fn: (request: FastifyRequest) => Promise<unknown>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      for (let attempt = 0; ; attempt++) {
        if (!node.isLeader() && node.leaderUrl() === null) await node.leaderKnown(LEADER_WAIT_MS);
        if (node.isLeader()) return fn(request);
        const target = node.leaderUrl();
        try {
          await forwardToLeader(target, request, reply);
          return reply;
        } catch (err) {
          if (attempt > 0 || !(err instanceof RegistryError) || err.errorCode !== 50003) throw err;
          await node.leaderChanged(target, LEADER_WAIT_MS);
        }
      }
    };

  app.get('/', async () => ({}));

  app.get('/schemas/types', async () => SCHEMA_TYPES_ANSWER);

  app.get('/schemas', async (request) => {
    const q = request.query;
    const list = r.allSchemas({
      ...(text(q, 'subjectPrefix') === undefined ? {} : { prefix: text(q, 'subjectPrefix')! }),
      deleted: flag(q, 'deleted'),
      latestOnly: flag(q, 'latestOnly'),
    });
    return page(list.map(versionView), q);
  });

  app.get('/schemas/ids/:id', async (request) => {
    const id = schemaId(params(request).id);
    const stored = r.schemaById(id, text(request.query, 'format'));
    return {
      ...storedView(stored),
      ...(flag(request.query, 'fetchMaxId') ? { maxId: r.store.state.maxId } : {}),
    };
  });

  app.get('/schemas/ids/:id/schema', async (request, reply) => {
    const stored = r.schemaById(schemaId(params(request).id), text(request.query, 'format'));
    return reply.send(stored.schema);
  });

  app.get('/schemas/ids/:id/versions', async (request) =>
    r.idVersions(schemaId(params(request).id), flag(request.query, 'deleted')),
  );

  app.get('/schemas/ids/:id/subjects', async (request) =>
    r.idSubjects(schemaId(params(request).id), flag(request.query, 'deleted')),
  );

  app.get('/subjects', async (request) => {
    const q = request.query;
    return r.subjects({
      deleted: flag(q, 'deleted'),
      deletedOnly: flag(q, 'deletedOnly'),
      ...(text(q, 'subjectPrefix') === undefined ? {} : { prefix: text(q, 'subjectPrefix')! }),
    });
  });

  app.post('/subjects/:subject', async (request) =>
    r.lookup(params(request).subject!, body(request), {
      ...(flag(request.query, 'normalize') ? { normalize: true } : {}),
      deleted: flag(request.query, 'deleted'),
    }),
  );

  app.delete(
    '/subjects/:subject',
    write((request) => r.deleteSubject(params(request).subject!, flag(request.query, 'permanent'))),
  );

  app.get('/subjects/:subject/versions', async (request) =>
    r.versions(params(request).subject!, {
      deleted: flag(request.query, 'deleted'),
      deletedOnly: flag(request.query, 'deletedOnly'),
    }),
  );

  app.post(
    '/subjects/:subject/versions',
    write((request) =>
      r.register(params(request).subject!, body(request), { normalize: flag(request.query, 'normalize') }),
    ),
  );

  const versionOf = (request: FastifyRequest) => {
    const p = params(request);
    return r.version(p.subject!, parseVersion(p.version!), flag(request.query, 'deleted'));
  };

  app.get('/subjects/:subject/versions/:version', async (request) => {
    const v = versionOf(request);
    const format = text(request.query, 'format');
    if (!format) return versionView(v);
    return { ...versionView(v), schema: r.formatted(v, format).schema };
  });

  app.get('/subjects/:subject/versions/:version/schema', async (request, reply) => {
    const v = versionOf(request);
    const format = text(request.query, 'format');
    return reply.send(format ? r.formatted(v, format).schema : v.schema);
  });

  app.get('/subjects/:subject/versions/:version/referencedby', async (request) => {
    const p = params(request);
    return r.referencedBy(p.subject!, parseVersion(p.version!));
  });

  app.delete(
    '/subjects/:subject/versions/:version',
    write((request) => {
      const p = params(request);
      return r.deleteVersion(p.subject!, parseVersion(p.version!), flag(request.query, 'permanent'));
    }),
  );

  const compatibility = (request: FastifyRequest, version: string | null) => {
    const result = r.testCompatibility(
      params(request).subject!,
      version === null ? null : parseVersion(version),
      body(request),
      flag(request.query, 'normalize') ? { normalize: true } : {},
    );
    return flag(request.query, 'verbose')
      ? { is_compatible: result.compatible, messages: result.messages }
      : { is_compatible: result.compatible };
  };
  app.post('/compatibility/subjects/:subject/versions', async (request) => compatibility(request, null));
  app.post('/compatibility/subjects/:subject/versions/:version', async (request) =>
    compatibility(request, params(request).version!),
  );

  app.get('/config', async () => r.config(null));
  app.put(
    '/config',
    write((request) => r.setConfig(null, body(request))),
  );
  app.delete(
    '/config',
    write(() => r.deleteConfig(null)),
  );
  app.get('/config/:subject', async (request) =>
    r.subjectConfig(params(request).subject!, flag(request.query, 'defaultToGlobal')),
  );
  app.put(
    '/config/:subject',
    write((request) => r.setConfig(params(request).subject!, body(request))),
  );
  app.delete(
    '/config/:subject',
    write((request) => r.deleteConfig(params(request).subject!)),
  );

  app.get('/mode', async () => ({ mode: r.mode(null) }));
  app.put(
    '/mode',
    write((request) => r.setMode(null, body(request), flag(request.query, 'force'))),
  );
  app.get('/mode/:subject', async (request) => ({
    mode: r.subjectMode(params(request).subject!, flag(request.query, 'defaultToGlobal')),
  }));
  app.put(
    '/mode/:subject',
    write((request) => r.setMode(params(request).subject!, body(request), flag(request.query, 'force'))),
  );
  app.delete(
    '/mode/:subject',
    write((request) => r.deleteMode(params(request).subject!)),
  );

  app.get('/contexts', async () => ['.']);
  app.get('/v1/metadata/id', async () => ({
    scope: {
      path: [],
      clusters: {
        ...(node.kafkaClusterId ? { 'kafka-cluster': node.kafkaClusterId } : {}),
        'schema-registry-cluster': 'schema-registry',
      },
    },
  }));
  app.get('/v1/metadata/version', async () => ({ version: '7.6.0-samsa', commitId: 'samsa' }));
}
