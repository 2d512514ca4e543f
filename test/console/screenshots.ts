/**
 * Where the console's browser tests put their screenshots: `docs/console/` (the pictures the
 * docs show) when `SAMSA_SCREENSHOTS=1`, otherwise a temporary folder, so that a test run leaves the
 * checkout as it found it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SHOTS =
  process.env.SAMSA_SCREENSHOTS === '1'
    ? join(import.meta.dirname, '../../docs/console')
    : mkdtempSync(join(tmpdir(), 'samsa-console-shots-'));
