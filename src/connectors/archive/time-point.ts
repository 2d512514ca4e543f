/** A point in time as users write it in configs and flags: an ISO date/time or epoch milliseconds. */
export function parseTimePoint(text: string): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const ms = Date.parse(t);
  if (Number.isNaN(ms))
    throw new Error(
      `"${text}" is not a time (use an ISO date such as 2026-03-01T12:00:00Z, or epoch milliseconds)`,
    );
  return ms;
}
