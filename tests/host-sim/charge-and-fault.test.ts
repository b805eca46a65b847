import { strict as assert } from "assert";
import {
  CHARGE_AND_FAULT_IMD_GUN,
  chargeAndFaultScenario,
  checkChargeAndFault,
  createChargeAndFaultCabinet,
  runChargeAndFault,
} from "../../host-sim/scenario/charge-and-fault";
import { validateScenario } from "../../host-sim/scenario/validate";

// The scripted scenario that `npm run test:mcsim` also runs inside the Moddable
// simulator: the same checks must hold under Node.
describe("charge-and-fault scenario (also run inside mcsim)", () => {
  it("is a valid scenario document", () => {
    const result = validateScenario(chargeAndFaultScenario());
    assert.ok(result.ok, JSON.stringify(result));
  });

  it("passes every check: no §5 violation, energy delivered, IMD gun safe in time, weld found", () => {
    const checks = runChargeAndFault();
    assert.ok(checks.length >= 6);
    assert.deepEqual(checks.filter((c) => !c.ok).map((c) => `${c.title}: ${c.detail}`), []);
  });

  it("the checks can fail: stopping before the IMD fault leaves no safe-state reaction", () => {
    const scenario = chargeAndFaultScenario();
    const cabinet = createChargeAndFaultCabinet(scenario);
    try {
      cabinet.sim.runner.runUntil(5000);
      const failed = checkChargeAndFault(cabinet).filter((c) => !c.ok).map((c) => c.title);
      assert.ok(failed.some((t) => t.includes(`IMD fault on gun ${CHARGE_AND_FAULT_IMD_GUN}`)), failed.join("; "));
      assert.ok(failed.some((t) => t.includes("welded")), failed.join("; "));
    } finally {
      cabinet.controller.close();
    }
  });
});
