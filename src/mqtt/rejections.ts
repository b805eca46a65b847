/** Why an inbound message was not applied. Each has its own counter. */
export type RejectionReason =
  | "topic" // not <prefix>/<gun>/<type>/<device>, or a malformed gun id level
  | "unknownType" // third level is not soc, demand or status
  | "unknownDevice" // fourth level is not a configured device
  | "unknownGun" // (device, topic gun) has no cabinet gun
  | "payloadSize" // empty or larger than maxPayloadBytes
  | "payloadEncoding" // not printable ASCII
  | "payloadFormat" // not a number / status word / the expected JSON object
  | "outOfRange" // a number outside its range, or an unknown status word
  | "retained" // a retained (replayed, possibly stale) message is not a live request
  | "internal"; // a bug caught at the boundary: counted, never thrown into the loop

export const REJECTION_REASONS: readonly RejectionReason[] = [
  "topic", "unknownType", "unknownDevice", "unknownGun", "payloadSize", "payloadEncoding", "payloadFormat", "outOfRange", "retained", "internal",
];

export interface Rejection {
  reason: RejectionReason;
  /** Human-readable: names the field and the value. */
  detail: string;
}

export type RejectionCounts = Record<RejectionReason, number>;

export function emptyRejectionCounts(): RejectionCounts {
  return { topic: 0, unknownType: 0, unknownDevice: 0, unknownGun: 0, payloadSize: 0, payloadEncoding: 0, payloadFormat: 0, outOfRange: 0, retained: 0, internal: 0 };
}

export function totalRejections(counts: RejectionCounts): number {
  let total = 0;
  for (const reason of REJECTION_REASONS) total += counts[reason];
  return total;
}

/** Printable, bounded rendering of untrusted text for log lines. */
export function quoteForLog(text: string, maxChars = 48): string {
  let out = "";
  for (let i = 0; i < text.length && out.length < maxChars; i++) {
    const c = text.charCodeAt(i);
    out += c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c ? text[i] : `\\x${(c & 0xff).toString(16).padStart(2, "0")}`;
  }
  return `"${out}${text.length > maxChars ? "..." : ""}"`;
}
