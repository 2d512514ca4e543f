/**
 * Between systems: write back dirty pages (`sync`) so one system's buffered writes do not slow the
 * next one's disk, then let the machine settle for a moment. Bounded in time.
 */
import { execFile } from 'node:child_process';
import { sleep } from './net.ts';

export async function settle(ms = 100): Promise<void> {
  await new Promise<void>((resolve) => {
    execFile('sync', { timeout: 60000 }, () => resolve());
  });
  await sleep(ms);
}
