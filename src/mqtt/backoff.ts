/** Reconnect delay after `failures` consecutive failed attempts (0 = first retry): doubling, capped. */
export function reconnectDelayMs(failures: number, minMs: number, maxMs: number): number {
  const exponent = Math.min(Math.max(0, Math.floor(failures)), 30);
  return Math.min(maxMs, minMs * Math.pow(2, exponent));
}
