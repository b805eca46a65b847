import { strict as assert } from "assert";
import * as fs from "fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { builtinDocument, parseCabinetConfig } from "../../src/config/index";
import { startDashboard, type Dashboard } from "../../host-sim/dashboard/server";
import { DashboardCommands } from "../../host-sim/dashboard/commands";
import { runRealTime, type RealTimeHandle } from "../../host-sim/hal/realtime";
import { createSimCabinet, type SimCabinet } from "../../host-sim/sim-cabinet";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- page functions run in the browser
declare const document: any;

// The dashboard in a real browser (Debian's chromium, driven by playwright-core).
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = fs.existsSync(CHROMIUM);

(haveChromium ? describe : describe.skip)("dashboard in headless Chromium", function () {
  this.timeout(90000);
  let cabinet: SimCabinet;
  let dashboard: Dashboard;
  let pacing: RealTimeHandle;
  let browser: Browser;
  let page: Page;

  before(async () => {
    cabinet = createSimCabinet({ config: parseCabinetConfig(builtinDocument("ring-12x2")), seed: 7, stepMs: 1 });
    const commands = new DashboardCommands(cabinet);
    dashboard = await startDashboard({ port: 0, snapshot: () => cabinet.controller.buildSnapshot(), command: (b) => commands.apply(b) });
    pacing = runRealTime(cabinet.sim.runner, { speed: 4, frameMs: 20 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(dashboard.url);
  });

  after(async () => {
    await browser?.close();
    pacing?.stop();
    cabinet?.controller.close();
    await dashboard?.close();
  });

  it("loads and shows 12 guns and 24 modules of the ring", async () => {
    await page.waitForSelector("[data-gun-row='12']");
    assert.equal(await page.locator("svg#ring [data-gun]").count(), 12);
    assert.equal(await page.locator("svg#ring [data-module]").count(), 24);
    assert.equal(await page.locator("#guns tbody tr").count(), 12);
  });

  it("plugging an EV through the page starts a session, and an injected MC weld appears highlighted", async () => {
    await page.selectOption("#fault-kind", "mcWeld");
    await page.fill("#fault-target", "MC_3");
    await page.click("[data-testid=inject]");
    await page.waitForFunction(() => document.getElementById("message")?.textContent === "ok: fault");
    await page.selectOption("#plug-gun", "3");
    await page.selectOption("#plug-ev", "city");
    await page.click("[data-testid=plug]");
    // a session starts: the gun leaves IDLE
    await page.waitForFunction(() => {
      const cell = document.querySelector("[data-gun-row='3'] td:nth-child(2)");
      return !!cell && cell.textContent !== "IDLE";
    }, undefined, { timeout: 30000 });
    // the controller isolates gun 3, tries to open MC_3, finds it welded, and the page shows it
    await page.waitForSelector("#c-MC_3.welded", { timeout: 30000 });
    const cls = await page.getAttribute("#c-MC_3", "class");
    assert.match(cls ?? "", /welded/);
    assert.equal(await page.locator("svg#ring .sw.welded").count(), 1, "only MC_3 is welded");
    if (process.env.DASHBOARD_SCREENSHOT) await page.screenshot({ path: process.env.DASHBOARD_SCREENSHOT, fullPage: true });
  });

  it("answers a bad operator command with an error naming the field", async () => {
    await page.fill("#grid-kw", "-5");
    await page.click("[data-testid=grid]");
    await page.waitForFunction(() => /kW|powerKW/.test(document.getElementById("message")?.textContent ?? ""));
    const text = await page.textContent("#message");
    assert.match(text ?? "", /-5/);
  });
});
