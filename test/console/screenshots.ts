/**
 * Where the console's browser tests save their screenshots: `docs/console/`, the pictures
 * docs/console.md shows (issue 17 asks the tests to keep them current), or the folder named by
 * `SAMSA_SCREENSHOTS_DIR` (e.g. a temporary one, to leave a checkout untouched).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const SHOTS = process.env.SAMSA_SCREENSHOTS_DIR ?? join(import.meta.dirname, '../../docs/console');
mkdirSync(SHOTS, { recursive: true });
