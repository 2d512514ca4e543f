/**
 * The Connect runtime and the connectors only talk Kafka: nothing under src/connect or
 * src/connectors imports the broker, its storage, the coordinator or the protocol codec, and a
 * connector imports only the connector API (src/connect/api) and its own folder.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function imports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)]
    .map((m) => m[1]!)
    .filter((s) => s.startsWith('.'))
    .map((s) => relative(SRC, resolve(dirname(file), s)));
}

test('src/connect and src/connectors import no broker internals', () => {
  const forbidden = ['broker/', 'log/', 'coordinator/', 'protocol/'];
  const offenders = [...files(join(SRC, 'connect')), ...files(join(SRC, 'connectors'))].flatMap((file) =>
    imports(file)
      .filter((target) => forbidden.some((f) => target.startsWith(f)))
      .map((target) => `${relative(SRC, file)} → ${target}`),
  );
  assert.deepEqual(offenders, []);
});

test('connectors use only the connector API', () => {
  const offenders = files(join(SRC, 'connectors')).flatMap((file) => {
    const own = relative(SRC, dirname(file));
    return imports(file)
      .filter(
        (target) =>
          !target.startsWith('connect/api/') &&
          !target.startsWith(`${own}/`) &&
          !target.startsWith('connectors/'),
      )
      .map((target) => `${relative(SRC, file)} → ${target}`);
  });
  assert.deepEqual(offenders, []);
});
