#!/usr/bin/env node
// `npm test`: every tier in turn (DESIGN.md §6), one summary line each, and a
// total line `total: N passed, N failed`. Exits non-zero if any tier fails.
import { spawnSync } from "node:child_process";

const tiers = [
  { name: "typecheck", cmd: ["npm", "run", "-s", "typecheck"], count: () => ({ passed: 1, failed: 0 }) },
  { name: "node", cmd: ["npx", "mocha", "--reporter", "dot"], count: mochaCounts },
  { name: "xs", cmd: ["node", "build/xs-test.mjs"], count: (out) => summaryCounts(out, "xs") },
  { name: "moddable", cmd: ["bash", "build/moddable-test.sh"], count: (out) => summaryCounts(out, "moddable") },
];

function mochaCounts(out) {
  const passed = Number(/(\d+) passing/.exec(out)?.[1] ?? 0);
  const failed = Number(/(\d+) failing/.exec(out)?.[1] ?? 0);
  const skipped = Number(/(\d+) pending/.exec(out)?.[1] ?? 0);
  return { passed, failed, skipped };
}

function summaryCounts(out, name) {
  const m = new RegExp(`^${name}: (\\d+) passed, (\\d+) failed`, "m").exec(out);
  if (m) return { passed: Number(m[1]), failed: Number(m[2]) };
  if (new RegExp(`^${name}: skipped`, "m").test(out)) return { passed: 0, failed: 0, skippedTier: true };
  return { passed: 0, failed: 1 };
}

const only = process.argv.slice(2);
const lines = [];
let totalPassed = 0;
let totalFailed = 0;
let anyFailed = false;
for (const tier of tiers) {
  if (only.length && !only.includes(tier.name)) continue;
  const started = Date.now();
  const run = spawnSync(tier.cmd[0], tier.cmd.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } });
  const out = (run.stdout ?? "") + (run.stderr ?? "");
  process.stdout.write(out.split("\n").filter((l) => !/Unknown user config "nodedir"/.test(l)).join("\n"));
  const c = tier.count(out);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const failedTier = run.status !== 0 || c.failed > 0;
  if (failedTier) anyFailed = true;
  totalPassed += c.passed;
  totalFailed += c.failed + (run.status !== 0 && c.failed === 0 ? 1 : 0);
  lines.push(c.skippedTier
    ? `${tier.name}: skipped (see above)`
    : `${tier.name}: ${c.passed} passed, ${c.failed}${run.status !== 0 && c.failed === 0 ? " (+exit " + run.status + ")" : ""} failed${c.skipped ? `, ${c.skipped} skipped` : ""} in ${seconds} s`);
}
console.log("\n" + lines.join("\n"));
console.log(`total: ${totalPassed} passed, ${totalFailed} failed`);
process.exitCode = anyFailed ? 1 : 0;
