/** What a planner under test (ours or a baseline) produces for one snapshot, for the bench. */
export interface BenchPlan {
  /** Sum of commanded power setpoints (what the cabinet is told to deliver). */
  commandedKW: number;
  /** What the enabled modules can actually deliver of it (derated, healthy only). */
  servedKW: number;
  modulesOn: number;
  /** Largest module count given to one gun. */
  maxModulesPerGun: number;
  contactors: Record<string, "open" | "closed">;
}
