/** Sends a JSON body with exactly the given media type (fastify would add `; charset=utf-8`). */
import type { FastifyReply } from 'fastify';

export function sendJson(reply: FastifyReply, type: string, body: unknown): void {
  reply.header('content-type', type).send(Buffer.from(JSON.stringify(body)));
}
