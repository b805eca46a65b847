/**
 * fast-check captures `setTimeout`/`clearTimeout` when it loads; XS has no timers,
 * so the XS tier needs these names to exist. Import this module BEFORE fast-check.
 * They are never called by our (synchronous, time-limit-free) properties; if they
 * were, the error says why.
 */
const g = globalThis as Record<string, unknown>;
if (typeof g.setTimeout !== "function") {
  g.setTimeout = () => {
    throw new Error("setTimeout is not available in XS: property tests must not use time limits");
  };
}
if (typeof g.clearTimeout !== "function") g.clearTimeout = () => {};
export {};
