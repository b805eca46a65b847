import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

// DESIGN.md §3 layering rules, checked over the source text so a violation fails here
// rather than in a Moddable build on someone's bench.
const root = path.resolve(__dirname, "../..");

function sourceFiles(dir: string): string[] {
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) return [];
  return fs.readdirSync(full, { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(rel);
    return /\.ts$/.test(e.name) && !e.name.endsWith(".d.ts") ? [rel] : [];
  });
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), "utf8");
  const found: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|(?:^|\n)\s*import\s+["']([^"']+)["']/g;
  for (let m = re.exec(text); m; m = re.exec(text)) found.push(m[1] ?? m[2]);
  return found;
}

const NODE_BUILTINS = /^(node:|fs$|path$|os$|child_process$|net$|http$|https$|crypto$|events$|stream$|util$|url$|worker_threads$|zlib$|tty$|readline$|dgram$|dns$|buffer$|timers$|process$|assert$)/;

describe("layering (DESIGN.md §3)", () => {
  const core = [...sourceFiles("src"), ...sourceFiles("hal").filter((f) => !f.startsWith(path.join("hal", "moddable")))];

  it("src/ and hal/ import nothing from Node, and src/ nothing from Moddable or host-sim", () => {
    const bad: string[] = [];
    for (const file of core) {
      for (const spec of importsOf(file)) {
        if (NODE_BUILTINS.test(spec)) bad.push(`${file}: imports Node built-in "${spec}"`);
        if (file.startsWith("src") && (spec.startsWith("embedded:") || /host-sim/.test(spec))) bad.push(`${file}: imports "${spec}"`);
        if (file.startsWith("src") && /hal\/moddable/.test(spec)) bad.push(`${file}: imports device code "${spec}"`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it("relative imports in src/ and hal/ name a file, never a folder (XS resolves no index)", () => {
    const bad: string[] = [];
    for (const file of [...core, ...sourceFiles(path.join("hal", "moddable"))]) {
      for (const spec of importsOf(file)) {
        if (!spec.startsWith(".")) continue;
        const target = path.resolve(root, path.dirname(file), spec);
        if (/\.(ts|js|mjs)$/.test(spec)) bad.push(`${file}: "${spec}" carries a file extension`);
        else if (!fs.existsSync(target + ".ts") && !fs.existsSync(target + ".js")) bad.push(`${file}: "${spec}" does not name a .ts/.js file`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it("src/ and hal/ keep no module-level mutable state (no top-level let/var)", () => {
    const bad: string[] = [];
    for (const file of core) {
      const text = fs.readFileSync(path.join(root, file), "utf8");
      text.split("\n").forEach((line, i) => {
        if (/^(export\s+)?(let|var)\s/.test(line)) bad.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(bad, []);
  });
});

// The simulated plant and its composition with the controller also run inside the
// Moddable simulator (manifest.json maps them for lin; host-sim/manifest.json lists
// them): these files must stay free of Node and name every relative import's file.
// Node-only host-sim code (CLIs, sockets, files, real-time pacing) lives elsewhere.
const HOST_SIM_NODE_ONLY = new Set([
  path.join("host-sim", "hal", "realtime.ts"),
  path.join("host-sim", "scenario", "load-file.ts"),
  path.join("host-sim", "scenario", "write-fleet-day.ts"),
]);
const platformFreeHostSim = [
  ...["plant", "hal", "observer", "scenario"].flatMap((d) => sourceFiles(path.join("host-sim", d))),
  path.join("host-sim", "sim-cabinet.ts"),
  path.join("host-sim", "run-report.ts"),
].filter((f) => !HOST_SIM_NODE_ONLY.has(f));

describe("platform-free host-sim (runs in the Moddable simulator)", () => {
  it("the folder list is real: plant, hal, observer, scenario files are found", () => {
    for (const dir of ["plant", "hal", "observer", "scenario"]) {
      assert.ok(platformFreeHostSim.some((f) => f.startsWith(path.join("host-sim", dir) + path.sep)), `no files under host-sim/${dir}`);
    }
  });

  it("imports nothing from Node, and uses no Node globals", () => {
    const bad: string[] = [];
    for (const file of platformFreeHostSim) {
      for (const spec of importsOf(file)) {
        if (NODE_BUILTINS.test(spec) || !spec.startsWith(".")) bad.push(`${file}: imports "${spec}"`);
      }
      const text = fs.readFileSync(path.join(root, file), "utf8");
      text.split("\n").forEach((line, i) => {
        if (/\b(process\.|Buffer\.|require\(|__dirname|setTimeout\(|setInterval\(|setImmediate\(|console\.)/.test(line) && !/^\s*(\/\/|\*)/.test(line)) {
          bad.push(`${file}:${i + 1}: ${line.trim()}`);
        }
      });
    }
    assert.deepEqual(bad, []);
  });

  it("relative imports name a file, never a folder", () => {
    const bad: string[] = [];
    for (const file of platformFreeHostSim) {
      for (const spec of importsOf(file)) {
        if (!spec.startsWith(".")) continue;
        const target = path.resolve(root, path.dirname(file), spec);
        if (/\.(ts|js|mjs)$/.test(spec)) bad.push(`${file}: "${spec}" carries a file extension`);
        else if (!fs.existsSync(target + ".ts") && !fs.existsSync(target + ".js")) bad.push(`${file}: "${spec}" does not name a .ts/.js file`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it("host-sim/manifest.json maps every platform-free host-sim module the lin build needs, and no Node-only one", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "host-sim", "manifest.json"), "utf8")) as { modules: Record<string, string> };
    const mapped = new Set<string>();
    for (const [specifier, source] of Object.entries(manifest.modules)) {
      if (specifier.endsWith("/*")) {
        const dir = path.join("host-sim", source.slice(2, -2));
        for (const f of sourceFiles(dir)) if (path.dirname(f) === dir) mapped.add(f);
      } else mapped.add(path.join("host-sim", source.slice(2) + ".ts"));
    }
    for (const f of HOST_SIM_NODE_ONLY) assert.ok(!mapped.has(f), `${f} is Node-only but mapped`);
    const missing = platformFreeHostSim.filter((f) => !mapped.has(f) && !f.startsWith(path.join("host-sim", "hal", "index")));
    assert.deepEqual(missing, []);
  });
});

describe("device-safe idioms", () => {
  it("no Error subclass assigns this.name (Error.prototype is frozen on a device)", () => {
    const bad: string[] = [];
    for (const file of [...sourceFiles("src"), ...sourceFiles("hal"), ...sourceFiles("host-sim")]) {
      const text = fs.readFileSync(path.join(root, file), "utf8");
      text.split("\n").forEach((line, i) => {
        if (/^\s*this\.name\s*=/.test(line)) bad.push(`${file}:${i + 1}`);
      });
    }
    assert.deepEqual(bad, []);
  });
});
