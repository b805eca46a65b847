import { strict as assert } from "assert";
import type { LogLevel } from "../../../hal/log";
import { builtinDocument, parseCabinetConfig } from "../../../src/config";
import { LimitTracker, gunLimitOf } from "../../../src/limits";

function tracker(defaultSiteExternalLimitKW: number | null = 200) {
  const logs: string[] = [];
  const limits = new LimitTracker({
    gunIds: [1, 2, 3],
    limitValidityMs: 5000,
    defaultGridLimitKW: 360,
    defaultSiteExternalLimitKW,
    log: { write: (level: LogLevel, message: string) => logs.push(`${level}: ${message}`) },
  });
  return { limits, logs };
}

describe("limit freshness", () => {
  it("a gun limit is in force until its validity ends, then it is 0 kW (inclusive expiry)", () => {
    const { limits, logs } = tracker();
    assert.deepEqual(limits.setGunLimit(1, "ems", 50, 1000, 2000), { ok: true });
    assert.deepEqual(gunLimitOf(limits.evaluate(2999), 1), { gunId: 1, limitKW: 50, expired: false, expiredSources: [], nextExpiryMs: 3000 });
    assert.deepEqual(gunLimitOf(limits.evaluate(3000), 1), { gunId: 1, limitKW: 0, expired: true, expiredSources: ["ems"], nextExpiryMs: null });
    // Other guns have no limit: not bound, not expired.
    assert.deepEqual(gunLimitOf(limits.evaluate(3000), 2), { gunId: 2, limitKW: null, expired: false, expiredSources: [], nextExpiryMs: null });
    limits.evaluate(3100);
    assert.equal(logs.filter((l) => /gun 1 limit \(ems\) expired at 3000 ms/.test(l)).length, 1, "expiry logged once");
    // A refresh brings it back.
    limits.setGunLimit(1, "ems", 40, 3200);
    assert.deepEqual(gunLimitOf(limits.evaluate(3200), 1).limitKW, 40);
    assert.equal(gunLimitOf(limits.evaluate(8199), 1).limitKW, 40, "default validity is limitValidityMs");
    assert.equal(gunLimitOf(limits.evaluate(8200), 1).limitKW, 0);
  });

  it("a gun's limit is the smallest fresh source, and 0 while any source is stale", () => {
    const { limits } = tracker();
    limits.setGunLimit(2, "ocpp", 80, 0, 10_000);
    limits.setGunLimit(2, "mqtt-demand", 30, 0, 1000);
    assert.equal(gunLimitOf(limits.evaluate(500), 2).limitKW, 30);
    const stale = gunLimitOf(limits.evaluate(1000), 2);
    assert.equal(stale.limitKW, 0);
    assert.deepEqual(stale.expiredSources, ["mqtt-demand"]);
    limits.clearGunLimit(2, "mqtt-demand");
    assert.equal(gunLimitOf(limits.evaluate(1000), 2).limitKW, 80);
    limits.clearGunLimit(2);
    assert.equal(gunLimitOf(limits.evaluate(1000), 2).limitKW, null);
  });

  it("an external site limit that times out falls back to the configured default", () => {
    const { limits, logs } = tracker(200);
    assert.equal(limits.evaluate(0).siteExternalLimitKW, 200);
    assert.equal(limits.evaluate(0).siteExternalLimitSource, "default");
    limits.setSiteExternalLimit(120, 0);
    const fresh = limits.evaluate(4999);
    assert.equal(fresh.siteExternalLimitKW, 120);
    assert.equal(fresh.siteExternalLimitSource, "external");
    const expired = limits.evaluate(5000);
    assert.equal(expired.siteExternalLimitKW, 200);
    assert.equal(expired.siteExternalLimitSource, "default");
    assert.ok(logs.some((l) => /site external limit 120 kW expired at 5000 ms: falls back to the configured default/.test(l)));
    // With no configured default, the fallback is "no external limit".
    const none = tracker(null).limits;
    none.setSiteExternalLimit(90, 0, 100);
    assert.equal(none.evaluate(100).siteExternalLimitKW, null);
  });

  it("a grid limit change takes effect at once and falls back to the configured grid limit on expiry", () => {
    const { limits } = tracker();
    assert.equal(limits.evaluate(0).gridLimitKW, 360);
    limits.setGridLimit(150, 10, 1000);
    assert.equal(limits.evaluate(10).gridLimitKW, 150);
    assert.equal(limits.evaluate(1010).gridLimitKW, 360);
    limits.setGridLimit(100, 2000);
    limits.clearGridLimit();
    assert.equal(limits.evaluate(2000).gridLimitKW, 360);
  });

  it("refuses bad input with an error naming the field and value", () => {
    const { limits } = tracker();
    assert.deepEqual(limits.setGunLimit(9, "ems", 10, 0), { ok: false, error: "gunId: no gun 9 in this cabinet" });
    assert.deepEqual(limits.setGunLimit(1, "ems", -5, 0), { ok: false, error: "gun 1 limit (ems): powerKW must be a number >= 0, got -5" });
    assert.deepEqual(limits.setGunLimit(1, "ems", Number.NaN, 0), { ok: false, error: "gun 1 limit (ems): powerKW must be a number >= 0, got NaN" });
    assert.deepEqual(limits.setGunLimit(1, "", 5, 0), { ok: false, error: 'source must be a non-empty string, got ""' });
    assert.deepEqual(limits.setSiteExternalLimit(10, 0, 0), { ok: false, error: "site external limit: validForMs must be a positive number, got 0" });
    assert.deepEqual(limits.setGridLimit(10, Number.POSITIVE_INFINITY), { ok: false, error: "grid limit: nowMs must be a finite number, got Infinity" });
    // Nothing was applied.
    const snapshot = limits.evaluate(0);
    assert.equal(snapshot.gridLimitKW, 360);
    assert.equal(gunLimitOf(snapshot, 1).limitKW, null);
  });

  it("takes its defaults from the cabinet config", () => {
    const document = builtinDocument("ring-12x2");
    assert.ok(document);
    const config = parseCabinetConfig({ ...document, siteLimits: { ...document.siteLimits, externalLimitKW: 250 }, timing: { limitValidityMs: 3000 } });
    const limits = LimitTracker.fromConfig(config);
    const snapshot = limits.evaluate(0);
    assert.equal(snapshot.guns.length, 12);
    assert.equal(snapshot.gridLimitKW, 360);
    assert.equal(snapshot.siteExternalLimitKW, 250);
    limits.setGunLimit(12, "ems", 60, 0);
    assert.equal(gunLimitOf(limits.evaluate(2999), 12).limitKW, 60);
    assert.equal(gunLimitOf(limits.evaluate(3000), 12).limitKW, 0);
  });
});

describe("limit tracker: the state of a gun without limits", () => {
  it("is one frozen value per gun, handed out while the gun has no source, and left as soon as it has one", () => {
    const limits = new LimitTracker({ gunIds: [1, 2], limitValidityMs: 1000, defaultGridLimitKW: 300, defaultSiteExternalLimitKW: null });
    const none = gunLimitOf(limits.evaluate(0), 1);
    assert.deepStrictEqual({ ...none, expiredSources: [...none.expiredSources] }, { gunId: 1, limitKW: null, expired: false, expiredSources: [], nextExpiryMs: null });
    assert.ok(Object.isFrozen(none) && Object.isFrozen(none.expiredSources));
    assert.equal(gunLimitOf(limits.evaluate(100), 1), none);
    limits.setGunLimit(1, "ems", 40, 100);
    assert.equal(gunLimitOf(limits.evaluate(200), 1).limitKW, 40);
    assert.equal(gunLimitOf(limits.evaluate(1200), 1).expired, true);
    limits.clearGunLimit(1, "ems");
    assert.equal(gunLimitOf(limits.evaluate(1300), 1), none);
    assert.equal(gunLimitOf(limits.evaluate(1300), 2).gunId, 2);
  });
});
