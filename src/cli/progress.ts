/**
 * A progress line on stderr for long writes: a bar when the input size is known (a file piped in),
 * otherwise a running count with a rate. Only drawn on a terminal; redrawn at most 10 times a second.
 */
export interface Progress {
  update(records: number, bytes: number): void;
  finish(): void;
}

const WIDTH = 30;

export function progressLine(
  records: number,
  bytes: number,
  total: number | undefined,
  elapsedMs: number,
): string {
  const rate = elapsedMs > 0 ? Math.round((records * 1000) / elapsedMs) : 0;
  const counts = `${records} records, ${rate}/s`;
  if (total === undefined || total <= 0) return counts;
  const fraction = Math.min(1, bytes / total);
  const filled = Math.round(fraction * WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${Math.floor(fraction * 100)}% ${counts}`;
}

export function createProgress(stream: NodeJS.WriteStream, total: number | undefined): Progress {
  if (!stream.isTTY) return { update() {}, finish() {} };
  const started = Date.now();
  let last = 0;
  let drawn = false;
  let state = { records: 0, bytes: 0 };
  const draw = (): void => {
    stream.write(`\r${progressLine(state.records, state.bytes, total, Date.now() - started)}\x1b[K`);
    drawn = true;
  };
  return {
    update(records, bytes) {
      state = { records, bytes };
      const now = Date.now();
      if (now - last >= 100) {
        last = now;
        draw();
      }
    },
    finish() {
      if (drawn) {
        draw();
        stream.write('\n');
      }
    },
  };
}
