/**
 * Device transport for the OCPP station over the ECMA-419 (2nd edition) WebSocket client
 * of the Moddable SDK ("embedded:network/websocket/client"). That client masks control
 * frames (the legacy "websocket" module answers pings with unmasked pongs, which common
 * servers treat as a protocol error and disconnect), answers pings itself and reports
 * control frames through onControl.
 *
 * The client class and its socket/dns devices come in through `ws` (on the SDK:
 * `device.network.ws` for ws:// and `device.network.wss` for wss://), so this file needs no
 * module the npm @moddable/typings lacks and can be type-checked in CI.
 */
import type { ConnectRequest, OcppTransport, TransportEvents } from "../../src/ocpp/transport";

/** The subset of the ECMA-419 WebSocket client this transport uses. */
export interface Ecma419WebSocketClient {
  read(count?: number): ArrayBuffer | undefined;
  write(message: ArrayBuffer, options?: { binary?: boolean; more?: boolean; opcode?: number }): number;
  close(): void;
}

export interface Ecma419WebSocketOptions {
  host: string;
  port: number;
  path: string;
  protocol: string;
  headers: Map<string, string | string[]>;
  socket?: unknown;
  dns?: unknown;
  onReadable?: (this: Ecma419WebSocketClient, count: number, options: { more: boolean; binary: boolean }) => void;
  onWritable?: (this: Ecma419WebSocketClient, count: number) => void;
  onControl?: (this: Ecma419WebSocketClient, opcode: number, data: ArrayBuffer) => void;
  onClose?: (this: Ecma419WebSocketClient) => void;
  onError?: (this: Ecma419WebSocketClient, error?: string) => void;
}

/** `device.network.ws` / `device.network.wss`: the client constructor plus its socket and dns devices. */
export interface Ecma419WebSocketDevice {
  io: new (options: Ecma419WebSocketOptions) => Ecma419WebSocketClient;
  socket?: unknown;
  dns?: unknown;
}

const CLOSE_OPCODE = 8;

export class ModdableOcppWebSocket implements OcppTransport {
  private client: Ecma419WebSocketClient | null = null;
  private open = false;
  private readonly plain: Ecma419WebSocketDevice;
  private readonly secure: Ecma419WebSocketDevice | null;

  constructor(plain: Ecma419WebSocketDevice, secure: Ecma419WebSocketDevice | null = null) {
    this.plain = plain;
    this.secure = secure;
  }

  connect(request: ConnectRequest, events: TransportEvents): void {
    this.close();
    const target = parseWsUrl(request.url);
    const device = target.secure ? this.secure : this.plain;
    let closed = false;
    const finish = (reason: string) => {
      if (closed) return;
      closed = true;
      this.open = false;
      this.client = null;
      events.onClose(reason);
    };
    if (!target.ok || !device) {
      // Report asynchronously-equivalent: the station never expects events inside connect(),
      // but a synchronous close here only schedules a reconnect, so it is safe.
      finish(target.ok ? "wss:// needs a TLS WebSocket device" : `bad url ${request.url}`);
      return;
    }
    const headers = new Map<string, string | string[]>();
    if (request.basicAuth) headers.set("Authorization", `Basic ${base64(utf8Encode(`${request.basicAuth.username}:${request.basicAuth.password}`))}`);
    const protocol = request.protocols[0] ?? "";
    let pending = "";
    const self = this;
    try {
      this.client = new device.io({
        host: target.host, port: target.port, path: target.path, protocol, headers,
        ...(device.socket !== undefined ? { socket: device.socket } : {}),
        ...(device.dns !== undefined ? { dns: device.dns } : {}),
        onWritable() {
          // The first writable callback means the handshake completed. The 419 client only
          // completes it when the server echoed the one subprotocol we asked for.
          if (!self.open && !closed) {
            self.open = true;
            events.onOpen(protocol);
          }
        },
        onReadable(count, options) {
          const data = this.read(count);
          if (!data) return;
          pending += utf8Decode(new Uint8Array(data));
          if (!options.more) {
            const text = pending;
            pending = "";
            if (!options.binary) events.onMessage(text);
          }
        },
        onControl(opcode) {
          if (opcode === CLOSE_OPCODE) finish("closed by server");
        },
        onClose() { finish("closed"); },
        onError(error) { finish(`error ${error ?? ""}`); },
      });
    } catch (error) {
      finish(`connect failed: ${String(error)}`);
    }
  }

  send(text: string): boolean {
    if (!this.client || !this.open) return false;
    try {
      const bytes = utf8Encode(text);
      this.client.write(bytes.buffer as ArrayBuffer, { binary: false });
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    const c = this.client;
    this.client = null;
    this.open = false;
    if (c) {
      try { c.close(); } catch { /* already closed */ }
    }
  }
}

export function parseWsUrl(url: string): { ok: boolean; secure: boolean; host: string; port: number; path: string } {
  const m = /^(wss?):\/\/(\[[^\]]+\]|[^/:]+)(?::(\d+))?(\/.*)?$/.exec(url);
  if (!m) return { ok: false, secure: false, host: "", port: 0, path: "" };
  const secure = m[1] === "wss";
  return { ok: true, secure, host: m[2], port: m[3] ? Number(m[3]) : secure ? 443 : 80, path: m[4] ?? "/" };
}

export function utf8Encode(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/** Decodes a complete UTF-8 message (the transport joins fragments before decoding). */
export function utf8Decode(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    let c: number;
    if (b < 0x80) { c = b; i += 1; }
    else if (b < 0xe0) { c = ((b & 31) << 6) | (bytes[i + 1] & 63); i += 2; }
    else if (b < 0xf0) { c = ((b & 15) << 12) | ((bytes[i + 1] & 63) << 6) | (bytes[i + 2] & 63); i += 3; }
    else { c = ((b & 7) << 18) | ((bytes[i + 1] & 63) << 12) | ((bytes[i + 2] & 63) << 6) | (bytes[i + 3] & 63); i += 4; }
    out += String.fromCodePoint(c);
  }
  return out;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export function base64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < bytes.length ? B64[(n >> 6) & 63] : "=") + (i + 2 < bytes.length ? B64[n & 63] : "=");
  }
  return out;
}
