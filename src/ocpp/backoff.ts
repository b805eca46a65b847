/**
 * Reconnect back-off (2.0.1 B10, 1.6 security whitepaper): the first wait is
 * RetryBackOffWaitMinimum plus a random part of RetryBackOffRandomRange; each further
 * failure doubles the wait, RetryBackOffRepeatTimes times, then it stays there.
 */
export interface BackoffSettings {
  waitMinimumS: number;
  randomRangeS: number;
  repeatTimes: number;
}

/** attempt = number of consecutive failed connection attempts so far (1 after the first failure). */
export function reconnectDelayMs(attempt: number, s: BackoffSettings, random01: () => number): number {
  const doublings = Math.max(0, Math.min(attempt - 1, s.repeatTimes));
  const r = Math.min(Math.max(random01(), 0), 1);
  return Math.round((s.waitMinimumS * Math.pow(2, doublings) + r * s.randomRangeS) * 1000);
}
