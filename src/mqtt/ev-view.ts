/**
 * How an MQTT gun input reads as an EV request, in the same terms as the CAN
 * EvLink status (hal/ev-link.ts), so the controller can feed the gun session
 * from either source the same way. Pure.
 */
import type { GunMqttInput } from "./types";

export interface MqttEvView {
  plugged: boolean;
  ready: boolean;
  paused: boolean;
  stopRequested: boolean;
  fault: boolean;
  /** Power the vehicle asks for now; 0 when paused, stopping, faulted or stale. */
  requestKW: number;
  socPct: number | null;
}

export function evViewOf(input: GunMqttInput): MqttEvView {
  const demandKW = input.demandValid && input.demandKW !== null ? input.demandKW : 0;
  let plugged: boolean;
  let ready: boolean;
  let paused = false;
  let stopRequested = false;
  let fault = false;
  switch (input.vehicleStatus) {
    case "disconnected": plugged = false; ready = false; break;
    case "connected": plugged = true; ready = false; break;
    case "ready":
    case "charging": plugged = true; ready = true; break;
    case "suspended": plugged = true; ready = true; paused = true; break;
    case "finished": plugged = true; ready = false; stopRequested = true; break;
    case "fault": plugged = true; ready = false; stopRequested = true; fault = true; break;
    default:
      // No fresh status: a fresh positive demand implies a vehicle that wants power
      // (seed 002 devices may publish demand only); otherwise nothing is there.
      plugged = demandKW > 0;
      ready = demandKW > 0;
  }
  const requestKW = plugged && ready && !paused && !stopRequested ? demandKW : 0;
  return { plugged, ready, paused, stopRequested, fault, requestKW, socPct: input.socPct };
}
