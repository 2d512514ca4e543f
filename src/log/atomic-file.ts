/**
 * Crash-safe small-file replacement: write `<path>.tmp`, fsync it, rename over `path`, fsync the
 * directory. A reader sees the old or the new content, never a torn mix.
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

export function writeFileAtomicSync(file: string, data: string | Buffer): void {
  const tmp = file + TMP_SUFFIX;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDirSync(path.dirname(file));
}

/** Removes `path` and fsyncs its directory so the removal survives a crash. */
export function unlinkDurableSync(file: string): void {
  fs.rmSync(file, { force: true });
  fsyncDirSync(path.dirname(file));
}
