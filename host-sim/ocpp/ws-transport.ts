/**
 * Host transport for the OCPP station: Node `ws` client with subprotocol negotiation,
 * HTTP Basic auth (security profile 1) and TLS (wss://, security profile 2, optional CA).
 */
import WebSocket from "ws";
import type { ConnectRequest, OcppTransport, TransportEvents } from "../../src/ocpp/transport";

export interface WsTransportOptions {
  /** PEM CA certificate(s) to trust for wss:// (profile 2 with a private CA). */
  ca?: string | Buffer;
  /** Set false only in tests against self-signed servers without a CA. */
  rejectUnauthorized?: boolean;
  handshakeTimeoutMs?: number;
}

export class WsTransport implements OcppTransport {
  private socket: WebSocket | null = null;
  private readonly options: WsTransportOptions;

  constructor(options: WsTransportOptions = {}) {
    this.options = options;
  }

  connect(request: ConnectRequest, events: TransportEvents): void {
    this.close();
    const headers: Record<string, string> = {};
    if (request.basicAuth) {
      const token = Buffer.from(`${request.basicAuth.username}:${request.basicAuth.password}`).toString("base64");
      headers.Authorization = `Basic ${token}`;
    }
    let closed = false;
    const closeOnce = (reason: string) => {
      if (closed) return;
      closed = true;
      if (this.socket === socket) this.socket = null;
      events.onClose(reason);
    };
    const socket = new WebSocket(request.url, request.protocols, {
      headers,
      handshakeTimeout: this.options.handshakeTimeoutMs ?? 10_000,
      ...(this.options.ca ? { ca: this.options.ca } : {}),
      ...(this.options.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
    });
    this.socket = socket;
    socket.on("open", () => events.onOpen(socket.protocol));
    socket.on("message", (data, isBinary) => {
      if (!isBinary) events.onMessage(data.toString());
    });
    socket.on("close", (code, reason) => closeOnce(`close ${code} ${reason.toString()}`));
    socket.on("error", (error) => {
      closeOnce(`error ${error.message}`);
      try { socket.terminate(); } catch { /* already gone */ }
    });
    socket.on("unexpected-response", (_req, res) => {
      closeOnce(`HTTP ${res.statusCode}`);
      try { socket.terminate(); } catch { /* already gone */ }
    });
  }

  send(text: string): boolean {
    const s = this.socket;
    if (!s || s.readyState !== WebSocket.OPEN) return false;
    s.send(text);
    return true;
  }

  close(): void {
    const s = this.socket;
    if (!s) return;
    if (s.readyState === WebSocket.CONNECTING) s.terminate();
    else s.close(1000);
  }
}
