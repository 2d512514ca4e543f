/**
 * What one small append costs the kernel: 4.6 KB writes round-robin into 1,000 files (the
 * 1,000-partition row's batch size) against 64 KiB appends to one file, optionally into files
 * pre-extended with ftruncate (as Kafka's log.preallocate). Prints microseconds per write.
 * Usage: node bench/small-writes.ts [append|prealloc ...]   (default: append prealloc)
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const FILES = 1000;
const SMALL = 4600;
const SMALL_WRITES = 60_000;
const LARGE = 64 * 1024;
const LARGE_WRITES = 5_000;

function microsPerWrite(fd: (i: number) => number, buf: Buffer, writes: number, files: number): number {
  const pos = new Array<number>(files).fill(0);
  const t0 = process.hrtime.bigint();
  for (let w = 0; w < writes; w++) {
    const i = w % files;
    fs.writeSync(fd(i), buf, 0, buf.length, pos[i]);
    pos[i]! += buf.length;
  }
  return Number(process.hrtime.bigint() - t0) / 1000 / writes;
}

const modes = process.argv.slice(2);
for (const mode of modes.length > 0 ? modes : ['append', 'prealloc']) {
  const dir = fs.mkdtempSync(path.join(tmpdir(), 'samsa-small-writes-'));
  try {
    const fds = Array.from({ length: FILES }, (_, i) => {
      const fd = fs.openSync(path.join(dir, `${i}.log`), 'w+');
      if (mode === 'prealloc') fs.ftruncateSync(fd, 4 << 20);
      return fd;
    });
    const small = microsPerWrite((i) => fds[i]!, Buffer.alloc(SMALL, 7), SMALL_WRITES, FILES);
    const one = fs.openSync(path.join(dir, 'single.log'), 'w+');
    const large = microsPerWrite(() => one, Buffer.alloc(LARGE, 1), LARGE_WRITES, 1);
    for (const fd of [...fds, one]) fs.closeSync(fd);
    console.log(
      `${mode}: ${small.toFixed(2)} us per ${SMALL} B write into ${FILES} files; ${large.toFixed(1)} us per 64 KiB append to one file`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
