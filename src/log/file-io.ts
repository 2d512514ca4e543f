/** Positional read/write loops over a raw fd (the syscalls may move fewer bytes than asked). */
import fs from 'node:fs';
import { allocateRead, type ReadAllocator } from './read-buffers.ts';

/** Reads up to `length` bytes at `position` into `buf[0..]`; returns how many were read (less at EOF). */
export function readFully(fd: number, buf: Buffer, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** Reads exactly the file range, or fewer bytes at EOF, into a buffer from `allocate` (default: new). */
export function readRange(
  fd: number,
  position: number,
  length: number,
  allocate: ReadAllocator = allocateRead,
): Buffer {
  const buf = allocate(length);
  const n = readFully(fd, buf, length, position);
  return n === length ? buf : buf.subarray(0, n);
}

/** Writes all of `buf` at `position` (normally a single pwrite). */
export function writeFully(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done, position + done);
}
