import { strict as assert } from "assert";
import {
  builtinDocument,
  ConfigError,
  indexCabinet,
  parseCabinetConfig,
  validateCabinetConfig,
  type CabinetConfigDocument,
} from "../../src/config";

function ring(): CabinetConfigDocument {
  return builtinDocument("ring-12x2")!;
}

function issuesOf(doc: unknown): string[] {
  const result = validateCabinetConfig(doc);
  assert.equal(result.ok, false, "expected the config to be rejected");
  return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
}

function hasIssue(issues: string[], pattern: RegExp): void {
  assert.ok(issues.some((i) => pattern.test(i)), `no issue matches ${pattern}; got:\n${issues.join("\n")}`);
}

describe("cabinet config", () => {
  describe("built-in configs", () => {
    it("ring-12x2 is seed 000: 12 slots, 24 x 30 kW modules, 360 kW grid", () => {
      const config = parseCabinetConfig(ring());
      assert.equal(config.topology, "ring");
      assert.equal(config.slots.length, 12);
      assert.equal(config.guns.length, 12);
      assert.equal(config.modulePowerKW, 30);
      assert.equal(config.siteLimits.gridPowerLimitKW, 360);
      const index = indexCabinet(config);
      assert.equal(index.modules.length, 24);
      assert.equal(index.contactors.filter((c) => c.kind === "GC").length, 12);
      assert.equal(index.contactors.filter((c) => c.kind === "MC").length, 12);
      assert.equal(index.contactors.filter((c) => c.kind === "MN").length, 24);
      assert.deepEqual(index.ringOrder, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      assert.equal(config.slots[11].cw, 1);
      assert.equal(config.slots[0].ccw, 12);
    });
    it("matrix-9x6 is seed 001: 9 x 40 kW modules, 6 guns, 240 kW per gun", () => {
      const config = parseCabinetConfig(builtinDocument("matrix-9x6"));
      const index = indexCabinet(config);
      assert.equal(config.topology, "matrix");
      assert.equal(index.modules.length, 9);
      assert.equal(config.guns.length, 6);
      assert.equal(config.modulePowerKW, 40);
      assert.equal(index.gunMaxPowerKW(1), 240);
      assert.equal(index.contactors.filter((c) => c.kind === "MX").length, 54);
    });
    it("applies defaults for policy, timing and safety (seed values)", () => {
      const config = parseCabinetConfig(ring());
      assert.equal(config.policy.minModulesPerGun, 1);
      assert.equal(config.policy.maxModulesPerGun, 2);
      assert.deepEqual(config.policy.moduleCountThresholds, [0.8, 1.6]);
      assert.equal(config.policy.switchingCurrentA, 1);
      assert.equal(config.policy.prechargeToleranceV, 20);
      assert.equal(config.policy.contactorFeedbackTimeoutMs, 100);
      assert.equal(config.timing.fastPeriodMs, 10);
      assert.equal(config.timing.controlPeriodMs, 100);
      assert.equal(config.safety.insulationFaultOhm, 100000);
    });
    it("returns a frozen config, and never shares the caller's document", () => {
      const doc = ring();
      const config = parseCabinetConfig(doc);
      assert.ok(Object.isFrozen(config));
      assert.ok(Object.isFrozen(config.slots[0].modules[0]));
      (doc.slots as { mc: string }[])[0].mc = "CHANGED";
      assert.equal(config.slots[0].mc, "MC_1");
    });
  });

  describe("validation names every problem at once", () => {
    it("neighbour that does not exist", () => {
      const doc = ring();
      doc.slots![3].cw = 14;
      hasIssue(issuesOf(doc), /^slots\[3\]\.cw: slot 14 does not exist$/);
    });
    it("neighbour links that are not mutual", () => {
      const doc = ring();
      doc.slots![3].cw = 6;
      const issues = issuesOf(doc);
      hasIssue(issues, /^slots\[3\]\.cw: slot 6 is not mutual/);
    });
    it("links that form two rings instead of one", () => {
      const doc = ring();
      // 1..6 and 7..12 as two closed loops
      doc.slots![5].cw = 1;
      doc.slots![0].ccw = 6;
      doc.slots![11].cw = 7;
      doc.slots![6].ccw = 12;
      hasIssue(issuesOf(doc), /^slots: cw links do not close one ring/);
    });
    it("duplicate slot, gun, module and contactor ids", () => {
      const doc = ring();
      doc.slots![1].modules[0].id = "M1_0";
      doc.slots![2].mc = "MC_1";
      doc.slots![4].modules[1].mn = "GC_7";
      doc.guns[3].id = 1;
      const issues = issuesOf(doc);
      hasIssue(issues, /^slots\[1\]\.modules\[0\]\.id: module id "M1_0" is already used at slots\[0\]\.modules\[0\]\.id$/);
      hasIssue(issues, /^slots\[2\]\.mc: contactor id "MC_1" is already used at slots\[0\]\.mc$/);
      hasIssue(issues, /^slots\[4\]\.modules\[1\]\.mn: contactor id "GC_7" is already used at guns\[6\]\.gc$/);
      hasIssue(issues, /^guns\[3\]\.id: gun id 1 is already used at guns\[0\]\.id$/);
    });
    it("a gun without a slot, and two guns on one slot", () => {
      const doc = ring();
      delete doc.guns[2].slotId;
      doc.slots![5].gunId = 5;
      const issues = issuesOf(doc);
      hasIssue(issues, /^guns\[2\]\.slotId: gun 3 has no slot/);
      hasIssue(issues, /^slots\[5\]\.gunId: gun 5 is already on slots\[4\]$/);
    });
    it("ratings missing, negative, NaN or inconsistent", () => {
      const doc = ring();
      delete (doc.guns[0] as Partial<typeof doc.guns[0]>).maxCurrentA;
      doc.guns[1].maxCurrentA = -200;
      doc.guns[2].maxVoltageV = NaN;
      doc.guns[3].minVoltageV = 900;
      doc.guns[3].maxVoltageV = 500;
      doc.policy = { minModulesPerGun: 3, maxModulesPerGun: 2 };
      const issues = issuesOf(doc);
      hasIssue(issues, /^guns\[0\]\.maxCurrentA: is required but missing$/);
      hasIssue(issues, /^guns\[1\]\.maxCurrentA: must be > 0, got -200$/);
      hasIssue(issues, /^guns\[2\]\.maxVoltageV: must be a finite number, got NaN$/);
      hasIssue(issues, /^guns\[3\]\.minVoltageV: 900 V is above maxVoltageV 500 V$/);
      hasIssue(issues, /^policy\.minModulesPerGun: 3 is above maxModulesPerGun 2$/);
    });
    it("structural and semantic problems are reported together", () => {
      const doc = ring();
      doc.guns[1].maxCurrentA = -1;
      doc.slots![3].cw = 14;
      const issues = issuesOf(doc);
      hasIssue(issues, /^guns\[1\]\.maxCurrentA/);
      hasIssue(issues, /^slots\[3\]\.cw: slot 14 does not exist$/);
    });
    it("unknown keys (typos) are flagged with a hint", () => {
      const doc = ring() as unknown as Record<string, unknown>;
      (doc.guns as Record<string, unknown>[])[0].maxCurentA = 200;
      doc.polcy = {};
      const issues = issuesOf(doc);
      hasIssue(issues, /^guns\[0\]\.maxCurentA: unknown key \(did you mean "maxCurrentA"\?\)$/);
      hasIssue(issues, /^polcy: unknown key \(did you mean "policy"\?\)$/);
    });
    it("matrix rows that refer to unknown modules or guns", () => {
      const doc = builtinDocument("matrix-9x6")!;
      doc.matrix!.rows[2].moduleId = "PM42";
      doc.matrix!.rows[4].links[1].gunId = 9;
      const issues = issuesOf(doc);
      hasIssue(issues, /^matrix\.rows\[2\]\.moduleId: module "PM42" does not exist$/);
      hasIssue(issues, /^matrix\.rows\[4\]\.links\[1\]\.gunId: gun 9 does not exist$/);
      hasIssue(issues, /^matrix\.modules\[2\]\.id: module "PM3" has no row/);
    });
    it("a failed config throws a ConfigError that lists every issue", () => {
      const doc = ring();
      doc.guns[0].maxCurrentA = -1;
      doc.guns[1].maxCurrentA = -2;
      assert.throws(() => parseCabinetConfig(doc), (e: unknown) => e instanceof ConfigError && e.issues.length === 2);
    });
    it("rejects things that are not a config at all", () => {
      assert.equal(validateCabinetConfig(null).ok, false);
      assert.equal(validateCabinetConfig([]).ok, false);
      assert.equal(validateCabinetConfig("ring").ok, false);
      hasIssue(issuesOf({}), /^schemaVersion: is required but missing$/);
    });
  });
});
