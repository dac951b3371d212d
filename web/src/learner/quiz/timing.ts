/**
 * The quiz countdown follows the server's deadline: the server's clock is estimated from the
 * `Date` header of its answers (offset = server time - local time), so a wrong local clock does
 * not move the deadline.
 */
export function serverOffsetMs(dateHeader: string | null, localNowMs: number): number {
  if (!dateHeader) return 0;
  const server = Date.parse(dateHeader);
  if (!Number.isFinite(server)) return 0;
  const offset = server - localNowMs;
  // The header has one-second precision: ignore differences that small.
  return Math.abs(offset) < 1500 ? 0 : offset;
}

/** Whole seconds left until `deadline` (ISO), at local time `localNowMs`, never negative. */
export function secondsLeft(deadline: string, localNowMs: number, offsetMs: number): number {
  const end = Date.parse(deadline);
  if (!Number.isFinite(end)) return 0;
  return Math.max(0, Math.ceil((end - (localNowMs + offsetMs)) / 1000));
}
