/**
 * Confirmation for destructive commands: `--confirm NAME` must repeat the name; without it, a
 * terminal user is asked to type it, and a script is refused.
 */
import { createInterface } from 'node:readline/promises';
import { UsageError } from './args.ts';

export async function confirmName(name: string, given: string | undefined, what: string): Promise<boolean> {
  if (given !== undefined) {
    if (given !== name) throw new UsageError(`--confirm ${given} does not match the ${what} name ${name}`);
    return true;
  }
  if (!process.stdin.isTTY || !process.stderr.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`This deletes ${what} ${name} for good. Type its name to confirm: `);
    return answer.trim() === name;
  } finally {
    rl.close();
  }
}
