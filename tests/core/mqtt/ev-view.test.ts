import { strict as assert } from "assert";
import { evViewOf } from "../../../src/mqtt/ev-view";
import type { GunMqttInput } from "../../../src/mqtt/types";

const base: GunMqttInput = { gunId: 1, demandKW: 60, demandValid: true, socPct: 40, vehicleStatus: null, device: "D1", lastUpdateMs: 0 };

describe("mqtt input as an EV request", () => {
  it("a fresh demand without status requests power", () => {
    assert.deepEqual(evViewOf(base), { plugged: true, ready: true, paused: false, stopRequested: false, fault: false, requestKW: 60, socPct: 40 });
  });
  it("a stale demand requests nothing", () => {
    const v = evViewOf({ ...base, demandKW: null, demandValid: false });
    assert.equal(v.requestKW, 0);
    assert.equal(v.plugged, false);
  });
  it("status gates the request", () => {
    const request = (s: GunMqttInput["vehicleStatus"]) => evViewOf({ ...base, vehicleStatus: s }).requestKW;
    assert.equal(request("charging"), 60);
    assert.equal(request("ready"), 60);
    assert.equal(request("connected"), 0);
    assert.equal(request("suspended"), 0);
    assert.equal(request("finished"), 0);
    assert.equal(request("fault"), 0);
    assert.equal(request("disconnected"), 0);
    assert.equal(evViewOf({ ...base, vehicleStatus: "fault" }).fault, true);
    assert.equal(evViewOf({ ...base, vehicleStatus: "finished" }).stopRequested, true);
  });
});
