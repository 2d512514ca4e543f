/** Persisted log start offset of a partition (advanced by DeleteRecords and retention). */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from './atomic-file.ts';

export const LOG_START_CHECKPOINT = 'log-start-offset.checkpoint';

export function readLogStartCheckpoint(dir: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, LOG_START_CHECKPOINT), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const n = Number(text.trim());
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

export function writeLogStartCheckpoint(dir: string, offset: number): void {
  writeFileAtomicSync(path.join(dir, LOG_START_CHECKPOINT), `${offset}\n`);
}
