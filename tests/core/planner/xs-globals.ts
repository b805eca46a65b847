/**
 * fast-check reads `setTimeout` when its module loads (for time-limited runs we never use).
 * XS has no timers, so give it inert ones. Imported first by every planner test file.
 */
const g = globalThis as Record<string, unknown>;
if (typeof g.setTimeout !== "function") {
  g.setTimeout = () => 0;
  g.clearTimeout = () => undefined;
}
export {};
