/** Plain HTTP to the proxy (undici, as curl would send it) and topic setup for the proxy tests. */
import { Admin, type SASLOptions } from '@platformatic/kafka';
import { request } from 'undici';

export interface HttpResult {
  status: number;
  type: string | undefined;
  text: string;
  json: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export async function http(
  base: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  o: { body?: unknown; type?: string; accept?: string; auth?: string } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (o.type !== undefined) headers['content-type'] = o.type;
  if (o.accept !== undefined) headers.accept = o.accept;
  if (o.auth !== undefined) headers.authorization = `Basic ${Buffer.from(o.auth).toString('base64')}`;
  const body =
    o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  const res = await request(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: res.statusCode,
    type: res.headers['content-type'] as string | undefined,
    text,
    json,
    headers: res.headers,
  };
}

export async function createTopics(
  bootstrap: string,
  topics: string[],
  partitions: number,
  sasl?: SASLOptions,
): Promise<void> {
  const admin = new Admin({
    clientId: 'proxy-test',
    bootstrapBrokers: [bootstrap],
    ...(sasl ? { sasl } : {}),
  });
  try {
    await admin.createTopics({ topics, partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
}

export const V2 = 'application/vnd.kafka.v2+json';
export const JSON_V2 = 'application/vnd.kafka.json.v2+json';
export const BINARY_V2 = 'application/vnd.kafka.binary.v2+json';
