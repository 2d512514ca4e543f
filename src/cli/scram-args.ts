/**
 * What the `users` commands share: the `--mechanism` flag (SCRAM-SHA-256 or SCRAM-SHA-512, both
 * when not given for destroy) and reading a new password from `--password` or stdin.
 */
import { text } from 'node:stream/consumers';
import { SCRAM_MECHANISMS, type ScramMechanismName } from '../client/scram-users.ts';
import { UsageError } from './args.ts';

const NAMES = Object.keys(SCRAM_MECHANISMS) as ScramMechanismName[];

export function mechanismFrom(value: string | undefined): ScramMechanismName | undefined {
  if (value === undefined) return undefined;
  const name = value.toUpperCase() as ScramMechanismName;
  if (!NAMES.includes(name))
    throw new UsageError(`unknown mechanism "${value}" (one of ${NAMES.join(', ')})`);
  return name;
}

export const ALL_MECHANISMS: readonly ScramMechanismName[] = NAMES;

/** The new password: `--password`, else the first line of stdin (`echo secret | samsa users:create`). */
export async function passwordFrom(flag: string | undefined): Promise<string> {
  if (flag !== undefined) {
    if (flag === '') throw new UsageError('--password cannot be empty');
    return flag;
  }
  if (process.stdin.isTTY)
    throw new UsageError('give the password on stdin (echo "$PASSWORD" | samsa ...) or with --password');
  const line = (await text(process.stdin)).split(/\r?\n/)[0] ?? '';
  if (line === '') throw new UsageError('no password on stdin');
  return line;
}
