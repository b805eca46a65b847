import { strict as assert } from "assert";
import { boot } from "../../src/main";
import type { LogLevel } from "../../hal/log";

function memoryLog() {
  const lines: string[] = [];
  return { lines, write: (level: LogLevel, message: string) => lines.push(`${level}: ${message}`) };
}

describe("boot", () => {
  it("loads, validates and summarizes the default cabinet", () => {
    const log = memoryLog();
    const result = boot({ log });
    assert.ok(result.config);
    assert.equal(result.summary, "cabinet SITE_001_CAB_01: ring, 12 guns, 24 x 30 kW modules, contactors 12 GC, 12 MC, 24 MN, grid limit 360 kW");
    assert.deepEqual(log.lines, [`info: ${result.summary}`]);
  });
  it("applies nothing from an invalid config and logs every problem", () => {
    const log = memoryLog();
    const result = boot({ log, config: { schemaVersion: 1 } });
    assert.equal(result.config, null);
    assert.ok(log.lines.length >= 4);
    assert.match(log.lines[log.lines.length - 1], /config rejected/);
  });
});
