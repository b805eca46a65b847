// A minimal client for the xsnap worker: a real XS engine that @agoric/xsnap builds
// from Moddable's sources at install time. We speak its netstring protocol directly
// (evaluate, and answer the worker's synchronous issueCommand queries) instead of
// using the package's JS API, which needs the SES/endo runtime in the Node process.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as fs from "node:fs";

const require = createRequire(import.meta.url);
const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function xsnapBinary() {
  const pkg = path.dirname(require.resolve("@agoric/xsnap/package.json"));
  for (const flavour of ["release", "debug"]) {
    const bin = path.join(pkg, "xsnap-native", "xsnap", "build", "bin", "lin", flavour, "xsnap-worker");
    if (fs.existsSync(bin)) return bin;
  }
  throw new Error("xsnap-worker is not built: run `npm ci` (its install script builds XS), or `npm rebuild @agoric/xsnap`");
}

/** Incremental netstring reader: feed it chunks, it yields whole messages. */
class NetstringReader {
  constructor() {
    this.buffer = Buffer.alloc(0);
  }
  push(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const messages = [];
    for (;;) {
      const colon = this.buffer.indexOf(0x3a);
      if (colon < 0) break;
      const length = Number(this.buffer.subarray(0, colon).toString("ascii"));
      if (!Number.isInteger(length)) throw new Error(`xsnap protocol error: bad netstring length ${this.buffer.subarray(0, colon)}`);
      if (this.buffer.length < colon + 1 + length + 1) break;
      messages.push(this.buffer.subarray(colon + 1, colon + 1 + length));
      this.buffer = this.buffer.subarray(colon + 1 + length + 1);
    }
    return messages;
  }
}

function netstring(...parts) {
  const body = Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));
  return Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(",")]);
}

/**
 * @param {{ onMessage: (message: any) => any, meteringLimit?: number, name?: string }} options
 * evaluate(code) resolves with { meter: { compute, allocate, ... } } once XS is idle, or
 * rejects with the uncaught exception. onMessage gets the parsed JSON of each
 * issueCommand(ArrayBuffer) from XS; its return value (JSON) is the reply.
 */
export async function startXsWorker({ onMessage, meteringLimit = 0, name = "xs-tier" }) {
  const args = [name];
  if (meteringLimit) args.push("-l", String(meteringLimit));
  const child = spawn(xsnapBinary(), args, {
    stdio: ["ignore", "inherit", "inherit", "pipe", "pipe", "ignore", "ignore", "ignore", "ignore"],
  });
  const toXs = child.stdio[3];
  const fromXs = child.stdio[4];
  const reader = new NetstringReader();
  let pending = null;
  let exited = null;
  const exitPromise = new Promise((resolve) => child.once("exit", (code, signal) => {
    exited = `xsnap worker exited (code ${code}, signal ${signal})`;
    if (pending) pending.reject(new Error(exited));
    pending = null;
    resolve();
  }));

  fromXs.on("data", (chunk) => {
    for (const message of reader.push(chunk)) {
      const tag = message[0];
      if (tag === 0x3f /* ? query from issueCommand */) {
        let reply;
        try {
          reply = onMessage(JSON.parse(decoder.decode(message.subarray(1))));
        } catch (error) {
          reply = { error: String(error) };
        }
        toXs.write(netstring("/", encoder.encode(JSON.stringify(reply ?? null))));
      } else if (tag === 0x2e /* . ok */) {
        const sep = message.indexOf(1);
        const meter = sep > 0 ? JSON.parse(decoder.decode(message.subarray(1, sep))) : {};
        const p = pending;
        pending = null;
        p?.resolve({ meter });
      } else if (tag === 0x21 /* ! error */) {
        const p = pending;
        pending = null;
        p?.reject(new Error(decoder.decode(message.subarray(1))));
      } else {
        const p = pending;
        pending = null;
        p?.reject(new Error(`xsnap protocol error: unexpected message ${decoder.decode(message.subarray(0, 40))}`));
      }
    }
  });

  let baton = Promise.resolve();
  function evaluate(code) {
    const run = baton.then(
      () =>
        new Promise((resolve, reject) => {
          if (exited) return reject(new Error(exited));
          pending = { resolve, reject };
          toXs.write(netstring("e", code));
        }),
    );
    baton = run.catch(() => {});
    return run;
  }
  async function close() {
    if (!exited) {
      toXs.end();
      child.kill();
    }
    await exitPromise;
  }
  return { evaluate, close };
}
