/** Segment file naming: the base offset zero-padded to 20 digits, Kafka's layout. */
import path from 'node:path';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';

export function segmentFileStem(baseOffset: number): string {
  return String(baseOffset).padStart(20, '0');
}

export function segmentPath(dir: string, baseOffset: number, suffix: string): string {
  return path.join(dir, segmentFileStem(baseOffset) + suffix);
}

/** The base offset of a `.log` file name, or null for any other file. */
export function parseLogFileName(name: string): number | null {
  const m = /^(\d{20})\.log$/.exec(name);
  return m?.[1] === undefined ? null : Number(m[1]);
}

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}
