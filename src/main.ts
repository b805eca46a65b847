/**
 * Composition root. The device build (hal/moddable) and the host simulator both
 * call boot(); for now it loads and validates the cabinet configuration and
 * reports a one-line summary. Later issues wire the scheduler, planner,
 * sequencer, supervisor and sessions here.
 */
import type { Log } from "../hal/log";
import { builtinDocument, formatIssue, indexCabinet, validateCabinetConfig, type CabinetConfig } from "./config/index";

export interface BootOptions {
  log: Log;
  /** A configuration document, or the name of a built-in one. Default "ring-12x2". */
  config?: unknown;
}

export interface BootResult {
  config: CabinetConfig | null;
  summary: string;
}

export function summarizeCabinet(config: CabinetConfig): string {
  const index = indexCabinet(config);
  const kinds = ["GC", "MC", "MN", "MX"]
    .map((k) => [k, index.contactors.filter((c) => c.kind === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(", ");
  return `cabinet ${config.chargerId}: ${config.topology}, ${config.guns.length} guns, ` +
    `${index.modules.length} x ${config.modulePowerKW} kW modules, contactors ${kinds}, ` +
    `grid limit ${config.siteLimits.gridPowerLimitKW} kW`;
}

export function boot(options: BootOptions): BootResult {
  const source = options.config ?? "ring-12x2";
  const document = typeof source === "string" ? builtinDocument(source) : source;
  if (document === undefined) {
    const summary = `config: no built-in configuration named ${JSON.stringify(source)}`;
    options.log.write("error", summary);
    return { config: null, summary };
  }
  const result = validateCabinetConfig(document);
  if (!result.ok) {
    for (const issue of result.issues) options.log.write("error", `config: ${formatIssue(issue)}`);
    const summary = `config rejected: ${result.issues.length} problem(s); nothing applied`;
    options.log.write("error", summary);
    return { config: null, summary };
  }
  const summary = summarizeCabinet(result.config);
  options.log.write("info", summary);
  return { config: result.config, summary };
}
