import { strict as assert } from "assert";
import * as path from "path";

// The XS tier must be a real XS engine, not V8 in disguise: a V8-only API fails there.
describe("XS tier runner", function () {
  this.timeout(60000);
  it("runs tests inside XS, where a V8-only API fails and plain code passes", async () => {
    const runner = await import(path.resolve(__dirname, "../../build/xs-test.mjs"));
    const result = await runner.runXsTests([path.resolve(__dirname, "../fixtures/xs/v8-only.fixture.ts")], { quiet: true });
    assert.equal(result.passed, 1);
    assert.equal(result.failed, 1);
    assert.match(result.failures[0].title, /captureStackTrace/);
  });
  it("freezes the built-ins like the Moddable SDK does, so writes to frozen inherited properties fail", async () => {
    const runner = await import(path.resolve(__dirname, "../../build/xs-test.mjs"));
    const result = await runner.runXsTests([path.resolve(__dirname, "../fixtures/xs/frozen-intrinsics.fixture.ts")], { quiet: true });
    assert.equal(result.passed, 0);
    assert.equal(result.failed, 1);
    assert.match(result.failures[0].error, /name/);
  });
  it("refuses core code that imports a Node built-in", async () => {
    const runner = await import(path.resolve(__dirname, "../../build/xs-test.mjs"));
    const bundle = await import(path.resolve(__dirname, "../../build/xs/bundle.mjs"));
    void runner;
    await assert.rejects(bundle.bundleForXs({ contents: 'import * as fs from "fs"; console.log(fs);' }));
  });
});
