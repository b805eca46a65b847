/** True inside the XS test tier (no Node `process`): property tests run fewer cases there. */
export const inXs = typeof (globalThis as { process?: unknown }).process === "undefined";
