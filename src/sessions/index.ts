export { SessionManager, type SessionObservation } from "./session-manager";
export { GunSession, defaultReservationAccepts, evRequestKW, evVoltageOf } from "./gun-session";
export type {
  CommandResult,
  EvsePauseReason,
  FaultSeverity,
  GunInput,
  GunSessionView,
  GunState,
  PowerPathReport,
  ReservationInfo,
  SessionEvent,
  SessionEventType,
  SessionHooks,
  SessionInfo,
  SessionListener,
  SessionManagerOptions,
  StopReason,
} from "./types";
