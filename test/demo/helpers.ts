/**
 * Runs `samsa demo <scenario>` as a user would (the bin, as a child process) for a few seconds of
 * load and returns its output; the demo's data directory stays for the test to inspect.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { run } from '../helpers/run.ts';

const BIN = fileURLToPath(new URL('../../bin/samsa.js', import.meta.url));

export async function runDemo(scenario: string, args: readonly string[]): Promise<string> {
  const r = await run(process.execPath, [BIN, 'demo', scenario, ...args], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, `samsa demo ${scenario} exited with ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A number from the demo's summary (`  label   123`). */
export function summaryNumber(output: string, label: string): number {
  const summary = output.slice(output.indexOf('\nSummary of samsa demo'));
  const m = new RegExp(`\\n  ${label.replace(/[()]/g, '\\$&')}\\s+(\\d+)\\n`).exec(summary);
  assert.ok(m, `no "${label}" in the summary:\n${summary}`);
  return Number(m[1]);
}
