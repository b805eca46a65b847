/**
 * A CAN controller as the firmware sees it, whatever the transport (MCP2515 over
 * SPI, an SLCAN adapter over a serial line, a native controller later).
 *
 * Receive is polled: the control loop drains `receive()` on its own schedule, so a
 * burst of frames can never run code inside an interrupt or a driver callback.
 */

export interface CanFrame {
  /** 11-bit (standard) or 29-bit (extended) identifier. */
  id: number;
  extended: boolean;
  /** 0..8 bytes. */
  data: Uint8Array;
  /** Remote transmission request (no data, `data.length` is the requested DLC). */
  remote?: boolean;
}

/** Acceptance filter: a frame passes when (frame.id & mask) === (id & mask) and the id kinds match. */
export interface CanFilter {
  id: number;
  mask: number;
  extended: boolean;
}

export interface CanErrorCounters {
  /** Transmit / receive error counters (ISO 11898: error passive at 128, bus-off at TEC > 255). */
  txErrors: number;
  rxErrors: number;
  errorPassive: boolean;
  busOff: boolean;
  /** Frames lost because the receive buffers were full. */
  rxOverflows: number;
  /** Frames or transport lines that could not be parsed and were dropped. */
  badFrames: number;
  /** Times the bus recovered from bus-off. */
  busOffRecoveries: number;
}

export type CanBitrate = 125000 | 250000 | 500000 | 1000000;

export interface CanBus {
  /** Queue a frame. False when no transmit buffer is free or the controller is bus-off. */
  send(frame: CanFrame): boolean;
  /** Next received frame that passed the filters, or undefined. Never throws. */
  receive(): CanFrame | undefined;
  /** Replace the acceptance filters; an empty list accepts every frame. */
  setFilters(filters: readonly CanFilter[]): void;
  errors(): CanErrorCounters;
  /** Leave bus-off (controllers re-join after 128 x 11 recessive bits). */
  recoverBusOff(): void;
  close(): void;
}

/** True when the frame passes the filter list (empty list = accept all). */
export function canFilterAccepts(filters: readonly CanFilter[], frame: CanFrame): boolean {
  if (filters.length === 0) return true;
  for (const f of filters) {
    if (f.extended !== frame.extended) continue;
    if (((frame.id ^ f.id) & f.mask) >>> 0 === 0) return true;
  }
  return false;
}

/** Largest identifier of a kind. */
export function canMaxId(extended: boolean): number {
  return extended ? 0x1fffffff : 0x7ff;
}

/** Why a frame is not a valid CAN frame, or null when it is. */
export function canFrameProblem(frame: CanFrame): string | null {
  if (!Number.isInteger(frame.id) || frame.id < 0 || frame.id > canMaxId(frame.extended)) {
    return `id ${frame.id} out of range for ${frame.extended ? "29" : "11"}-bit frame`;
  }
  if (frame.data.length > 8) return `data length ${frame.data.length} > 8`;
  return null;
}

export function emptyCanErrors(): CanErrorCounters {
  return { txErrors: 0, rxErrors: 0, errorPassive: false, busOff: false, rxOverflows: 0, badFrames: 0, busOffRecoveries: 0 };
}
