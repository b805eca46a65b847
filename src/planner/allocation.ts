/** What a topology search (ring islands or matrix assignment) hands back to plan(). */
import type { ContactorPosition } from "./types";
import type { ActiveGun } from "./context";
import type { ModuleCandidate } from "./modules";

export interface GunAllocation {
  active: ActiveGun;
  /** min(clamped request, what its island / modules can deliver). */
  capKW: number;
  budgetKW: number;
  /** Usable modules the gun can reach (its island, or the matrix links left to it). */
  candidates: ModuleCandidate[];
  powersDesc: number[];
  /** min(policy max, reachable modules). */
  maxCount: number;
  /** Fewest modules for the budget (before hold / hysteresis). */
  moduleCount: number;
  /** Matrix: the modules assigned (module count is its length). Ring: null (chosen later). */
  assigned: ModuleCandidate[] | null;
  /** Ring island slot ids, clockwise. Empty when not energized or matrix. */
  islandSlots: number[];
  /** Why the gun cannot be energized at all, or null. */
  deadReason: string | null;
  /** Ring: the gun served instead of this one in the region a welded MC joins them into. */
  weldedPartner?: number;
}

export interface Allocation {
  guns: GunAllocation[];
  totalKW: number;
  /** Positions the islands require (ring: boundaries open, inner closed). */
  requiredPositions: Map<string, ContactorPosition>;
  /**
   * Ring: the same positions by slot id (of the slot whose MC it is), for plan() to read
   * without building the Map. Absent: read requiredPositions.
   */
  requiredBySlotId?: (ContactorPosition | undefined)[];
}
