#!/usr/bin/env node
// The `samsa` command. Runs the compiled dist/ when it is up to date with src/ (faster start, less
// memory), else the TypeScript sources directly (type stripping, Node 22.18+ / 24).
import { existsSync, readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// `samsa start` runs the broker with a bounded young generation. Left alone, V8 grows new space to
// 128 MB under heavy load; when load then drops, scavenges become rare, short-lived ArrayBuffers
// pile up and force a full Mark-Compact every ~1.6 s, whose 2-8 ms pauses made the end-to-end p99
// at 10k records/s 7-9 ms instead of 0.7 ms (docs/benchmarks.md). V8 reads the limit only at boot,
// so the process re-executes itself in place (same pid, ~40 ms) unless a limit was given.
const YOUNG_GENERATION_FLAG = '--max-semi-space-size';
const BROKER_SEMI_SPACE_MB = 8;
if (
  process.argv[2] === 'start' &&
  typeof process.execve === 'function' &&
  process.platform !== 'win32' &&
  !process.execArgv.some((a) => a.startsWith(YOUNG_GENERATION_FLAG)) &&
  !(process.env.NODE_OPTIONS ?? '').includes(YOUNG_GENERATION_FLAG)
) {
  process.execve(
    process.execPath,
    [
      process.execPath,
      `${YOUNG_GENERATION_FLAG}=${BROKER_SEMI_SPACE_MB}`,
      ...process.execArgv,
      ...process.argv.slice(1),
    ],
    process.env,
  );
}

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

// V8's code cache on disk (os.tmpdir()/node-compile-cache): later starts skip compiling the ~400
// modules again (startup in docs/benchmarks.md). Without a writable cache dir this is a no-op.
module.enableCompileCache?.();
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
