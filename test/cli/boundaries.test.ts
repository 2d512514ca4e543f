/**
 * The platform only talks Kafka: the CLI's platform commands, src/client, src/emit and src/proxy
 * never import the broker, its storage or the coordinator (only `samsa start` wires the broker);
 * emit and proxy not the broker's protocol codec either (they speak through @platformatic/kafka).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const FORBIDDEN = ['broker', 'log', 'coordinator'].map((m) => join(SRC, m));
const FORBIDDEN_FOR_NEW = ['protocol'].map((m) => join(SRC, m));
const ALLOWED_TO_WIRE = new Set(['cli/main.ts', 'cli/commands/start.ts']);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Platform modules (folders that exist so far): they too speak only Kafka and HTTP. */
const PLATFORM = ['cli', 'client', 'emit', 'proxy'].filter((m) => existsSync(join(SRC, m)));

test('platform modules (src/cli, src/client, src/emit, src/proxy) import no broker internals', () => {
  const offenders: string[] = [];
  for (const file of PLATFORM.flatMap((m) => files(join(SRC, m)))) {
    const name = relative(SRC, file);
    if (ALLOWED_TO_WIRE.has(name)) continue;
    const source = readFileSync(file, 'utf8');
    for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
      if (!specifier!.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier!);
      const forbidden =
        name.startsWith('cli/') || name.startsWith('client/')
          ? FORBIDDEN
          : [...FORBIDDEN, ...FORBIDDEN_FOR_NEW];
      if (forbidden.some((f) => target === f || target.startsWith(`${f}/`)))
        offenders.push(`${name} → ${specifier}`);
    }
  }
  assert.deepEqual(offenders, []);
});
