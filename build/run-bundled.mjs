/**
 * node build/run-bundled.mjs <entry.ts> [args...]
 * Runs a TypeScript entry point as one esbuild bundle (about 0.3 s to build) instead of
 * through ts-node, which compiles each module on load (about 2 s for the simulator) and
 * leaves every cross-module call behind a CommonJS property load. Used by `npm run sim`,
 * where the run itself is the point; stack traces map back to the .ts sources.
 */
import { build } from "esbuild";
import { createRequire } from "module";
import * as fs from "fs";
import * as path from "path";

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node build/run-bundled.mjs <entry.ts> [args...]");
  process.exit(2);
}
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const outDir = path.join(root, "node_modules", ".cache", "run-bundled");
fs.mkdirSync(outDir, { recursive: true });
const outFile = path.join(outDir, path.basename(entry).replace(/\.ts$/, "") + `-${process.pid}.cjs`);
await build({
  entryPoints: [path.resolve(entry)],
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  packages: "external",
  sourcemap: "inline",
  logLevel: "warning",
  outfile: outFile,
});
process.setSourceMapsEnabled(true);
process.argv = [process.argv[0], path.resolve(entry), ...args];
try {
  createRequire(import.meta.url)(outFile);
} finally {
  fs.rmSync(outFile, { force: true });
}
