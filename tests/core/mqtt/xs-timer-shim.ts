// fast-check reads `setTimeout` when its module is evaluated (for time limits we do
// not use). XS has no timers: give it inert stand-ins so the bundle loads there.
// Import this before fast-check. Node already has timers; nothing changes there.
const g = globalThis as Record<string, unknown>;
if (typeof g.setTimeout !== "function") {
  g.setTimeout = () => {
    throw new Error("setTimeout is not available in XS tests");
  };
  g.clearTimeout = () => {};
}
export {};
