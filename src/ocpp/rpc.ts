/**
 * The OCPP-J RPC layer: message ids, one outstanding CALL at a time (OCPP-J §4.1.1),
 * call timeouts checked on tick(nowMs), CALLERROR handling both ways. No timers:
 * time comes in through tick() and the nowMs arguments.
 */
import {
  encodeCall, encodeError, encodeResult, errorCodeFor, OcppError, parseFrame,
  type JsonObject, type OcppVersion,
} from "./framing";

export type CallOutcome =
  | { ok: true; payload: JsonObject }
  | { ok: false; reason: "error"; code: string; description: string }
  | { ok: false; reason: "timeout" | "disconnected" };

/** What an incoming CALL handler returns: the CALLRESULT payload and work to do after replying. */
export interface HandlerReply {
  payload: JsonObject;
  after?: () => void;
}

export type CallHandler = (action: string, payload: JsonObject) => HandlerReply;

interface PendingCall {
  id: string;
  action: string;
  payload: JsonObject;
  done: (outcome: CallOutcome) => void;
  deadlineMs: number;
}

export interface RpcOptions {
  version: OcppVersion;
  send(text: string): boolean;
  handler: CallHandler;
  callTimeoutMs: number;
  /** Prefix that keeps ids unique across restarts (e.g. a boot counter). */
  idPrefix: string;
  /** Diagnostics for frames that could not be answered. */
  onProblem?(message: string): void;
}

export class RpcEndpoint {
  private readonly options: RpcOptions;
  private nextId = 1;
  private inFlight: PendingCall | null = null;
  private readonly waiting: PendingCall[] = [];
  callTimeoutMs: number;

  constructor(options: RpcOptions) {
    this.options = options;
    this.callTimeoutMs = options.callTimeoutMs;
  }

  get busy(): boolean {
    return this.inFlight !== null || this.waiting.length > 0;
  }

  /** Queues a CALL; it goes out when the previous one is answered. */
  call(action: string, payload: JsonObject, nowMs: number, done: (outcome: CallOutcome) => void): void {
    const id = `${this.options.idPrefix}${this.nextId++}`;
    this.waiting.push({ id, action, payload, done, deadlineMs: 0 });
    this.pump(nowMs);
  }

  private pump(nowMs: number): void {
    while (this.inFlight === null && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      next.deadlineMs = nowMs + this.callTimeoutMs;
      this.inFlight = next;
      if (!this.options.send(encodeCall(next.id, next.action, next.payload))) {
        this.inFlight = null;
        next.done({ ok: false, reason: "disconnected" });
      }
    }
  }

  tick(nowMs: number): void {
    const current = this.inFlight;
    if (current && nowMs >= current.deadlineMs) {
      this.inFlight = null;
      current.done({ ok: false, reason: "timeout" });
    }
    this.pump(nowMs);
  }

  /** The connection is gone: every pending call fails, in order. */
  disconnected(): void {
    const failed = [...(this.inFlight ? [this.inFlight] : []), ...this.waiting];
    this.inFlight = null;
    this.waiting.length = 0;
    for (const call of failed) call.done({ ok: false, reason: "disconnected" });
  }

  receive(text: string, nowMs: number): void {
    const parsed = parseFrame(text);
    if (!parsed.ok) {
      if (parsed.replyable && parsed.id !== null) {
        this.options.send(encodeError(parsed.id, errorCodeFor(parsed.error.kind, this.options.version), parsed.error.message));
      } else {
        this.options.onProblem?.(`dropped frame: ${parsed.error.message}`);
      }
      return;
    }
    const frame = parsed.frame;
    if (frame.type === 2) {
      let reply: HandlerReply;
      try {
        reply = this.options.handler(frame.action, frame.payload);
      } catch (error) {
        const e = error instanceof OcppError ? error : new OcppError("InternalError", String((error as Error)?.message ?? error));
        this.options.send(encodeError(frame.id, errorCodeFor(e.kind, this.options.version), e.message, e.details));
        return;
      }
      this.options.send(encodeResult(frame.id, reply.payload));
      if (reply.after) {
        try { reply.after(); } catch (error) { this.options.onProblem?.(`after ${frame.action}: ${String(error)}`); }
      }
      return;
    }
    const current = this.inFlight;
    if (!current || current.id !== frame.id) {
      this.options.onProblem?.(`response to unknown message id ${JSON.stringify(frame.id)}`);
      return;
    }
    this.inFlight = null;
    if (frame.type === 3) current.done({ ok: true, payload: frame.payload });
    else current.done({ ok: false, reason: "error", code: frame.code, description: frame.description });
    this.pump(nowMs);
  }
}
