/**
 * fast-check reads `setTimeout` when its module loads; XS has no timers, so the XS
 * tier would fail before any test runs. Import this BEFORE "fast-check". The
 * stand-ins throw if called: our properties are synchronous and never use them.
 */
const g = globalThis as Record<string, unknown>;
if (typeof g.setTimeout !== "function") {
  g.setTimeout = () => {
    throw new Error("setTimeout is not available in the XS tier");
  };
  g.clearTimeout = () => undefined;
}
export {};
