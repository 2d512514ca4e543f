#!/usr/bin/env node
// The `samsa` command. Runs the compiled dist/ when it is up to date with src/ (faster start, less
// memory), else the TypeScript sources directly (type stripping, Node 22.18+ / 24).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function newestSourceMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function distIsCurrent() {
  const stamp = join(root, 'dist/.build-stamp');
  if (!existsSync(stamp)) return false;
  const src = join(root, 'src');
  return !existsSync(src) || statSync(stamp).mtimeMs >= newestSourceMtime(src);
}

const useDist = distIsCurrent();
if (!useDist) {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 18)) {
    console.error(
      `samsa needs Node.js 22.18 or newer to run from source (found ${process.versions.node}); run it through npm scripts or npx in this package, which use the bundled Node 24, or run "npm run build".`,
    );
    process.exit(1);
  }
}
const { main } = await import(useDist ? '../dist/cli/main.js' : '../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
