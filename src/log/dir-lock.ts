/**
 * The exclusive lock on a data directory: `<dataDir>/.lock`, locked for as long as the LogManager is
 * open, as Kafka keeps a locked `.lock` file in each log directory. A second broker on the same
 * directory is refused with a message naming the directory and the holder.
 *
 * The lock is the kernel's (an open-file-description fcntl lock on Linux, flock on macOS,
 * LockFileEx on Windows), taken through fs-native-extensions, since Node has no file locking of its
 * own. The kernel drops it when the holder's process ends, however it ends (kill -9 included), so
 * there is never a stale lock to detect or clean up, and no guessing from pids that may have been
 * reused. It is also exclusive within one process: two LogManagers on one directory conflict too.
 * The file's content (pid, host, start time) only serves to name the holder in that message.
 *
 * Not implemented: on a platform without a prebuilt binary the directory is opened unlocked with a
 * warning.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { LogLogger } from './logger.ts';

export const LOCK_FILE = '.lock';

interface NativeLocks {
  tryLock(fd: number): boolean;
  unlock(fd: number): void;
}

let native: NativeLocks | Error | undefined;

function nativeLocks(): NativeLocks | Error {
  if (native === undefined) {
    try {
      native = createRequire(import.meta.url)('fs-native-extensions') as NativeLocks;
    } catch (err) {
      native = err as Error;
    }
  }
  return native;
}

/** Another process (or another LogManager in this one) holds the directory. */
export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
  readonly dir: string;
  /** What the holder wrote into the lock file (pid, host, start time), or null if nothing yet. */
  readonly holder: string | null;

  constructor(dir: string, holder: string | null) {
    super(
      `data directory ${dir} is in use by another Samsa broker (${holder ?? 'holder unknown'}); ` +
        'stop that broker first, or give this one another --data-dir',
    );
    this.dir = dir;
    this.holder = holder;
  }
}

export class DataDirLock {
  readonly file: string;
  private fd: number;

  private constructor(file: string, fd: number) {
    this.file = file;
    this.fd = fd;
  }

  /** Locks `dataDir` (creating it), or throws DataDirLockedError naming the holder. */
  static acquire(dataDir: string, logger?: LogLogger): DataDirLock {
    fs.mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, LOCK_FILE);
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    const locks = nativeLocks();
    if (locks instanceof Error) {
      logger?.warn(
        { dataDir, err: locks },
        'no file locking on this platform; the data directory is not locked',
      );
      return new DataDirLock(file, fd);
    }
    let locked: boolean;
    try {
      locked = locks.tryLock(fd);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    if (!locked) {
      const holder = describeHolder(fd);
      fs.closeSync(fd);
      throw new DataDirLockedError(dataDir, holder);
    }
    try {
      const text = `pid ${process.pid} on host ${os.hostname()}, started ${new Date().toISOString()}\n`;
      fs.ftruncateSync(fd, 0);
      fs.writeSync(fd, text, 0);
    } catch {
      // A full disk: the lock holds all the same, only the holder cannot be named.
    }
    return new DataDirLock(file, fd);
  }

  /** Unlocks and closes the file (which stays, as Kafka's does). */
  release(): void {
    if (this.fd < 0) return;
    const locks = nativeLocks();
    if (!(locks instanceof Error)) locks.unlock(this.fd);
    fs.closeSync(this.fd);
    this.fd = -1;
  }
}

function describeHolder(fd: number): string | null {
  const buf = Buffer.alloc(512);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  const text = buf.toString('utf8', 0, n).trim();
  return text === '' ? null : text;
}
