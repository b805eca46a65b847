import { strict as assert } from "assert";
import fc from "fast-check";
import { Curve } from "../../host-sim/plant/curve";
import { defaultPlantParams, interpolate } from "../../host-sim/plant/params";

const params = defaultPlantParams();
const efficiency = params.module.efficiencyCurve.map((p) => ({ x: p.loadFraction, y: p.efficiency }));
const ocv = params.ev.cellOcvCurve.map((p) => ({ x: p.socPct, y: p.voltageV }));

/** Same bits, NaN included. */
function sameNumber(a: number, b: number, what: string): void {
  assert.ok(Object.is(a, b), `${what}: curve ${a}, interpolate ${b}`);
}

describe("host-sim plant curve (remembered segment)", () => {
  it("returns exactly what interpolate returns for any sequence of x, however far x jumps", () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -0.5, max: 1.5, noNaN: false }), { minLength: 1, maxLength: 60 }), (xs) => {
      const curve = new Curve(efficiency);
      for (const x of xs) sameNumber(curve.at(x), interpolate(efficiency, x), `x=${x}`);
    }));
  });

  it("leaves the remembered segment when x moves out of it (a stale segment would give a wrong y)", () => {
    const curve = new Curve(ocv);
    sameNumber(curve.at(15), interpolate(ocv, 15), "inside 10..20");
    // The 10..20 segment extended to 45 would give 3.58 + 0.006 * 35 = 3.79; the 40..50 segment gives 3.77.
    sameNumber(curve.at(45), interpolate(ocv, 45), "moved to 40..50");
    assert.ok(Math.abs(curve.at(45) - 3.77) < 1e-9, `ocv(45) = ${curve.at(45)}`);
    sameNumber(curve.at(20), interpolate(ocv, 20), "segment boundary belongs to the lower segment");
    sameNumber(curve.at(-1), interpolate(ocv, -1), "below the first point");
    sameNumber(curve.at(150), interpolate(ocv, 150), "above the last point");
    sameNumber(curve.at(15.5), interpolate(ocv, 15.5), "back again");
  });

  it("the remembered segment's fields give exactly at(x) for every x inside them (callers interpolate inline)", () => {
    const fresh = (x: number) => new Curve(ocv).at(x);
    const check = (curve: Curve, xs: number[]): number => {
      let inline = 0;
      for (const x of xs) {
        // A stale field (segment moved, fields not) would give another line's y here.
        if (x > curve.segLoX && x <= curve.segHiX) {
          sameNumber(curve.interpolateInSegment(x), fresh(x), `inline x=${x}`);
          inline++;
        }
        sameNumber(curve.at(x), interpolate(ocv, x), `x=${x}`);
      }
      return inline;
    };
    assert.equal(new Curve(ocv).segLoX, Infinity, "no segment before the first call: nothing is inside it");
    // A slow walk up and down through every segment, as an SOC moves, then random jumps with short walks.
    const walk: number[] = [];
    for (let x = -1; x <= 101; x += 0.37) walk.push(x);
    for (let x = 101; x >= -1; x -= 0.53) walk.push(x);
    assert.ok(check(new Curve(ocv), walk) > 300, "the walk stays inside segments most of the time");
    fc.assert(fc.property(fc.array(fc.tuple(fc.double({ min: -5, max: 105, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true })), { minLength: 1, maxLength: 30 }), (jumps) => {
      check(new Curve(ocv), jumps.flatMap(([x, dx]) => [x, x + dx / 4, x + dx / 2, x + dx]));
    }));
  });

  it("keeps first-match semantics on curves with repeated or falling x (no remembered segment there)", () => {
    const odd = [{ x: 0, y: 1 }, { x: 10, y: 2 }, { x: 10, y: 5 }, { x: 5, y: 7 }, { x: 20, y: 3 }];
    const curve = new Curve(odd);
    for (const x of [7, 12, 3, 10, 15, 7, 25, -1, 10]) sameNumber(curve.at(x), interpolate(odd, x), `x=${x}`);
    assert.equal(curve.segLoX, Infinity, "no segment to interpolate in inline");
  });

  it("a single-point curve is a constant", () => {
    const curve = new Curve([{ x: 3, y: 9 }]);
    assert.equal(curve.at(0), 9);
    assert.equal(curve.at(5), 9);
  });
});
