/**
 * Property tests run with a fixed seed so that a suite run is reproducible (CI must not
 * flake); set FC_SEED to explore other seeds locally (a failure prints its seed and path).
 * Loaded by mocha (.mocharc.json) and by the XS and mcsim bundles.
 */
import fc from "fast-check";

const fromEnv = typeof process !== "undefined" && process.env ? Number(process.env.FC_SEED) : NaN;
fc.configureGlobal({ seed: Number.isInteger(fromEnv) ? fromEnv : 20261121 });
