/**
 * `node bench/streams/task-path-ab.ts ROOT_A ROOT_B [slices]`: the stateless task path of
 * task-path.ts for two checkouts in one process, interleaved (5 rounds of 8,000 records of A, then
 * of B, order alternating per slice, 40 slices by default), so both see the same host load. Prints
 * the CPU µs per record of each (overall and median of the slices) and in how many slices B was
 * the cheaper. Run it both ways (A,B and B,A) and an A/A pair as the noise control.
 */
import { resolve } from 'node:path';
import { taskPath } from './task-path-setup.ts';

const roots = process.argv.slice(2, 4).map((r) => resolve(r));
const slices = Number(process.argv[4] ?? 40);
const runs = [await taskPath(roots[0]!), await taskPath(roots[1]!)];
for (const r of runs) r(20);
const cpu = [0, 0];
const recs = [0, 0];
const per: number[][] = [[], []];
for (let s = 0; s < slices; s++) {
  for (const i of s % 2 === 0 ? [0, 1] : [1, 0]) {
    const c0 = process.cpuUsage();
    const n = runs[i]!(5);
    const c = process.cpuUsage(c0);
    cpu[i]! += c.user + c.system;
    recs[i]! += n;
    per[i]!.push((c.user + c.system) / n);
  }
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
let wins = 0;
for (let s = 0; s < slices; s++) if (per[1]![s]! < per[0]![s]!) wins++;
console.log(
  JSON.stringify({
    A: roots[0],
    B: roots[1],
    usA: +(cpu[0]! / recs[0]!).toFixed(3),
    usB: +(cpu[1]! / recs[1]!).toFixed(3),
    medA: +med(per[0]!).toFixed(3),
    medB: +med(per[1]!).toFixed(3),
    BfasterSlices: `${wins}/${slices}`,
  }),
);
