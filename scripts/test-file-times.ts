/**
 * Per-file times of the test suite (docs/testing.md). Two uses:
 *
 * - Preloaded into the test runner (which passes `--import` on to the process it starts per test
 *   file), it makes each test file's process append one JSON line to $SUITE_TIMES when it exits:
 *   the file, its wall time from process start, its CPU time and that of the child processes it
 *   waited for (Linux), and the 1-minute load average:
 *     SUITE_TIMES=times.jsonl node --import ./scripts/test-file-times.ts --test ...   (docs/testing.md)
 *   (Not through NODE_OPTIONS: processes the tests start on an older Node would fail to load it.)
 * - Run directly, it prints the slowest files of such a log:
 *     node scripts/test-file-times.ts times.jsonl [count]
 *
 * Wall times of files that ran side by side (--test-concurrency) overlap, and on a shared machine
 * they grow with the load: compare files by rank, or by CPU time.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

interface FileTime {
  file: string;
  wallMs: number;
  cpuMs: number;
  childCpuMs: number | null;
  load1: number;
  exitCode: number;
}

/** CPU of the children this process waited for (cutime + cstime of /proc/self/stat), Linux only. */
function childCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3, cutime and cstime are fields 16 and 17 (in ticks).
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return null;
  }
}

function record(out: string): void {
  const file = process.argv.find((a) => a.endsWith('.test.ts'));
  if (!file) return;
  process.on('exit', (exitCode) => {
    const cpu = process.cpuUsage();
    const line: FileTime = {
      file: file.replace(`${process.cwd()}/`, ''),
      wallMs: Math.round(performance.now()),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      childCpuMs: childCpuMs(),
      load1: Number(loadavg()[0]!.toFixed(2)),
      exitCode,
    };
    appendFileSync(out, `${JSON.stringify(line)}\n`);
  });
}

function report(path: string, count: number): void {
  const rows = readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as FileTime)
    .sort((a, b) => b.wallMs - a.wallMs);
  const s = (ms: number | null): string => (ms === null ? '-' : (ms / 1000).toFixed(1)).padStart(7);
  console.log(`${'wall s'.padStart(7)} ${'cpu s'.padStart(7)} ${'child s'.padStart(7)}  load  file`);
  for (const r of rows.slice(0, count)) {
    console.log(
      `${s(r.wallMs)} ${s(r.cpuMs)} ${s(r.childCpuMs)} ${r.load1.toFixed(1).padStart(5)}  ${r.file}${r.exitCode ? ` (exit ${r.exitCode})` : ''}`,
    );
  }
  const total = (key: 'wallMs' | 'cpuMs' | 'childCpuMs'): number =>
    rows.reduce((n, r) => n + (r[key] ?? 0), 0);
  console.log(
    `${rows.length} files: wall ${s(total('wallMs'))} s summed, cpu ${s(total('cpuMs'))} s, children ${s(total('childCpuMs'))} s`,
  );
}

if (import.meta.main) {
  const [path, count] = process.argv.slice(2);
  if (!path) {
    console.error('usage: node scripts/test-file-times.ts TIMES.jsonl [count]');
    process.exitCode = 2;
  } else report(path, Number(count ?? 30));
} else if (process.env.SUITE_TIMES && process.env.NODE_TEST_CONTEXT === 'child-v8') {
  record(process.env.SUITE_TIMES);
}
