/**
 * Forwards a write that reached a follower to the primary (as Confluent's instances do): same
 * method, path, query and JSON body; the primary's status, content type and body go back to the
 * client unchanged. No primary known: 50004; the primary unreachable: 50003. A header marks
 * forwarded requests so a primary that just lost its role answers 50004 instead of forwarding on.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { request as httpRequest } from 'undici';
import { Errors } from '../errors.ts';

export const FORWARDED_HEADER = 'x-samsa-registry-forwarded';

export async function forwardToLeader(
  leaderUrl: string | null,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  if (leaderUrl === null || request.headers[FORWARDED_HEADER] !== undefined) throw Errors.unknownLeader();
  const url = new URL(request.url, leaderUrl);
  let response: Awaited<ReturnType<typeof httpRequest>>;
  try {
    response = await httpRequest(url, {
      method: request.method as 'POST' | 'PUT' | 'DELETE',
      headers: {
        'content-type': 'application/vnd.schemaregistry.v1+json',
        accept: request.headers.accept ?? 'application/vnd.schemaregistry.v1+json',
        [FORWARDED_HEADER]: '1',
      },
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
  } catch (err) {
    throw Errors.forwardingFailed(
      `Error while forwarding the request to the leader: ${(err as Error).message}`,
    );
  }
  const body = await response.body.text();
  const type = response.headers['content-type'];
  if (typeof type === 'string') void reply.type(type);
  await reply.code(response.statusCode).send(body);
}
