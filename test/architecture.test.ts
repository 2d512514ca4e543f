/**
 * Module dependency direction (docs/ARCHITECTURE): protocol ← log ← coordinator ← broker. Storage
 * and coordination never reach up into the broker; the protocol layer depends on nothing of ours.
 * Only `testing`, `index.ts` and `samsa start` may wire the broker. (The platform-side rule — CLI and
 * client code speak only Kafka — is in test/cli/boundaries.test.ts.)
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = resolve(import.meta.dirname, '../src');

/** Which top-level modules each module may import from. */
const ALLOWED: Record<string, readonly string[]> = {
  protocol: ['protocol'],
  log: ['protocol', 'log'],
  coordinator: ['protocol', 'log', 'coordinator'],
  broker: ['protocol', 'log', 'coordinator', 'metrics', 'broker'],
  metrics: ['metrics'],
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

test('modules import only in the allowed direction', () => {
  const offenders: string[] = [];
  for (const [module, allowed] of Object.entries(ALLOWED)) {
    for (const file of files(join(SRC, module))) {
      const source = readFileSync(file, 'utf8');
      for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
        if (!specifier!.startsWith('.')) continue;
        const target = relative(SRC, resolve(dirname(file), specifier!));
        const top = target.split('/')[0]!;
        if (target.startsWith('..') || !allowed.includes(top))
          offenders.push(`${relative(SRC, file)} → ${target}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});
