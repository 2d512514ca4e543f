/**
 * Crash-safe small-file replacement: write `<path>.tmp`, fsync it, rename over `path`, fsync the
 * directory. A reader sees the old or the new content, never a torn mix. With `sync: false` the
 * fsyncs are skipped (still atomic for a process crash; for files that can be redone after a power
 * failure).
 */
import fs from 'node:fs';
import path from 'node:path';

export const TMP_SUFFIX = '.tmp';

export function fsyncDirSync(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function writeFileAtomicSync(
  file: string,
  data: string | Buffer,
  opts: { sync?: boolean } = {},
): void {
  const sync = opts.sync ?? true;
  const tmp = file + TMP_SUFFIX;
  try {
    const fd = fs.openSync(tmp, 'w', 0o644);
    try {
      fs.writeFileSync(fd, data);
      if (sync) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    // A full disk: the old file stays as it was, and no partial temporary file is left behind.
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  if (sync) fsyncDirSync(path.dirname(file));
}

/** Removes `path` and fsyncs its directory so the removal survives a crash. */
export function unlinkDurableSync(file: string): void {
  fs.rmSync(file, { force: true });
  fsyncDirSync(path.dirname(file));
}
