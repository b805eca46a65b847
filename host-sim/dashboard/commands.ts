/**
 * Operator commands from the dashboard, applied to the simulated cabinet. Each is
 * validated like a scenario event (the same field checks and messages) and answered
 * with ok or an error naming the field and value; none can throw into the loop.
 * Fault injection exists here only: the device build has no such commands.
 */
import type { PlantFaultKind } from "../plant/plant";
import { validateScenarioEvent, formatScenarioIssue } from "../scenario/validate";
import type { SimCabinet } from "../sim-cabinet";
import type { DashboardCommandResult } from "./server";

export class DashboardCommands {
  /** Open injected faults by kind and target, so "clear" can find them. */
  private readonly injected = new Map<string, number[]>();

  constructor(private readonly cabinet: SimCabinet) {}

  apply(body: unknown): DashboardCommandResult {
    try {
      return this.applyUnsafe(body);
    } catch (error) {
      return { ok: false, error: `command: ${(error as Error).message}` };
    }
  }

  private applyUnsafe(body: unknown): DashboardCommandResult {
    if (body === null || typeof body !== "object" || Array.isArray(body)) return { ok: false, error: `command: must be an object, got ${JSON.stringify(body)}` };
    const command = body as Record<string, unknown>;
    const { plant } = this.cabinet.sim;
    if (command.type === "clearFault") {
      const key = faultKey(command.kind, command.target);
      const handles = this.injected.get(key);
      if (!handles || handles.length === 0) return { ok: false, error: `clearFault: no injected ${String(command.kind)} fault on ${JSON.stringify(command.target ?? null)} to clear` };
      for (const h of handles) plant.clearFault(h);
      this.injected.delete(key);
      return { ok: true };
    }
    if (command.type === "resetFaults") {
      this.cabinet.controller.resetFaults();
      return { ok: true };
    }
    const normalized = normalize(command);
    const issues = validateScenarioEvent(normalized, this.cabinet.controller.config);
    if (issues.length > 0) return { ok: false, error: issues.map(formatScenarioIssue).join("; ") };
    switch (command.type) {
      case "plug":
        plant.plug(command.gun as number, command.ev as Parameters<typeof plant.plug>[1]);
        return { ok: true };
      case "unplug":
        plant.unplug(command.gun as number);
        return { ok: true };
      case "stop":
        if (command.by === "ev") plant.evStop(command.gun as number);
        else {
          const result = this.cabinet.controller.remoteStop(command.gun as number);
          if (!result.ok) return { ok: false, error: `stop: ${result.error}` };
        }
        return { ok: true };
      case "fault": {
        const target = (normalized.target ?? null) as string | number | null;
        const handle = plant.injectFault(normalized.kind as PlantFaultKind, target);
        const key = faultKey(command.kind, target);
        this.injected.set(key, [...(this.injected.get(key) ?? []), handle]);
        return { ok: true };
      }
      case "gridLimit":
        return this.cabinet.controller.setGridLimit(command.kW as number);
      case "externalLimit":
        return this.cabinet.controller.setGunLimit(command.gun as number, "operator", command.kW as number | null);
      case "priority":
        return this.cabinet.controller.setPriority(command.gun as number, command.value as number);
      default:
        return { ok: false, error: `type: unknown command ${JSON.stringify(command.type)}` };
    }
  }
}

/** Gun-targeted faults take a gun number; the page sends text. */
function normalize(command: Record<string, unknown>): Record<string, unknown> {
  if (command.type === "fault" && typeof command.target === "string" && /^\d+$/.test(command.target)) {
    return { ...command, target: Number(command.target) };
  }
  if (command.type === "fault" && (command.kind === "estop" || command.kind === "door") && command.target === "") {
    const { target: _unused, ...rest } = command;
    void _unused;
    return rest;
  }
  return command;
}

function faultKey(kind: unknown, target: unknown): string {
  const t = typeof target === "string" && /^\d+$/.test(target) ? Number(target) : target === "" ? null : target ?? null;
  return `${String(kind)}@${JSON.stringify(t)}`;
}
