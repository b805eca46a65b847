/**
 * The one thing the OCPP station needs from a network: a WebSocket client that speaks
 * a negotiated subprotocol. Two implementations: host-sim/ocpp/ws-transport.ts (Node `ws`,
 * TLS for security profile 2) and hal/moddable/ocpp-websocket.ts (ECMA-419 client).
 */

export interface ConnectRequest {
  /** Full endpoint URL including the station id as last path segment. */
  url: string;
  /** Subprotocols offered, e.g. ["ocpp2.0.1"]. */
  protocols: string[];
  /** Security profile 1/2: HTTP Basic auth with user = station id. */
  basicAuth?: { username: string; password: string };
}

export interface TransportEvents {
  /** The socket is open; `protocol` is what the server selected ("" when none). */
  onOpen(protocol: string): void;
  onMessage(text: string): void;
  /** Closed or failed to connect; called at most once per connect(). */
  onClose(reason: string): void;
}

export interface OcppTransport {
  /** Starts one connection attempt; events arrive later (never synchronously inside connect). */
  connect(request: ConnectRequest, events: TransportEvents): void;
  /** Sends one text frame; false when not open. */
  send(text: string): boolean;
  /** Closes the current connection (onClose follows). */
  close(): void;
}
