/**
 * HTTP status sets as users write them in `retry.on.status.codes`: codes and ranges separated by
 * commas, a range open at the top when its end is left out (`408,429,500-` = 408, 429 and 500-599).
 */

export type StatusRanges = readonly (readonly [number, number])[];

export function parseStatusRanges(text: string): StatusRanges {
  const ranges: [number, number][] = [];
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const match = /^(\d{3})(?:\s*-\s*(\d{3})?)?$/.exec(item);
    if (!match) throw new Error(`"${item}" is not a status code or range (e.g. 429, 500-599, 500-)`);
    const low = Number(match[1]);
    const open = item.includes('-');
    const high = match[2] !== undefined ? Number(match[2]) : open ? 599 : low;
    if (low < 100 || high > 599 || low > high) throw new Error(`"${item}" is not a range of HTTP statuses`);
    ranges.push([low, high]);
  }
  return ranges;
}

export function statusIn(ranges: StatusRanges, status: number): boolean {
  for (const [low, high] of ranges) if (status >= low && status <= high) return true;
  return false;
}
