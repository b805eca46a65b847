#!/usr/bin/env node
// XS tier (DESIGN.md §6): runs the platform-free core tests (tests/core/**/*.test.ts)
// again inside a real XS engine and prints `xs: N passed, N failed`.
// Usage: node build/xs-test.mjs [test files...] [--quiet]
import * as fs from "node:fs";
import * as path from "node:path";
import { bundleForXs, repoRoot } from "./xs/bundle.mjs";
import { startXsWorker } from "./xs/worker.mjs";

function findTests(dir) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(full));
    else if (entry.name.endsWith(".test.ts")) out.push(full);
  }
  return out.sort();
}

export async function runXsTests(files, { quiet = false } = {}) {
  const seed = path.join(repoRoot, "tests", "support", "fast-check-seed.ts");
  const imports = [seed, ...files].map((f) => `import ${JSON.stringify(path.resolve(f))};`).join("\n");
  let script;
  try {
    script = await bundleForXs({ contents: imports });
  } catch (error) {
    const text = error.errors ? error.errors.map((e) => e.text).join("\n") : String(error);
    return { passed: 0, failed: 1, skipped: 0, failures: [{ title: "bundle", error: text }] };
  }
  const results = { passed: 0, failed: 0, skipped: 0, failures: [] };
  let done = false;
  const worker = await startXsWorker({
    onMessage(message) {
      if (message.kind === "result") {
        results[message.status] += 1;
        if (message.status === "failed") {
          results.failures.push(message);
          if (!quiet) console.log(`  xs FAIL ${message.title}\n      ${message.error}`);
        }
      } else if (message.kind === "done") {
        done = true;
      } else if (message.kind === "fatal") {
        results.failed += 1;
        results.failures.push({ title: "harness", error: message.error });
        done = true;
      }
    },
  });
  try {
    await worker.evaluate(script);
    await worker.evaluate("globalThis.__runXsTests()");
  } catch (error) {
    results.failed += 1;
    results.failures.push({ title: "xs engine", error: String(error.message ?? error) });
    done = true;
  } finally {
    await worker.close().catch(() => {});
  }
  if (!done) {
    results.failed += 1;
    results.failures.push({ title: "harness", error: "tests did not finish (a test awaits something XS never resolves)" });
  }
  return results;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const args = process.argv.slice(2);
  const quiet = args.includes("--quiet");
  const files = args.filter((a) => !a.startsWith("--"));
  const tests = files.length ? files : findTests(path.join(repoRoot, "tests", "core"));
  runXsTests(tests, { quiet }).then((r) => {
    for (const f of r.failures) {
      if (quiet || !("status" in f)) console.log(`  xs FAIL ${f.title}\n      ${f.error}`);
    }
    console.log(`xs: ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ""}`);
    process.exitCode = r.failed > 0 || r.passed === 0 ? 1 : 0;
  });
}
