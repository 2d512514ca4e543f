#!/usr/bin/env node
// The `samsa` command. Runs the compiled dist/ when it is up to date with src/ (faster start, less
// memory), else the TypeScript sources directly (type stripping, Node 22.18+ / 24).
import { existsSync, readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// Samsa needs Node 22.18+ (24 LTS recommended). Say so, and what to run, before anything fails
// obscurely on an older Node (on 20: "The "original" argument must be of type function").
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `samsa needs Node.js 22.18 or newer; this is Node.js ${process.versions.node} (${process.execPath}).\n` +
      'In a checkout of Samsa, run it as "npx samsa ..." or "npm start": they use the Node 24 that "npm install" puts in node_modules.\n' +
      'Elsewhere, install Node.js 24 LTS (https://nodejs.org) and run samsa with it.',
  );
  process.exit(1);
}

// `samsa start` runs the broker with a bounded young generation. Left alone, V8 grows new space to
// 128 MB under heavy load; when load then drops, scavenges become rare, short-lived ArrayBuffers
// pile up and force a full Mark-Compact every ~1.6 s, whose 2-8 ms pauses made the end-to-end p99
// at 10k records/s 7-9 ms instead of 0.7 ms (docs/benchmarks.md). V8 reads the limit only at boot,
// so the process re-executes itself in place (same pid, one Node boot: ~40-170 ms) unless a limit
// was given. v8.setFlagsFromString('--max-semi-space-size=8') here would not do: the heap is already
// set up, and new space still grew to 128 MiB under load (measured; docs/benchmarks.md).
// `samsa connect` does the same with 16 MB. 4 MB once kept an idle worker 145 -> 127 MB, but since the
// worker's memory-reducing GC after start (below) an idle worker is the same size either way (87.2-88.2
// MB with 4, 87.2-87.9 with 16), while a CDC snapshot's poll batches (2,048 records) outlived 4 MB
// semi-spaces and were promoted: worker CPU per snapshot row 17.9-18.9 -> 12.5-16.4 µs, 53-56k ->
// 56-73k rows/s (docs/benchmarks.md, "The Connect worker's young generation").
//
// Both also account external memory in V8's global limit. They move megabytes through short-lived
// Buffers (socket reads, request frames, record batches) while their JS heap grows slowly, and V8 by
// default answers every ~64 MB of such external memory with a full Mark-Compact of the whole heap,
// though nearly all of it is young and a scavenge would free it: the broker ran 75 Mark-Compacts
// (10-40 ms each) for a 1.1 GB CDC snapshot. With the flag, scavenges free those Buffers: broker CPU
// per snapshot row -45%, worker -18% (docs/benchmarks.md, "CDC snapshot"). V8 12 (Node 22) lacks the
// flag (Node would refuse to start with it), so it is given only from V8 13 (Node 24) on;
// `--no-external-memory-accounted-in-global-limit` keeps V8's default.
//
// The re-executed process also gets glibc malloc settings (unless the environment sets any of them
// or glibc.malloc tunables already). Both move data as Buffers of up to a MiB (a 512 KiB Produce request per
// ~140 CDC records, record batches, request frames), freed by the next scavenge. glibc's default
// trims the top of the heap back to the kernel once 2× its mmap threshold (~1 MiB after the first
// large free) is free there, so each new large Buffer took fresh pages: faulted in and zeroed by the
// kernel, 190-260 µs for 512 KiB instead of ~25 µs (measured). Keeping up to 64 MiB of free heap and
// serving allocations up to 4 MiB from it: CDC snapshot CPU per row, docs/benchmarks.md ("Sixth run").
// `samsa connect` also keeps every thread's allocations in one arena: glibc gives each thread that
// allocates (V8's compiler and GC threads, libuv's pool) an arena of its own, 1-1.6 MB each in an
// idle worker; with one, its idle RSS was 4 MB lower for the same CDC snapshot CPU per row
// (docs/benchmarks.md, "Connect worker memory, second pass").
const MALLOC_ENV = {
  MALLOC_MMAP_THRESHOLD_: String(4 * 1024 * 1024),
  MALLOC_TRIM_THRESHOLD_: String(64 * 1024 * 1024),
  ...(process.argv[2] === 'connect' ? { MALLOC_ARENA_MAX: '1' } : {}),
};
const mallocEnv =
  process.env.MALLOC_MMAP_THRESHOLD_ !== undefined ||
  process.env.MALLOC_TRIM_THRESHOLD_ !== undefined ||
  process.env.MALLOC_ARENA_MAX !== undefined ||
  (process.env.GLIBC_TUNABLES ?? '').includes('glibc.malloc.')
    ? {}
    : MALLOC_ENV;
// `samsa connect` also gets `gc()`: once the worker has started it runs one memory-reducing full
// GC (src/cli/commands/connect.ts), which returns the startup's garbage to the OS. V8's own memory
// reducer never does it for an idle worker: its consumers' empty fetches allocate ~0.5 MB/s, which
// V8 takes for a busy process (docs/benchmarks.md, "Connect worker memory, second pass").
const EXTRA_FLAGS = { connect: ['--expose-gc'] };
const YOUNG_GENERATION_FLAG = '--max-semi-space-size';
const SEMI_SPACE_MB = { start: 8, connect: 16 };
const semiSpaceMb = SEMI_SPACE_MB[process.argv[2]];
const EXTERNAL_MEMORY_FLAG = 'external-memory-accounted-in-global-limit';
const externalMemoryFlag =
  semiSpaceMb !== undefined &&
  Number(process.versions.v8.split('.')[0]) >= 13 &&
  !process.execArgv.some((a) => a.includes(EXTERNAL_MEMORY_FLAG)) &&
  !(process.env.NODE_OPTIONS ?? '').includes(EXTERNAL_MEMORY_FLAG);
if (
  semiSpaceMb !== undefined &&
  typeof process.execve === 'function' &&
  process.platform !== 'win32' &&
  !process.execArgv.some((a) => a.startsWith(YOUNG_GENERATION_FLAG)) &&
  !(process.env.NODE_OPTIONS ?? '').includes(YOUNG_GENERATION_FLAG)
) {
  process.execve(
    process.execPath,
    [
      process.execPath,
      `${YOUNG_GENERATION_FLAG}=${semiSpaceMb}`,
      ...(externalMemoryFlag ? [`--${EXTERNAL_MEMORY_FLAG}`] : []),
      ...(EXTRA_FLAGS[process.argv[2]] ?? []),
      ...process.execArgv,
      ...process.argv.slice(1),
    ],
    { ...process.env, ...mallocEnv },
  );
}

// Not re-executed (a young-generation limit was given): unlike the heap's size, this flag also
// takes effect when set at run time.
if (externalMemoryFlag) v8.setFlagsFromString(`--${EXTERNAL_MEMORY_FLAG}`);

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
// Not for `samsa connect`, a long-running process: with the cache its idle RSS was 4 MB higher, for
// ~100 ms less CPU at start (docs/benchmarks.md, "Connect worker memory, second pass").
if (process.argv[2] !== 'connect') module.enableCompileCache?.();
const useDist = distIsCurrent();
const { main } = await import(useDist ? '../dist/cli/main.js' : '../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
