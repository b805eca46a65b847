/**
 * The part of Node's `assert/strict` the core tests use, for the XS tier.
 * Kept honest: every check here fails the way Node's does for the same input.
 */

export class AssertionError extends Error {
  // A field, not `this.name = ...`: assignment fails where Error.prototype is frozen.
  override name = "AssertionError";
}

function show(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 200 ? text.slice(0, 197) + "..." : text;
  } catch {
    return String(value);
  }
}

function fail(message: string | Error | undefined, fallback: string): never {
  if (message instanceof Error) throw message;
  throw new AssertionError(message ?? fallback);
}

function isDeepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !isDeepEqual(v, b.get(k))) return false;
    return true;
  }
  if (a instanceof Set && b instanceof Set) {
    if (a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!isDeepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

type ErrorMatcher = RegExp | (new (...args: never[]) => unknown) | ((e: unknown) => boolean) | Record<string, unknown>;

function matches(error: unknown, expected: ErrorMatcher | undefined): boolean {
  if (expected === undefined) return true;
  if (expected instanceof RegExp) return expected.test(error instanceof Error ? `${error.name}: ${error.message}` : String(error)) || expected.test(String((error as Error)?.message ?? error));
  if (typeof expected === "function") {
    if (expected.prototype !== undefined && error instanceof (expected as new () => unknown)) return true;
    if (Error.isPrototypeOf(expected) || expected === Error) return false;
    return (expected as (e: unknown) => boolean)(error) === true;
  }
  for (const key of Object.keys(expected)) {
    const want = expected[key];
    const got = (error as Record<string, unknown>)?.[key];
    if (want instanceof RegExp ? !(typeof got === "string" && want.test(got)) : !isDeepEqual(got, want)) return false;
  }
  return true;
}

export function ok(value: unknown, message?: string | Error): asserts value {
  if (!value) fail(message, `expected a truthy value, got ${show(value)}`);
}
export function equal<T>(actual: unknown, expected: T, message?: string | Error): asserts actual is T {
  if (!Object.is(actual, expected)) fail(message, `expected ${show(actual)} to equal ${show(expected)}`);
}
export function notEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  if (Object.is(actual, expected)) fail(message, `expected ${show(actual)} not to equal ${show(expected)}`);
}
export function deepEqual<T>(actual: unknown, expected: T, message?: string | Error): asserts actual is T {
  if (!isDeepEqual(actual, expected)) fail(message, `expected ${show(actual)} to deeply equal ${show(expected)}`);
}
export function notDeepEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  if (isDeepEqual(actual, expected)) fail(message, `expected ${show(actual)} not to deeply equal ${show(expected)}`);
}
export function throws(fn: () => unknown, expected?: ErrorMatcher | string, message?: string): void {
  if (typeof expected === "string") {
    message = expected;
    expected = undefined;
  }
  try {
    fn();
  } catch (error) {
    if (!matches(error, expected)) fail(message, `the thrown error did not match: ${String((error as Error)?.message ?? error)}`);
    return;
  }
  fail(message, "expected the function to throw");
}
export function doesNotThrow(fn: () => unknown, message?: string): void {
  try {
    fn();
  } catch (error) {
    fail(message, `expected no throw, got ${String((error as Error)?.message ?? error)}`);
  }
}
export async function rejects(promise: Promise<unknown> | (() => Promise<unknown>), expected?: ErrorMatcher, message?: string): Promise<void> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    if (!matches(error, expected)) fail(message, `the rejection did not match: ${String((error as Error)?.message ?? error)}`);
    return;
  }
  fail(message, "expected a rejection");
}
export function match(text: string, pattern: RegExp, message?: string | Error): void {
  if (!pattern.test(text)) fail(message, `expected ${show(text)} to match ${pattern}`);
}
export function doesNotMatch(text: string, pattern: RegExp, message?: string | Error): void {
  if (pattern.test(text)) fail(message, `expected ${show(text)} not to match ${pattern}`);
}
export function failNow(message?: string): never {
  throw new AssertionError(message ?? "failed");
}

const strictApi = Object.assign((value: unknown, message?: string | Error) => ok(value, message), {
  ok,
  equal,
  strictEqual: equal,
  notEqual,
  notStrictEqual: notEqual,
  deepEqual,
  deepStrictEqual: deepEqual,
  notDeepEqual,
  notDeepStrictEqual: notDeepEqual,
  throws,
  doesNotThrow,
  rejects,
  match,
  doesNotMatch,
  fail: failNow,
  AssertionError,
});

export const strict = strictApi;
export default strictApi;
