import { strict as assert } from "assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RotatingFileLog } from "../../host-sim/mqtt/rotating-log";

describe("rotating host log (seed 002: 5 MB x 3)", () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "rotlog-")); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("defaults to 5 MB per file and 3 backups", () => {
    const log = new RotatingFileLog({ file: path.join(dir, "debug.log") });
    assert.equal(log.maxBytes, 5 * 1024 * 1024);
    assert.equal(log.backups, 3);
  });

  it("rotates by size, keeps 3 backups, drops the oldest, never exceeds the size", () => {
    const file = path.join(dir, "debug.log");
    const log = new RotatingFileLog({ file, maxBytes: 1000, stamp: () => "T" });
    for (let i = 0; i < 400; i++) log.write("info", `line ${String(i).padStart(4, "0")} ${"x".repeat(30)}`);
    const files = fs.readdirSync(dir).sort();
    assert.deepEqual(files, ["debug.log", "debug.log.1", "debug.log.2", "debug.log.3"]);
    for (const f of files) assert.ok(fs.statSync(path.join(dir, f)).size <= 1000, f);
    const newest = fs.readFileSync(file, "utf8").trim().split("\n");
    assert.match(newest[newest.length - 1], /^T INFO line 0399 x+$/);
    const oldestKept = fs.readFileSync(`${file}.3`, "utf8").split("\n")[0];
    const first = Number(/line (\d+)/.exec(oldestKept)![1]);
    const all = [3, 2, 1, 0].flatMap((i) => fs.readFileSync(i ? `${file}.${i}` : file, "utf8").trim().split("\n"));
    assert.equal(all.length, 400 - first, "no line lost inside the kept window");
    assert.ok(first > 0, "oldest lines were dropped");
  });

  it("filters by level and keeps one line per entry", () => {
    const file = path.join(dir, "d.log");
    const log = new RotatingFileLog({ file, minLevel: "warn", stamp: () => "T" });
    log.write("debug", "quiet");
    log.write("warn", "two\nlines");
    assert.equal(fs.readFileSync(file, "utf8"), "T WARN two | lines\n");
  });
});
