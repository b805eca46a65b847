/**
 * npm run bench [-- --json] [--quick] [suite names...]
 * Runs every bench/*.bench.ts suite, prints its tables, and with --json prints one
 * JSON object on the last line: { suite: figures, ... }. Tests never assert timings;
 * this is where timing claims live (DESIGN.md §8).
 */
import * as fs from "fs";
import * as path from "path";
import type { BenchSuite, BenchTable } from "./types";

function formatTable(table: BenchTable): string {
  const cells = [table.columns, ...table.rows.map((r) => r.map((c) => (typeof c === "number" ? formatNumber(c) : c)))];
  const widths = table.columns.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? "").length)));
  const line = (r: (string | number)[]) => r.map((c, i) => String(c ?? "").padEnd(widths[i])).join("  ").trimEnd();
  return [`## ${table.title}`, line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  const abs = Math.abs(n);
  return abs >= 100 ? n.toFixed(1) : abs >= 1 ? n.toFixed(3) : n.toPrecision(3);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes("--json");
  const quick = args.includes("--quick");
  const wanted = args.filter((a) => !a.startsWith("--"));
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith(".bench.ts")).sort();
  const figures: Record<string, unknown> = {};
  for (const file of files) {
    const suite = (await import(path.join(__dirname, file))).default as BenchSuite;
    if (wanted.length && !wanted.includes(suite.name)) continue;
    const started = Date.now();
    const report = await suite.run({ quick });
    for (const table of report.tables) console.log(formatTable(table) + "\n");
    console.log(`(${suite.name}: ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    figures[suite.name] = report.figures;
  }
  if (json) console.log(JSON.stringify(figures));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
