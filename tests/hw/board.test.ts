import { strict as assert } from "assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { BoardError, parseBoard, validateBoard, type BoardConfig } from "../../hal/board";
import { PreferenceStorage, type PreferenceLike } from "../../hal/moddable/preference-storage";
import { builtinDocument, indexCabinet, parseCabinetConfig } from "../../src/config";
import { infypower } from "../../src/protocols";

const boardsDir = path.join(__dirname, "../../hal/moddable/boards");
const ring = indexCabinet(parseCabinetConfig(builtinDocument("ring-12x2")));
const load = (name: string) => JSON.parse(fs.readFileSync(path.join(boardsDir, name), "utf8")) as BoardConfig;

describe("hal/board description", () => {
  for (const name of fs.readdirSync(boardsDir).filter((f) => f.endsWith(".json"))) {
    it(`${name} is valid and covers every ring-12x2 contactor`, () => {
      const b = parseBoard(load(name), ring, infypower.bitrate);
      assert.equal(b.contactors.length, 48);
      assert.ok(Object.isFrozen(b.can));
    });
  }

  it("names every structural problem by path", () => {
    const doc = load("esp32-ring-12x2-mcp23017.json") as unknown as Record<string, unknown>;
    const bad = {
      ...doc,
      outputs: [{ kind: "mcp23017", address: 0x40 }, { kind: "relay" }],
      can: { transport: "mcp2515", select: 5, oscillatorHz: 12000000, bitrate: 125000, extra: 1 },
      name: "",
    };
    const issues = validateBoard(bad).map((i) => `${i.path}: ${i.message}`);
    assert.ok(issues.includes("outputs[0].address: must be <= 39, got 64"), issues.join("\n"));
    assert.ok(issues.some((i) => i.startsWith("outputs[1].kind: must be one of")));
    assert.ok(issues.some((i) => i.startsWith("can.oscillatorHz: must be one of 8000000, 16000000, got 12000000")));
    assert.ok(issues.some((i) => i.startsWith("can.extra: unknown key")));
    assert.ok(issues.includes("name: must not be empty"));
  });

  it("cross-checks pins, addresses, channels and the cabinet", () => {
    const doc = structuredClone(load("esp32-ring-12x2-mcp23017.json"));
    doc.inputs[1] = { kind: "mcp23017", address: 0x20 };
    if (doc.can.transport === "mcp2515") doc.can.interrupt = 21;
    doc.contactors[3].coil = 48;
    doc.contactors[4].aux = 5;
    doc.contactors.pop();
    doc.contactors.push({ id: "GC_99", coil: 47, aux: 47 });
    try {
      parseBoard(doc);
      assert.fail("should throw");
    } catch (e) {
      assert.ok(e instanceof BoardError);
      const text = e.message;
      assert.match(text, /inputs\[1\]\.address: I2C address 0x20 is already used by outputs\[0\]\.address/);
      assert.match(text, /can\.interrupt: pin 21 is already used by i2c\.data/);
      assert.match(text, /contactors\[3\]\.coil: channel 48 does not exist \(outputs have 48\)/);
      assert.match(text, /contactors\[5\]\.aux: channel 5 already reads "MN_2_1"/);
    }
    const valid = structuredClone(load("esp32-ring-12x2-mcp23017.json"));
    valid.contactors[47] = { id: "GC_99", coil: 47, aux: 47 };
    assert.throws(() => parseBoard(valid, ring), /has no coil\/aux channel on this board[\s\S]*"GC_99" is not a contactor of this cabinet/);
    const slow = structuredClone(load("esp32-ring-12x2-mcp23017.json"));
    slow.can.bitrate = 500000;
    assert.throws(() => parseBoard(slow, ring, 125000), /can\.bitrate: 500000 does not match the module protocol's 125000/);
  });

  it("requires the buses its devices use", () => {
    const doc = structuredClone(load("esp32-ring-12x2-shift-slcan.json")) as unknown as Record<string, unknown>;
    delete doc.spi;
    const issues = validateBoard(doc).map((i) => `${i.path}: ${i.message}`);
    assert.ok(issues.includes("spi: is required: a 74HC595/165 chain or an MCP2515 is listed"));
  });
});

/** The `preference` module's behaviour as documented: ≤ 15-character keys, per domain. */
function fakePreference(): PreferenceLike & { raw: Map<string, string | number | boolean | ArrayBuffer> } {
  const raw = new Map<string, string | number | boolean | ArrayBuffer>();
  const check = (domain: string, key: string) => {
    if (domain.length > 15 || key.length > 15) throw new Error(`key too long: ${domain}/${key}`);
  };
  return {
    raw,
    set(domain, key, value) {
      check(domain, key);
      raw.set(`${domain}/${key}`, value);
    },
    get(domain, key) {
      check(domain, key);
      return raw.get(`${domain}/${key}`);
    },
    delete(domain, key) {
      raw.delete(`${domain}/${key}`);
    },
    keys(domain) {
      return [...raw.keys()].filter((k) => k.startsWith(domain + "/")).map((k) => k.slice(domain.length + 1));
    },
  };
}

describe("hal/moddable PreferenceStorage", () => {
  it("stores short and long keys within the 15-character limit and lists real keys", () => {
    const pref = fakePreference();
    const s = new PreferenceStorage({ domain: "cabinet", preference: pref });
    s.set("mode", "auto");
    s.set("sessions.last.gun.12.energyWh", "12345");
    s.set("~tilde", "x");
    assert.equal(s.get("mode"), "auto");
    assert.equal(s.get("sessions.last.gun.12.energyWh"), "12345");
    assert.equal(s.get("~tilde"), "x");
    assert.equal(s.get("missing"), undefined);
    assert.deepEqual(s.keys(), ["mode", "sessions.last.gun.12.energyWh", "~tilde"]);
    assert.deepEqual(s.keys("sessions."), ["sessions.last.gun.12.energyWh"]);
    s.set("sessions.last.gun.12.energyWh", "222");
    assert.equal(s.keys().length, 3, "overwrite, not a second slot");
    s.delete("sessions.last.gun.12.energyWh");
    assert.equal(s.get("sessions.last.gun.12.energyWh"), undefined);
    assert.ok([...pref.raw.keys()].every((k) => k.split("/")[1].length <= 15));
  });

  it("refuses oversized values and domains with a clear error", () => {
    const s = new PreferenceStorage({ domain: "cabinet", preference: fakePreference() });
    assert.throws(() => s.set("big", "x".repeat(5000)), /value for "big" is 5000 characters, limit 3900/);
    assert.throws(() => new PreferenceStorage({ domain: "a-very-long-domain", preference: fakePreference() }), /domain "a-very-long-domain" must be 1\.\.15 characters/);
  });
});
