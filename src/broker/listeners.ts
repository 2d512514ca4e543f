/**
 * Listener specs in Kafka's form: `PLAINTEXT://127.0.0.1:9092,SASL_SSL://127.0.0.1:9094`. Each
 * listener's security protocol decides TLS (SSL, SASL_SSL) and whether clients must authenticate
 * with SASL (SASL_PLAINTEXT, SASL_SSL) before anything but ApiVersions and the SASL requests.
 */
export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
const PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

export interface ListenerSpec {
  protocol: SecurityProtocol;
  host: string;
  port: number;
}

export function usesTls(p: SecurityProtocol): boolean {
  return p === 'SSL' || p === 'SASL_SSL';
}

export function usesSasl(p: SecurityProtocol): boolean {
  return p === 'SASL_PLAINTEXT' || p === 'SASL_SSL';
}

/** Parses a listener list; throws an Error whose message names the bad entry. */
export function parseListeners(spec: string): ListenerSpec[] {
  const out: ListenerSpec[] = [];
  for (const raw of spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const m = /^([A-Z_]+):\/\/(\[[^\]]+\]|[^:]*):(\d+)$/.exec(raw);
    if (!m) throw new Error(`listener "${raw}" must look like PROTOCOL://host:port`);
    const protocol = m[1] as SecurityProtocol;
    if (!PROTOCOLS.includes(protocol))
      throw new Error(`listener "${raw}": protocol must be one of ${PROTOCOLS.join(', ')}`);
    const port = Number(m[3]);
    if (port > 65535) throw new Error(`listener "${raw}": port out of range`);
    out.push({ protocol, host: m[2]!.replace(/^\[|\]$/g, '') || '127.0.0.1', port });
  }
  if (out.length === 0) throw new Error('no listener given');
  const ports = out.filter((l) => l.port !== 0).map((l) => `${l.host}:${l.port}`);
  if (new Set(ports).size !== ports.length) throw new Error('two listeners use the same host:port');
  return out;
}
