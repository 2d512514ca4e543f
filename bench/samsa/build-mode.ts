/**
 * Which code `bin/samsa.js` will run: the compiled dist/ when its build stamp is newer than every
 * file in src/ (the same test the launcher makes), else the TypeScript sources (slower start, more
 * memory). Reported beside the startup and RSS figures.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function brokerBuildMode():
  | 'compiled dist/'
  | 'TypeScript sources (dist/ missing or stale: npm run build)' {
  const stamp = join(ROOT, 'dist/.build-stamp');
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newest(join(ROOT, 'src'))) return 'compiled dist/';
  return 'TypeScript sources (dist/ missing or stale: npm run build)';
}
