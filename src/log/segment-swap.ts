/**
 * Crash-safe replacement of log segments by the cleaner's output.
 *
 * The cleaner writes a group's output as `<base>.log.cleaned`, `<base>.index.cleaned` and
 * `<base>.timeindex.cleaned` and fsyncs them. The commit point is the manifest `<base>.swap`
 * (written to `.swap.tmp`, fsynced, renamed, directory fsynced) naming the segments it replaces.
 * After it the swap is finished: the `.cleaned` files are renamed over `<base>.*` (indexes first,
 * the log last), the other replaced segments' files are removed, the directory is fsynced, then
 * the manifest is removed. Every step is idempotent, so recovery on open simply finishes a swap
 * whose manifest exists and deletes `.cleaned` files that have none: a kill at any point leaves
 * either the old segments or the new one. The fsyncs run off the event loop; only the renames and
 * the in-memory swap are synchronous.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fsyncDirSync, unlinkDurableSync } from './atomic-file.ts';
import { INDEX_SUFFIX, LOG_SUFFIX, segmentFileStem, segmentPath, TIME_INDEX_SUFFIX } from './file-names.ts';
import type { LogLogger } from './logger.ts';

export const CLEANED_SUFFIX = '.cleaned';
export const SWAP_SUFFIX = '.swap';

/** Where the swap stands, for crash tests that kill the process at each step. */
export type SwapStep = 'manifest-written' | 'indexes-renamed' | 'log-renamed' | 'olds-removed';

export interface SwapManifest {
  /** Base offset of the new segment (the first replaced one's). */
  base: number;
  /** Base offsets of every replaced segment, `base` included. */
  replaces: number[];
}

const SEGMENT_SUFFIXES = [INDEX_SUFFIX, TIME_INDEX_SUFFIX, LOG_SUFFIX] as const;

export interface CleanedPaths {
  log: string;
  index: string;
  timeIndex: string;
}

export function cleanedPaths(dir: string, base: number): CleanedPaths {
  return {
    log: segmentPath(dir, base, LOG_SUFFIX) + CLEANED_SUFFIX,
    index: segmentPath(dir, base, INDEX_SUFFIX) + CLEANED_SUFFIX,
    timeIndex: segmentPath(dir, base, TIME_INDEX_SUFFIX) + CLEANED_SUFFIX,
  };
}

function manifestPath(dir: string, base: number): string {
  return path.join(dir, segmentFileStem(base) + SWAP_SUFFIX);
}

/** Removes a group's `.cleaned` files (an abandoned or superseded cleaning). */
export function discardCleaned(dir: string, base: number): void {
  const p = cleanedPaths(dir, base);
  for (const file of [p.log, p.index, p.timeIndex]) fs.rmSync(file, { force: true });
}

async function fsyncDirAsync(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Commit point, off the event loop: makes the (complete, fsynced) `.cleaned` files' directory
 * entries durable, then writes the manifest atomically. From here on recovery finishes the swap.
 */
export async function commitSwap(dir: string, manifest: SwapManifest): Promise<void> {
  await fsyncDirAsync(dir);
  const file = manifestPath(dir, manifest.base);
  const tmp = `${file}.tmp`;
  const handle = await fs.promises.open(tmp, 'w', 0o644);
  try {
    await handle.writeFile(`${JSON.stringify(manifest)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(tmp, file);
  await fsyncDirAsync(dir);
}

/**
 * The synchronous middle of a committed swap (PartitionLog.replaceSegments runs it while no reader
 * can interleave): renames the `.cleaned` files into place and removes the replaced segments. No
 * fsync is needed here: until the manifest is removed, recovery redoes whatever was lost.
 */
export function installSwap(dir: string, manifest: SwapManifest, onStep?: (step: SwapStep) => void): void {
  onStep?.('manifest-written');
  renameAndRemove(dir, manifest, onStep);
}

/** Last step of a swap, off the event loop: makes the renames durable, then drops the manifest. */
export async function completeSwap(dir: string, manifest: SwapManifest): Promise<void> {
  await fsyncDirAsync(dir);
  await fs.promises.rm(manifestPath(dir, manifest.base), { force: true });
  await fsyncDirAsync(dir);
}

/** Takes back a committed swap that was not installed (the segments changed meanwhile). */
export function abortSwap(dir: string, manifest: SwapManifest): void {
  unlinkDurableSync(manifestPath(dir, manifest.base));
  discardCleaned(dir, manifest.base);
}

function renameIfPresent(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Idempotent: `.cleaned` files over the final names (indexes first, the log last), olds removed. */
function renameAndRemove(dir: string, manifest: SwapManifest, onStep?: (step: SwapStep) => void): void {
  for (const suffix of SEGMENT_SUFFIXES) {
    if (suffix === LOG_SUFFIX) onStep?.('indexes-renamed');
    const target = segmentPath(dir, manifest.base, suffix);
    renameIfPresent(target + CLEANED_SUFFIX, target);
  }
  onStep?.('log-renamed');
  for (const base of manifest.replaces) {
    if (base === manifest.base) continue;
    for (const suffix of SEGMENT_SUFFIXES) fs.rmSync(segmentPath(dir, base, suffix), { force: true });
  }
  onStep?.('olds-removed');
}

/** Recovery's version of the whole second half, durable before the manifest goes. */
function finishSwap(dir: string, manifest: SwapManifest): void {
  renameAndRemove(dir, manifest);
  fsyncDirSync(dir);
  unlinkDurableSync(manifestPath(dir, manifest.base));
}

function parseManifest(text: string): SwapManifest | null {
  try {
    const m = JSON.parse(text) as Partial<SwapManifest>;
    if (
      Number.isSafeInteger(m.base) &&
      Array.isArray(m.replaces) &&
      m.replaces.every((b) => Number.isSafeInteger(b)) &&
      m.replaces.includes(m.base as number)
    ) {
      return { base: m.base as number, replaces: m.replaces };
    }
  } catch {
    // fall through
  }
  return null;
}

/**
 * On open, before segments are listed: finishes every committed swap and deletes cleaner output
 * that was never committed. Returns how many swaps were completed.
 */
export function recoverSwaps(dir: string, logger: LogLogger): number {
  let completed = 0;
  const names = fs.readdirSync(dir);
  for (const name of names) {
    if (!name.endsWith(SWAP_SUFFIX)) continue;
    const file = path.join(dir, name);
    const manifest = parseManifest(fs.readFileSync(file, 'utf8'));
    if (manifest === null) {
      // The manifest is written atomically, so this is not ours; keep it out of the way.
      logger.warn({ file }, 'unreadable segment swap manifest ignored');
      fs.renameSync(file, `${file}.bad`);
      continue;
    }
    finishSwap(dir, manifest);
    completed++;
    logger.info(
      { dir, base: manifest.base, replaced: manifest.replaces },
      'completed interrupted segment swap',
    );
  }
  let discarded = 0;
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith(CLEANED_SUFFIX)) continue;
    fs.rmSync(path.join(dir, name), { force: true });
    discarded++;
  }
  if (discarded > 0) logger.info({ dir, files: discarded }, 'discarded uncommitted cleaner output');
  return completed;
}
