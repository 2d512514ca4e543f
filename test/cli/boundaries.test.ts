/**
 * The platform only talks Kafka: the CLI's platform commands, src/client, the schema registry, the
 * emitter, the HTTP proxy and src/streams never import the broker, its storage, the coordinator or
 * the broker's protocol codec (only `samsa start` wires the broker). One exception:
 * `samsa log:verify`, an offline tool that reads a data directory's files through src/log.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const FORBIDDEN = ['broker', 'log', 'coordinator', 'protocol'].map((m) => join(SRC, m));
const ALLOWED_TO_WIRE = new Set(['cli/main.ts', 'cli/commands/start.ts', 'cli/commands/log-verify.ts']);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

test('src/cli, src/client, src/registry, src/emit, src/proxy and src/streams import no broker internals', () => {
  const offenders: string[] = [];
  for (const file of ['cli', 'client', 'registry', 'emit', 'proxy', 'streams'].flatMap((m) =>
    files(join(SRC, m)),
  )) {
    const name = relative(SRC, file);
    if (ALLOWED_TO_WIRE.has(name)) continue;
    const source = readFileSync(file, 'utf8');
    for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
      if (!specifier!.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier!);
      if (FORBIDDEN.some((f) => target === f || target.startsWith(`${f}/`)))
        offenders.push(`${name} → ${specifier}`);
    }
  }
  assert.deepEqual(offenders, []);
});
