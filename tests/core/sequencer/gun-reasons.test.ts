/**
 * The sequencer's per-gun reasons skip rewriting the table when a step restores the same
 * memo entries it already holds; these tests fail if that shortcut survives a change.
 */
import { strict as assert } from "assert";
import { GunReasons } from "../../../src/sequencer/sequencer";

function reasonsFor3(): GunReasons {
  return new GunReasons(new Map([[1, 0], [2, 1], [3, 2]]), 3);
}

const MEMO: readonly (readonly [number, string])[] = Object.freeze([[1, "not requested"], [3, "EV unplugged"], [9, "bad plan: gun 9 is not in the cabinet"]]);

describe("sequencer gun reasons", () => {
  it("clear then restore of the same entries, step after step, holds exactly those entries", () => {
    const r = reasonsFor3();
    for (let step = 0; step < 3; step++) {
      r.clear();
      r.restore(MEMO);
      assert.deepEqual(r.entries(), [[1, "not requested"], [3, "EV unplugged"], [9, "bad plan: gun 9 is not in the cabinet"]]);
      assert.equal(r.get(2), undefined);
    }
  });

  it("a reason set after the restore is gone at the next step's clear and restore (the shortcut is invalidated)", () => {
    const r = reasonsFor3();
    r.clear();
    r.restore(MEMO);
    r.set(2, "waits for a neighbouring island to stop");
    r.set(3, "isolating: MC_1 not yet open");
    r.set(7, "stray");
    r.clear();
    r.restore(MEMO);
    assert.equal(r.get(2), undefined);
    assert.equal(r.get(3), "EV unplugged");
    assert.equal(r.get(7), undefined);
    assert.equal(r.get(9), "bad plan: gun 9 is not in the cabinet");
  });

  it("a clear not followed by the same restore reads empty; other entries replace the old ones", () => {
    const r = reasonsFor3();
    r.clear();
    r.restore(MEMO);
    r.clear();
    assert.equal(r.get(1), undefined, "a pending clear is seen by get");
    assert.deepEqual(r.entries(), []);
    r.clear();
    r.restore(MEMO);
    r.clear();
    const other = [[2, "no healthy module planned"]] as const;
    r.restore(other);
    assert.deepEqual(r.entries(), [[2, "no healthy module planned"]]);
    r.clear();
    r.restore(MEMO);
    assert.equal(r.get(2), undefined);
    assert.equal(r.get(1), "not requested");
  });

  it("a restore on top of what is there (no clear before) adds to it and does not count as held exactly", () => {
    const r = reasonsFor3();
    r.clear();
    r.restore(MEMO);
    r.restore([[2, "waits for a neighbouring island to stop"]]);
    assert.equal(r.get(2), "waits for a neighbouring island to stop");
    assert.equal(r.get(1), "not requested");
    r.clear();
    r.restore(MEMO);
    assert.equal(r.get(2), undefined);
  });
});
