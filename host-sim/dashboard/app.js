// Dashboard client: renders cabinet snapshots pushed over server-sent events.
// Plain browser JavaScript, no build step, no external resources.
"use strict";
(function () {
  const NS = "http://www.w3.org/2000/svg";
  const GUN_COLOURS = ["#2563eb", "#db2777", "#16a34a", "#ea580c", "#7c3aed", "#0891b2", "#ca8a04", "#be123c", "#4d7c0f", "#9333ea", "#0d9488", "#c2410c"];
  const FAULT_KINDS = ["mcWeld", "mnWeld", "gcWeld", "contactorStuckOpen", "moduleFail", "moduleOverTemp", "imd", "overCurrent", "overVoltage", "connectorOverTemp", "estop", "door", "moduleCommsLoss"];
  const EVS = {
    city: { batteryKWh: 60, maxPowerKW: 90, packVoltageV: 400 },
    suv: { batteryKWh: 100, maxPowerKW: 150, packVoltageV: 400 },
    fast: { batteryKWh: 90, maxPowerKW: 250, packVoltageV: 800 },
    truck: { batteryKWh: 400, maxPowerKW: 350, packVoltageV: 800 },
  };
  const history = []; // [{t, powers: {gunId: kW}}]
  let last = null;
  let built = false;

  const $ = (id) => document.getElementById(id);
  const el = (name, attrs, parent) => {
    const node = document.createElementNS(NS, name);
    for (const k in attrs) node.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(node);
    return node;
  };
  const colour = (gunId) => (gunId ? GUN_COLOURS[(gunId - 1) % GUN_COLOURS.length] : "#eef0f4");

  function contactorClass(c) {
    if (!c) return "sw open";
    let cls = "sw " + c.aux;
    if (c.commanded !== c.aux) cls += " mismatch";
    if (c.fault) cls += " welded";
    return cls;
  }

  function buildRing(s) {
    const svg = $("ring");
    svg.innerHTML = "";
    const n = s.slots.length;
    const R = 230;
    s.slots.forEach((slot, i) => {
      const a = (-90 + (i * 360) / n) * (Math.PI / 180);
      const x = R * Math.cos(a), y = R * Math.sin(a);
      const g = el("g", { transform: `translate(${x.toFixed(1)},${y.toFixed(1)})`, "data-slot": slot.id }, svg);
      el("rect", { x: -34, y: -22, width: 68, height: 44, rx: 6, class: "slot-bg", id: `slot-${slot.id}` }, g);
      el("text", { x: -30, y: -10 }, g).textContent = `S${slot.id}`;
      slot.modules.forEach((m, k) => {
        const mx = -26 + k * 28;
        el("rect", { x: mx, y: -4, width: 22, height: 18, rx: 2, class: "mod off", "data-module": m, id: `mod-${m}` }, g);
        el("title", {}, $(`mod-${m}`) || g).textContent = m;
      });
      // MC: on the ring between this slot and its clockwise neighbour
      const b = (-90 + ((i + 0.5) * 360) / n) * (Math.PI / 180);
      const mx = R * Math.cos(b), my = R * Math.sin(b);
      const mc = el("rect", { x: (mx - 7).toFixed(1), y: (my - 7).toFixed(1), width: 14, height: 14, class: "sw closed", "data-contactor": slot.mc, id: `c-${slot.mc}` }, svg);
      el("title", {}, mc).textContent = slot.mc;
      if (slot.gunId) {
        const gx = (R + 85) * Math.cos(a), gy = (R + 85) * Math.sin(a);
        const cx = (R + 50) * Math.cos(a), cy = (R + 50) * Math.sin(a);
        el("line", { x1: (R + 22) * Math.cos(a), y1: (R + 22) * Math.sin(a), x2: gx, y2: gy, stroke: "#9ca3af" }, svg);
        const gun = s.guns.find((gg) => gg.id === slot.gunId);
        const gcId = gun ? gun.gc : null;
        const gc = el("rect", { x: (cx - 6).toFixed(1), y: (cy - 6).toFixed(1), width: 12, height: 12, class: "sw open", "data-contactor": gcId || "", id: gcId ? `c-${gcId}` : "" }, svg);
        el("title", {}, gc).textContent = gcId || "";
        const label = el("text", { x: (gx - 14).toFixed(1), y: (gy + 4).toFixed(1), class: "gun-label", "data-gun": slot.gunId, id: `gun-${slot.gunId}` }, svg);
        label.textContent = `G${slot.gunId}`;
      }
    });
    // ring line behind everything
    const ring = el("circle", { cx: 0, cy: 0, r: R, fill: "none", stroke: "#c9ced8", "stroke-width": 3 });
    svg.insertBefore(ring, svg.firstChild);
  }

  function buildMatrix(s) {
    const svg = $("ring");
    svg.innerHTML = "";
    const mods = s.modules, guns = s.guns;
    const x0 = -300, y0 = -280, dx = 560 / Math.max(1, mods.length), dy = 480 / Math.max(1, guns.length);
    mods.forEach((m, i) => {
      el("rect", { x: x0 + 60 + i * dx, y: y0, width: 26, height: 20, class: "mod off", "data-module": m.id, id: `mod-${m.id}` }, svg);
      el("text", { x: x0 + 60 + i * dx, y: y0 - 4 }, svg).textContent = m.id;
    });
    guns.forEach((g, j) => {
      const t = el("text", { x: x0, y: y0 + 50 + j * dy + 10, class: "gun-label", "data-gun": g.id, id: `gun-${g.id}` }, svg);
      t.textContent = `G${g.id}`;
      mods.forEach((m, i) => {
        const c = s.contactors.find((cc) => cc.kind === "MX" && cc.moduleId === m.id && cc.gunId === g.id);
        if (!c) return;
        el("rect", { x: x0 + 66 + i * dx, y: y0 + 50 + j * dy, width: 14, height: 14, class: "sw open", "data-contactor": c.id, id: `c-${c.id}` }, svg);
      });
    });
  }

  function build(s) {
    $("charger").textContent = s.chargerId;
    if (s.topology === "ring") buildRing(s);
    else buildMatrix(s);
    const gunSel = $("plug-gun");
    gunSel.innerHTML = s.guns.map((g) => `<option value="${g.id}">${g.id}</option>`).join("");
    $("fault-kind").innerHTML = FAULT_KINDS.map((k) => `<option>${k}</option>`).join("");
    $("grid-kw").value = s.gridLimitKW;
    built = true;
  }

  function update(s) {
    if (!built || (last && (last.chargerId !== s.chargerId || last.slots.length !== s.slots.length))) build(s);
    last = s;
    $("totals").textContent = `${fixed(s.totalPowerKW, 1)} kW of ${s.capacityKW.toFixed(0)} kW capacity · grid limit ${s.gridLimitKW} kW · t=${(s.timeMs / 1000).toFixed(1)} s`;
    for (const c of s.contactors) {
      const node = document.getElementById(`c-${c.id}`);
      if (node) {
        node.setAttribute("class", contactorClass(c));
        node.dataset.fault = c.fault || "";
      }
    }
    for (const m of s.modules) {
      const node = document.getElementById(`mod-${m.id}`);
      if (node) {
        node.setAttribute("class", `mod ${m.state}`);
        node.setAttribute("stroke", m.gunId ? colour(m.gunId) : "#6b7280");
        node.setAttribute("stroke-width", m.gunId ? 3 : 1);
      }
    }
    if (s.topology === "ring") {
      for (const slot of s.slots) {
        const owner = s.guns.find((g) => g.islandSlots.includes(slot.id));
        const bg = document.getElementById(`slot-${slot.id}`);
        if (bg) bg.setAttribute("style", owner ? `fill:${colour(owner.id)}33;stroke:${colour(owner.id)}` : "");
      }
    }
    for (const g of s.guns) {
      const label = document.getElementById(`gun-${g.id}`);
      if (label) label.setAttribute("fill", g.plugged ? colour(g.id) : "#6b7280");
    }
    renderGuns(s);
    renderLog("faults", s.faults.slice(-30).reverse().map((f) => ({ text: `${(f.atMs / 1000).toFixed(2)} s ${f.severity} ${f.kind} @ ${f.location}: ${f.message}`, active: f.active })));
    renderLog("events", s.events.slice(-40).reverse().map((e) => ({ text: `${(e.atMs / 1000).toFixed(2)} s ${e.kind}: ${e.text}` })));
    history.push({ t: s.timeMs, powers: Object.fromEntries(s.guns.map((g) => [g.id, g.powerKW])) });
    while (history.length > 2 && history[history.length - 1].t - history[0].t > 120000) history.shift();
    renderPlot(s);
  }

  const fixed = (x, digits) => (Math.abs(x) < 0.5 * Math.pow(10, -digits) ? 0 : x).toFixed(digits);

  function renderGuns(s) {
    const body = $("guns").querySelector("tbody");
    body.innerHTML = s.guns
      .map((g) => `<tr data-gun-row="${g.id}"><td style="color:${colour(g.id)}">${g.id}</td><td>${g.state}</td><td>${g.phase}</td>` +
        `<td>${g.socPct == null ? "" : g.socPct.toFixed(0) + "%"}</td><td>${fixed(g.voltageV, 0)}</td><td>${fixed(g.currentA, 1)}</td>` +
        `<td>${fixed(g.powerKW, 1)}</td><td>${fixed(g.requestKW, 0)}</td><td>${fixed(g.budgetKW, 1)}</td><td>${g.modules.join(" ")}</td>` +
        `<td>${g.islandSlots.join(",")}</td><td>${g.energyKWh.toFixed(2)}</td><td>${g.reason || ""}</td>` +
        `<td>${g.plugged ? `<button data-stop="${g.id}">Stop</button> <button data-unplug="${g.id}">Unplug</button>` : ""}</td></tr>`)
      .join("");
  }

  function renderLog(id, items) {
    $(id).innerHTML = items.map((i) => `<li class="${i.active ? "active" : ""}">${i.text.replace(/</g, "&lt;")}</li>`).join("");
  }

  function renderPlot(s) {
    const svg = $("plot");
    svg.innerHTML = "";
    if (history.length < 2) return;
    const t0 = history[0].t, t1 = history[history.length - 1].t;
    const maxKW = Math.max(50, ...history.flatMap((h) => Object.values(h.powers)));
    for (const g of s.guns) {
      const pts = history.map((h) => `${(((h.t - t0) / Math.max(1, t1 - t0)) * 400).toFixed(1)},${(160 - ((h.powers[g.id] || 0) / maxKW) * 150).toFixed(1)}`).join(" ");
      el("polyline", { points: pts, fill: "none", stroke: colour(g.id), "stroke-width": 1.5 }, svg);
    }
    el("text", { x: 2, y: 10 }, svg).textContent = `${maxKW.toFixed(0)} kW`;
  }

  async function send(command) {
    const res = await fetch("/api/command", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(command) });
    const body = await res.json().catch(() => ({ ok: false, error: "bad response" }));
    $("message").textContent = body.ok ? `ok: ${command.type}` : body.error;
    return body;
  }

  $("plug-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const ev = EVS[$("plug-ev").value];
    send({ type: "plug", gun: Number($("plug-gun").value), ev: { ...ev, socPct: Number($("plug-soc").value), targetSocPct: 80 } });
  });
  $("fault-form").addEventListener("submit", (e) => {
    e.preventDefault();
    send({ type: "fault", kind: $("fault-kind").value, target: $("fault-target").value });
  });
  $("fault-clear").addEventListener("click", () => send({ type: "clearFault", kind: $("fault-kind").value, target: $("fault-target").value }));
  $("grid-form").addEventListener("submit", (e) => {
    e.preventDefault();
    send({ type: "gridLimit", kW: Number($("grid-kw").value) });
  });
  $("guns").addEventListener("click", (e) => {
    const t = e.target;
    if (t.dataset.stop) send({ type: "stop", gun: Number(t.dataset.stop) });
    if (t.dataset.unplug) send({ type: "unplug", gun: Number(t.dataset.unplug) });
  });

  const source = new EventSource("/events");
  source.onopen = () => ($("link").textContent = "live");
  source.onerror = () => ($("link").textContent = "reconnecting…");
  source.onmessage = (msg) => update(JSON.parse(msg.data));
})();
