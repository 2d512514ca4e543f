/**
 * The cluster id: generated once (22-char URL-safe base64 of 16 random bytes, like Kafka's) and
 * kept in `<dataDir>/meta.properties` with the node id, so clients see the same cluster across
 * restarts. A data dir written by another node id is refused.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config.ts';

export function loadOrCreateClusterId(dataDir: string, nodeId: number): string {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'meta.properties');
  if (existsSync(path)) {
    const props = Object.fromEntries(
      readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.includes('=') && !l.startsWith('#'))
        .map((l) => [l.slice(0, l.indexOf('=')).trim(), l.slice(l.indexOf('=') + 1).trim()]),
    );
    if (props['node.id'] !== undefined && Number(props['node.id']) !== nodeId)
      throw new ConfigError(`${dataDir} belongs to node ${props['node.id']}, not node ${nodeId}`);
    if (props['cluster.id']) return props['cluster.id'];
  }
  const clusterId = randomBytes(16).toString('base64url');
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `# Samsa broker metadata\nversion=1\ncluster.id=${clusterId}\nnode.id=${nodeId}\n`);
  renameSync(tmp, path);
  return clusterId;
}
