/**
 * npm run validate -- <file.json | built-in name> [...]
 * Prints `ok` for each valid config, or every problem with its JSON path; exits 0 or 1.
 */
import { readFileSync } from "fs";
import { builtinDocument, formatIssue, validateCabinetConfig } from "../src/config";

function load(arg: string): { document?: unknown; error?: string } {
  const builtin = builtinDocument(arg);
  if (builtin) return { document: builtin };
  let text: string;
  try {
    text = readFileSync(arg, "utf8");
  } catch (e) {
    return { error: `${arg}: cannot read: ${(e as Error).message}` };
  }
  try {
    return { document: JSON.parse(text) };
  } catch (e) {
    return { error: `${arg}: not valid JSON: ${(e as Error).message}` };
  }
}

function main(args: string[]): number {
  if (args.length === 0) {
    console.error("usage: npm run validate -- <config.json | ring-12x2 | matrix-9x6> [...]");
    return 2;
  }
  let failed = false;
  for (const arg of args) {
    const loaded = load(arg);
    const prefix = args.length > 1 ? `${arg}: ` : "";
    if (loaded.error) {
      console.log(loaded.error);
      failed = true;
      continue;
    }
    const result = validateCabinetConfig(loaded.document);
    if (result.ok) {
      console.log(`${prefix}ok`);
    } else {
      failed = true;
      console.log(`${prefix}${result.issues.length} problem${result.issues.length === 1 ? "" : "s"}:`);
      for (const issue of result.issues) console.log(`  ${formatIssue(issue)}`);
    }
  }
  return failed ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
