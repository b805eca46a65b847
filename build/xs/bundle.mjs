// Bundles TypeScript entry files for the XS tier with esbuild: one classic script,
// no Node built-ins, `assert` served by our strict-assert shim.
import { build } from "esbuild";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, "..", "..");

const nodeBuiltins = /^(node:)?(fs|path|os|child_process|net|http|https|crypto|events|stream|util|url|worker_threads|zlib|tty|readline|dgram|dns|cluster|vm|perf_hooks|process|buffer|timers)(\/.*)?$/;

/** esbuild plugin: fail the bundle if platform-free code reaches for a Node built-in. */
const forbidNodeBuiltins = {
  name: "forbid-node-builtins",
  setup(b) {
    b.onResolve({ filter: nodeBuiltins }, (args) => ({
      errors: [{ text: `${args.path} is a Node built-in: core code and core tests must not import it (imported by ${path.relative(repoRoot, args.importer)})` }],
    }));
  },
};

/**
 * @param {{ contents: string, resolveDir?: string, harness?: boolean, format?: "iife" | "esm" }} entry
 * @returns {Promise<string>} the bundled script
 */
export async function bundleForXs({ contents, resolveDir = repoRoot, harness = true, format = "iife" }) {
  const prelude = harness ? `import ${JSON.stringify(path.join(here, "harness.ts"))};\n` : "";
  const result = await build({
    stdin: { contents: prelude + contents, resolveDir, sourcefile: "xs-entry.ts", loader: "ts" },
    bundle: true,
    write: false,
    format,
    platform: "neutral",
    target: "es2022",
    mainFields: ["module", "main"],
    conditions: ["import", "default"],
    alias: { assert: path.join(here, "assert.ts"), "assert/strict": path.join(here, "assert.ts") },
    plugins: [forbidNodeBuiltins],
    logLevel: "silent",
    tsconfigRaw: { compilerOptions: { target: "es2022", useDefineForClassFields: true } },
  });
  return result.outputFiles[0].text;
}
