/**
 * Child processes a test file started are killed when the file's process exits, whatever happened:
 * a failed assertion before a `stop()` (or `--test-force-exit`) must not leave a broker running
 * after the suite.
 */
import type { ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();
let hooked = false;

export function track<C extends ChildProcess>(child: C): C {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
  return child;
}
