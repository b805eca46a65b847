/**
 * A describe/it harness for the XS tier: the subset of mocha the core tests use.
 * Bundled with the tests and evaluated inside an xsnap worker; results go back to
 * Node through xsnap's synchronous `issueCommand`.
 */

type Fn = (this: unknown) => unknown;
interface TestCase { title: string; fn?: Fn; skip: boolean }
interface Suite {
  title: string;
  suites: Suite[];
  tests: TestCase[];
  before: Fn[];
  after: Fn[];
  beforeEach: Fn[];
  afterEach: Fn[];
  skip: boolean;
}

/**
 * On a device the Moddable SDK freezes the built-ins (and every preloaded module).
 * Freeze them here too, so code that assigns to an inherited frozen property
 * (e.g. `this.name = ...` in an Error subclass) fails in this tier, not in the field.
 */
function freezeIntrinsics(): void {
  // Under the Moddable SDK the built-ins are frozen already (and live in ROM).
  if (Object.isFrozen(Array.prototype)) return;
  const names = [
    "Object", "Function", "Array", "Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError",
    "AggregateError", "Number", "String", "Boolean", "Symbol", "Math", "JSON", "Map", "Set", "WeakMap", "WeakSet", "Promise",
    "RegExp", "Date", "ArrayBuffer", "DataView", "Uint8Array", "Int8Array", "Uint16Array", "Int16Array", "Uint32Array",
    "Int32Array", "Float32Array", "Float64Array", "BigInt", "Reflect", "Proxy",
  ];
  const seen = new Set<unknown>();
  const freeze = (value: unknown): void => {
    if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value)) return;
    seen.add(value);
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value as object)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor && "value" in descriptor) freeze(descriptor.value);
    }
    freeze(Object.getPrototypeOf(value));
  };
  for (const name of names) freeze((globalThis as Record<string, unknown>)[name]);
}
freezeIntrinsics();

// XS on a device has no timers as globals. Some test libraries (fast-check) capture
// setTimeout when they load; give them a stub that fails loudly if actually called, so
// a core module that relies on timers still fails here.
const timerGlobals = globalThis as Record<string, unknown>;
if (typeof timerGlobals.setTimeout !== "function") {
  timerGlobals.setTimeout = () => {
    throw new Error("setTimeout is not available in the XS tier (core code must take time from a Clock)");
  };
  timerGlobals.clearTimeout = () => {};
}

declare const issueCommand: (message: ArrayBuffer) => ArrayBuffer;

function newSuite(title: string, skip: boolean): Suite {
  return { title, suites: [], tests: [], before: [], after: [], beforeEach: [], afterEach: [], skip };
}

const root = newSuite("", false);
let current = root;

function describe(title: string, body: () => void, skip = false): void {
  const suite = newSuite(title, skip || current.skip);
  current.suites.push(suite);
  const parent = current;
  current = suite;
  try {
    body.call(mochaContext);
  } finally {
    current = parent;
  }
}
function it(title: string, fn?: Fn, skip = false): void {
  current.tests.push({ title, fn, skip: skip || !fn || current.skip });
}
const mochaContext = { timeout() {}, slow() {}, retries() {} };

const g = globalThis as Record<string, unknown>;
g.describe = Object.assign(describe, {
  skip: (t: string, b: () => void) => describe(t, b, true),
  only: (t: string, b: () => void) => describe(t, b),
});
g.context = g.describe;
g.it = Object.assign(it, { skip: (t: string, f?: Fn) => it(t, f, true), only: (t: string, f?: Fn) => it(t, f) });
g.specify = g.it;
g.before = (fn: Fn) => current.before.push(fn);
g.after = (fn: Fn) => current.after.push(fn);
g.beforeEach = (fn: Fn) => current.beforeEach.push(fn);
g.afterEach = (fn: Fn) => current.afterEach.push(fn);

/** xsnap: issueCommand to the Node parent. Moddable (mcsim): the app installs __xsSend. */
function send(record: object): void {
  const direct = g.__xsSend as ((record: object) => void) | undefined;
  if (direct) {
    direct(record);
    return;
  }
  const bytes = new TextEncoder().encode(JSON.stringify(record));
  issueCommand(bytes.buffer as ArrayBuffer);
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

async function call(fn: Fn): Promise<void> {
  await fn.call(mochaContext);
}

async function runSuite(suite: Suite, path: string[], inherited: { beforeEach: Fn[]; afterEach: Fn[] }): Promise<void> {
  const titlePath = suite.title ? [...path, suite.title] : path;
  const beforeEach = [...inherited.beforeEach, ...suite.beforeEach];
  const afterEach = [...suite.afterEach, ...inherited.afterEach];
  try {
    for (const hook of suite.before) await call(hook);
  } catch (error) {
    send({ kind: "result", title: [...titlePath, '"before all" hook'].join(" > "), status: "failed", error: describeError(error) });
    return;
  }
  for (const test of suite.tests) {
    const title = [...titlePath, test.title].join(" > ");
    if (test.skip) {
      send({ kind: "result", title, status: "skipped" });
      continue;
    }
    try {
      for (const hook of beforeEach) await call(hook);
      await call(test.fn!);
      for (const hook of afterEach) await call(hook);
      send({ kind: "result", title, status: "passed" });
    } catch (error) {
      send({ kind: "result", title, status: "failed", error: describeError(error) });
    }
  }
  for (const child of suite.suites) await runSuite(child, titlePath, { beforeEach, afterEach });
  try {
    for (const hook of suite.after) await call(hook);
  } catch (error) {
    send({ kind: "result", title: [...titlePath, '"after all" hook'].join(" > "), status: "failed", error: describeError(error) });
  }
}

g.__runXsTests = () => {
  runSuite(root, [], { beforeEach: [], afterEach: [] }).then(
    () => send({ kind: "done" }),
    (error) => send({ kind: "fatal", error: describeError(error) }),
  );
};
