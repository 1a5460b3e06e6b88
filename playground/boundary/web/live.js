// The Decision boundary's live view: the glue between Streamlit, the engine and the drawing.
// Python sends the settings, the points (and their feature columns), the start weights and the
// texts as `data`; this file trains with engine.js at the browser's frame rate, draws with draw.js,
// and sends back (setTriggerValue) what Python keeps: "sync" = epoch, weights and the loss rows
// since the epoch Python acknowledged (every 5 s while playing, and at Pause,
// Step and a weight edit), "action" = a setting or a request only Python can serve (Reset, an input
// switched on/off, a point drawn). User text never reaches innerHTML: everything is set as text.

import { createModel } from "./engine.js";
import * as features from "./features.js";
import * as draw from "./draw.js";

const OUTPUT_SIDE = 64, NEURON_SIDE = 24; // grid cells of the big map and of each neuron's map
const FRAME_BUDGET_MS = 10; // training time per frame while playing (at least one epoch)
const NUMBERS_EVERY_MS = 500; // the aria-live numbers: at most twice a second
const SYNC_EVERY_MS = 5000; // weights back to Python while playing: each report reruns the live fragment on the server (a few ms of its CPU)
const MAX_SNAPSHOTS = 400; // replay keeps at most this many weight snapshots (thinned evenly, as session.py)
// The loss rows kept: every epoch up to this many, then every 2nd, 4th, ... (and always the first and
// the newest), as session.py keeps them. At ~1,500 epochs a second an unthinned history would make
// every report to Python carry thousands of rows and every frame draw them all.
const MAX_HISTORY = 1000;
// At most this many of those rows go to Python in one report (thinned the same way). Checking and
// keeping a row costs the server ~10 us; a tab's first reports at full speed carried ~900 rows.
const MAX_REPORT_ROWS = 100;
const EXPLODED = 1e6;


/** The rows of `history` after epoch `acknowledged`, at most `most` of them: every `every`-th epoch
 *  (the history's own beat), or every 2nd, 4th, ... of those if there are too many, and the newest. */
export function reportRows(history, acknowledged, every, most) {
  let rows = history.filter((row) => row[0] > acknowledged);
  while (rows.length > most) {
    every *= 2;
    const newest = rows[rows.length - 1];
    rows = rows.filter((row) => row === newest || row[0] % every === 0);
  }
  return rows;
}


export function mount({ data, parentElement, setTriggerValue }) {
  // The page sends JSON bytes {fixed, changing}: the part that stays the same for a run is made once.
  const sent = JSON.parse(new TextDecoder().decode(data));
  let root = parentElement.querySelector(".bd-live"), view = root.bdView;
  if (view && !(view instanceof View)) { // this file was loaded again (a new version): the old view stops
    const fresh = root.cloneNode(true); // ...and its listeners stay with the old element
    root.replaceWith(fresh);
    root = fresh;
    view = null;
  }
  if (!view) root.bdView = view = new View(root);
  view.send = setTriggerValue;
  view.update({ ...sent.fixed, ...sent.changing });
}

function finite(value) {
  return typeof value === "number" && Number.isFinite(value);
}

function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

class View {
  constructor(root) {
    this.root = root;
    const $ = (selector) => this.root.querySelector(selector);
    this.el = {
      play: $(".bd-play"), step: $(".bd-step"), reset: $(".bd-reset"), numbers: $(".bd-numbers"),
      epoch: $("[data-testid=boundary-epoch]"), trainLoss: $("[data-testid=boundary-train-loss]"),
      testLoss: $("[data-testid=boundary-test-loss]"), trainAccuracy: $("[data-testid=boundary-train-accuracy]"),
      testAccuracy: $("[data-testid=boundary-test-accuracy]"), network: $(".bd-network"), links: $(".bd-links"),
      nodes: $(".bd-nodes"), message: $(".bd-message"), edit: $(".bd-edit"), map: $(".bd-map"), heat: $(".bd-heat"),
      dots: $(".bd-dots"), caption: $(".bd-map-caption"), loss: $(".bd-loss"), replay: $(".bd-replay"),
      replayValue: $(".bd-replay-value"),
    };
    this.playing = false;
    this.runId = null;
    this.shown = null; // the neuron whose map the big panel shows ([layer, index]) or null: the output
    this.replayAt = null; // the snapshot index being replayed, or null: the current weights
    this.frames = 0; // map redraws (bench and tests read data-frame)
    this.lastNumbers = 0;
    this.lastSync = 0;
    this.el.play.addEventListener("click", () => this.setPlaying(!this.playing));
    this.el.step.addEventListener("click", () => this.step());
    this.el.reset.addEventListener("click", () => this.reset());
    this.el.replay.addEventListener("input", () => this.replay(+this.el.replay.value));
    this.el.map.addEventListener("click", (event) => this.mapClicked(event));
    this.el.edit.querySelector("input").addEventListener("keydown", (event) => this.editKey(event));
    this.el.edit.querySelector("input").addEventListener("blur", () => { this.el.edit.hidden = true; });
    this.resizer = new ResizeObserver(() => { this.layout(); this.render(true); });
    this.resizer.observe(this.el.network);
    this.loop = this.loop.bind(this);
    requestAnimationFrame(this.loop);
  }

  // -- data from Python -------------------------------------------------------------------------

  update(data) {
    this.data = data;
    this.texts = data.texts;
    for (const node of this.root.querySelectorAll("[data-text]")) node.textContent = this.texts[node.dataset.text] ?? "";
    this.el.step.textContent = this.texts.step;
    this.el.reset.textContent = this.texts.reset;
    this.el.map.setAttribute("aria-label", this.texts.mapLabel);
    this.el.network.setAttribute("aria-label", this.texts.networkLabel);
    this.el.replay.setAttribute("aria-label", this.texts.replay);
    this.el.map.classList.toggle("bd-drawing", !!data.drawing);
    for (const node of this.root.querySelectorAll(".bd-accuracy")) node.hidden = !data.points.classes;
    this.legend(data.points.classes);
    if (!data.run) { // fewer than two points: only the map, to draw on
      this.runId = null; this.model = null; this.playing = false;
      this.history = []; this.snapshots = [];
    } else if (data.run !== this.runId) {
      this.start(data);
    } else {
      this.model.setTraining(data.training);
      this.acknowledged = Math.max(this.acknowledged, data.epoch);
    }
    if (data.drawing || !data.run) this.playing = false;
    this.layout();
    this.paintDots();
    this.render(true);
    this.showNumbers(true);
    this.showButtons();
  }

  start(data) {
    this.runId = data.run;
    this.model = createModel({ ...data.spec, ...data.training, params: data.params });
    this.startParams = Float64Array.from(data.params);
    this.epoch = data.epoch;
    this.acknowledged = data.epoch;
    this.exploded = data.exploded;
    if (this.exploded) this.model.exploded = true;
    this.history = data.history.map((row) => row.slice());
    this.snapshots = [[this.epoch, Float64Array.from(this.model.params)]];
    this.snapshotEvery = 1;
    this.historyEvery = 1;
    this.replayAt = null;
    this.shown = null;
    this.train = { x: Float64Array.from(data.train.x), labels: Float64Array.from(data.train.labels), n: data.train.labels.length };
    this.test = { x: Float64Array.from(data.test.x), labels: Float64Array.from(data.test.labels), n: data.test.labels.length };
    const grid = draw.gridPoints(OUTPUT_SIDE);
    this.grid = { inputs: featureRows(data.featureIds, grid.xs, grid.ys), n: OUTPUT_SIDE * OUTPUT_SIDE };
    const all = features.FEATURE_IDS || data.allFeatures.map((f) => f.id);
    const small = draw.gridPoints(NEURON_SIDE);
    this.inputMaps = Object.fromEntries(all.map((id) => [id, featureRows([id], small.xs, small.ys)]));
    if (this.history.length === 0) this.record();
  }

  // -- training ---------------------------------------------------------------------------------

  setPlaying(playing) {
    if (playing && (!this.model || this.exploded || this.data.drawing)) return;
    this.playing = playing;
    this.showButtons();
    if (!playing) { this.sync("pause"); this.showNumbers(true); this.render(true); }
  }

  step() {
    if (!this.model || this.exploded || this.data.drawing) return;
    this.playing = false;
    this.trainEpoch();
    this.showButtons();
    this.showNumbers(true);
    this.render(true);
    this.sync();
  }

  reset() {
    if (!this.data.run) return;
    this.playing = false;
    this.send("action", { type: "reset", run: this.runId });
    this.showButtons();
  }

  /** One epoch. The engine undoes an epoch whose loss is not finite or above 1e6 and stops for
   * good (model.exploded): the weights and numbers keep their last sound values, as session.Run.train. */
  trainEpoch() {
    this.model.trainEpoch(this.train.x, this.train.labels, this.train.n, undefined, this.test);
    if (this.model.exploded) {
      this.exploded = this.epoch + 1;
      this.playing = false;
      return false;
    }
    const m = this.model.lastMetrics;
    this.epoch += 1;
    this.record([this.epoch, m.trainLoss, m.testLoss, m.trainAccuracy ?? NaN, m.testAccuracy ?? NaN]);
    return true;
  }

  measure(model) {
    const train = this.train.n ? model.evaluate(this.train.x, this.train.labels, this.train.n) : { loss: NaN, accuracy: NaN };
    const test = this.test.n ? model.evaluate(this.test.x, this.test.labels, this.test.n) : { loss: NaN, accuracy: NaN };
    return [this.epoch, train.loss, test.loss, train.accuracy ?? NaN, test.accuracy ?? NaN];
  }

  record(row = null) {
    row = row || this.measure(this.model);
    const history = this.history;
    if (history.length > 1 && history[history.length - 1][0] % this.historyEvery) history.pop(); // newest only
    history.push(row);
    if (history.length > MAX_HISTORY) {
      this.historyEvery *= 2;
      this.history = history.filter((r, i) => i === 0 || i === history.length - 1 || r[0] % this.historyEvery === 0);
    }
    if (this.epoch % this.snapshotEvery === 0) {
      this.snapshots.push([this.epoch, Float64Array.from(this.model.params)]);
      if (this.snapshots.length > MAX_SNAPSHOTS) {
        this.snapshots = this.snapshots.filter((_, i) => i % 2 === 0);
        this.snapshotEvery *= 2;
      }
    }
  }

  /** Epoch, weights and the rows Python has not acknowledged yet; `reason` "pause" when the student
   *  pressed Pause (Python then posts the result to the class board, if the student is in a class). */
  sync(reason = null) {
    if (!this.model || !this.send) return;
    const rows = reportRows(this.history, this.acknowledged, this.historyEvery, MAX_REPORT_ROWS)
      .map((row) => row.map((v) => (finite(v) ? v : null)));
    this.lastSync = performance.now();
    this.send("sync", { run: this.runId, epoch: this.epoch, params: Array.from(this.model.params), rows,
                        exploded: this.exploded || null, reason });
    // Taken as kept: while a run plays the page sends its data again unchanged (session.py keeps
    // these rows; a report it refused loses them from Python's curve, never from this one).
    this.acknowledged = Math.max(this.acknowledged, this.epoch);
  }

  loop(now) {
    if (!this.root.isConnected) { this.resizer.disconnect(); return; } // the page moved on
    if (this.playing && this.model) {
      const started = performance.now();
      do { if (!this.trainEpoch()) break; } while (performance.now() - started < FRAME_BUDGET_MS);
      this.replayAt = null;
      this.render(false);
      this.showNumbers(!this.playing);
      if (!this.playing) { this.showButtons(); this.sync(); }
      else if (now - this.lastSync > SYNC_EVERY_MS) this.sync();
    }
    requestAnimationFrame(this.loop);
  }

  // -- what the page shows ---------------------------------------------------------------------

  showButtons() {
    const el = this.el, blocked = !this.model || !!this.exploded || !!this.data.drawing;
    el.play.textContent = this.playing ? this.texts.pause : this.texts.play;
    el.play.disabled = blocked;
    el.play.title = this.data.drawing ? this.texts.drawingPauses : "";
    el.step.disabled = blocked;
    el.step.title = this.texts.stepHelp;
    el.reset.disabled = !this.data.run;
    el.reset.title = this.texts.resetHelp;
    el.replay.disabled = this.playing || !this.snapshots || this.snapshots.length < 2;
    el.replay.max = Math.max(0, (this.snapshots?.length || 1) - 1);
    if (this.replayAt === null) el.replay.value = el.replay.max;
    const epoch = this.replayAt === null ? this.epoch : this.snapshots[this.replayAt][0];
    el.replay.setAttribute("aria-valuetext", (epoch ?? 0).toLocaleString("en-US"));
    el.replayValue.textContent = this.playing ? this.texts.pauseToReplay : (epoch ?? 0).toLocaleString("en-US");
    el.message.hidden = !this.exploded;
    if (this.exploded) {
      el.message.textContent = format(this.texts.exploded, { epoch: this.exploded, rate: this.data.training.learningRate,
                                                             kept: this.epoch });
    }
  }

  /** The numbers (an aria-live region): at most twice a second unless `now`. */
  showNumbers(now) {
    const time = performance.now();
    if (!now && time - this.lastNumbers < NUMBERS_EVERY_MS) return;
    this.lastNumbers = time;
    let row = this.history?.length ? this.history[this.history.length - 1] : null;
    if (this.replayAt !== null) row = this.history.find((r) => r[0] === this.snapshots[this.replayAt][0]) || row;
    const loss = (v) => (finite(v) ? v.toFixed(4) : "–"), share = (v) => (finite(v) ? (100 * v).toFixed(1) + "%" : "–");
    this.el.epoch.textContent = row ? row[0].toLocaleString("en-US") : "0";
    this.el.trainLoss.textContent = row ? loss(row[1]) : "–";
    this.el.testLoss.textContent = row ? loss(row[2]) : "–";
    this.el.trainAccuracy.textContent = row ? share(row[3]) : "–";
    this.el.testAccuracy.textContent = row ? share(row[4]) : "–";
  }

  replay(index) {
    if (this.playing || !this.snapshots?.length) return;
    this.replayAt = index >= this.snapshots.length - 1 ? null : index;
    this.showButtons();
    this.showNumbers(true);
    this.render(true);
  }

  /** The model whose maps are drawn: the current one, or a replayed snapshot's. */
  shownModel() {
    if (this.replayAt === null) return this.model;
    return createModel({ ...this.data.spec, ...this.data.training, params: Array.from(this.snapshots[this.replayAt][1]) });
  }

  /** Positions of the diagram's nodes (inputs: all seven features, the used ones solid). */
  layout() {
    const data = this.data, el = this.el;
    const width = el.network.clientWidth, height = el.network.clientHeight;
    if (!width || !height) return;
    const columns = [data.allFeatures.length, ...(data.run ? data.spec.sizes.slice(1, -1) : []), 1];
    const staggered = columns.length > 5; // every other column's title one title higher: neighbours never share a line
    const tallest = Math.max(...columns), top = staggered ? 66 : 34, bottom = 4;
    const node = Math.max(14, Math.min(44, (height - top - bottom) / (tallest * 1.25)));
    const left = 48, right = node / 2 + 4;
    const gap = columns.length > 1 ? (width - left - right - node / 2) / (columns.length - 1) : 0;
    const rowGap = (height - top - bottom) / tallest;
    this.positions = columns.map((count, column) => Array.from({ length: count }, (_, row) => ({
      x: left + node / 2 + column * gap,
      y: top + ((height - top - bottom) - count * rowGap) / 2 + (row + 0.5) * rowGap,
    })));
    this.node = node;
    el.nodes.replaceChildren();
    this.canvases = [];
    const titles = [data.texts.inputs, ...(data.run ? data.spec.sizes.slice(1, -1).map((n, i) =>
      `${format(data.texts.layerTitle, { layer: i + 1 })}\n${n} × ${data.spec.activations[i]}`) : []),
      `${data.texts.output}\n${data.run ? data.spec.output : ""}`];
    titles.forEach((text, column) => {
      const title = document.createElement("div");
      title.className = "bd-column-title";
      title.style.left = `${this.positions[column][0].x}px`;
      if (staggered && column % 2 === 0) title.style.top = "0";
      else if (staggered) title.style.top = "32px";
      title.textContent = text;
      el.nodes.append(title);
    });
    this.positions.forEach((column, c) => {
      this.canvases.push(column.map((p, r) => {
        const box = document.createElement("div");
        box.className = "bd-node";
        Object.assign(box.style, { left: `${p.x - node / 2}px`, top: `${p.y - node / 2}px`, width: `${node}px`, height: `${node}px` });
        const canvas = document.createElement("canvas");
        box.append(canvas);
        if (c === 0) this.inputNode(box, data.allFeatures[r]);
        else if (data.run) this.hiddenNode(box, c, r, c === columns.length - 1);
        el.nodes.append(box);
        return canvas;
      }));
    });
    this.drawLinks(true);
  }

  inputNode(box, feature) {
    box.classList.add("bd-input");
    box.classList.toggle("bd-off", !feature.on);
    const name = document.createElement("span");
    name.className = "bd-node-name";
    name.textContent = feature.title;
    box.append(name);
    box.setAttribute("role", "button");
    box.setAttribute("aria-pressed", String(feature.on));
    box.setAttribute("aria-label", format(this.texts.toggleFeature, { feature: feature.title }));
    box.title = format(this.texts.toggleFeature, { feature: feature.title });
    box.tabIndex = 0;
    const toggle = () => {
      if (this.data.lockFeatures) return;
      this.playing = false;
      this.send("action", { type: "feature", id: feature.id, on: !feature.on });
    };
    box.addEventListener("click", toggle);
    box.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); toggle(); } });
    if (feature.on) this.hoverable(box, ["input", feature.id], feature.title);
  }

  hiddenNode(box, column, row, isOutput) {
    const name = isOutput ? this.texts.output : format(this.texts.neuronName, { neuron: row + 1, layer: column });
    if (!isOutput) this.hoverable(box, ["hidden", column - 1, row], name);
    box.title = name;
  }

  /** Hover (or tap) a node: its map in the big panel; leave: the output again. */
  hoverable(box, which, name) {
    const show = () => { this.shown = { which, name }; this.render(true); };
    const hide = () => { if (this.shown?.which === which) { this.shown = null; this.render(true); } };
    box.addEventListener("mouseenter", show);
    box.addEventListener("mouseleave", hide);
    box.addEventListener("touchstart", () => (this.shown?.which === which ? hide() : show()), { passive: true });
  }

  drawLinks(rebuild) {
    const data = this.data, svg = this.el.links;
    if (!data.run || !this.model) { svg.replaceChildren(); this.lines = []; return; }
    const sizes = data.spec.sizes, params = this.replayAt === null ? this.model.params : this.snapshots[this.replayAt][1];
    const used = data.allFeatures.map((f, i) => (f.on ? i : -1)).filter((i) => i >= 0);
    if (rebuild) {
      svg.replaceChildren();
      this.lines = [];
      let offset = 0;
      for (let layer = 0; layer < sizes.length - 1; layer++) {
        const [inputs, outputs] = [sizes[layer], sizes[layer + 1]];
        for (let i = 0; i < inputs; i++) {
          for (let j = 0; j < outputs; j++) {
            const from = layer === 0 ? this.positions[0][used[i]] : this.positions[layer][i];
            const to = this.positions[layer + 1][Math.min(j, this.positions[layer + 1].length - 1)];
            const line = document.createElementNS("http://www.w3.org/2000/svg", "line");
            for (const [k, v] of [["x1", from.x], ["y1", from.y], ["x2", to.x], ["y2", to.y]]) line.setAttribute(k, v.toFixed(1));
            const hit = line.cloneNode();
            hit.classList.add("bd-hit");
            const index = offset + i * outputs + j;
            const edit = (event) => this.startEdit(event, index, layer, i, j);
            hit.addEventListener("click", edit);
            line.addEventListener("click", edit);
            const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
            hit.append(title);
            svg.append(line, hit);
            this.lines.push({ line, title, index });
          }
        }
        offset += inputs * outputs + outputs;
      }
    }
    let biggest = 1e-12;
    for (const { index } of this.lines) biggest = Math.max(biggest, Math.abs(params[index]));
    for (const link of this.lines) {
      const style = draw.linkStyle(params[link.index], biggest);
      if (link.colour !== style.colour) link.line.setAttribute("stroke", (link.colour = style.colour));
      if (link.width !== style.width) link.line.setAttribute("stroke-width", (link.width = style.width));
      // the hover text only when it can be read (not every frame while playing)
      if (!this.playing) {
        link.title.textContent = format(this.texts.weight, { value: (params[link.index] >= 0 ? "+" : "") + params[link.index].toFixed(3) });
      }
    }
  }

  startEdit(event, index, layer, i, j) {
    if (!this.model) return;
    this.playing = false;
    this.showButtons();
    const box = this.el.network.getBoundingClientRect(), edit = this.el.edit, input = edit.querySelector("input");
    edit.hidden = false;
    edit.style.left = `${Math.min(event.clientX - box.left, box.width - 160)}px`;
    edit.style.top = `${event.clientY - box.top}px`;
    edit.querySelector(".bd-edit-label").textContent = this.texts.editWeight;
    input.value = this.model.params[index].toFixed(3);
    this.editing = index;
    input.focus();
    input.select();
  }

  editKey(event) {
    if (event.key === "Escape") { this.el.edit.hidden = true; return; }
    if (event.key !== "Enter") return;
    const value = Number(event.target.value);
    this.el.edit.hidden = true;
    if (!Number.isFinite(value) || Math.abs(value) > 100) return;
    this.model.params[this.editing] = value;
    this.history[this.history.length - 1] = this.measure(this.model);
    this.replayAt = null;
    this.render(true);
    this.showNumbers(true);
    this.sync();
  }

  mapClicked(event) {
    if (!this.data.drawing) return;
    const box = this.el.map.getBoundingClientRect();
    const x = -draw.VIEW + (2 * draw.VIEW * (event.clientX - box.left)) / box.width;
    const y = draw.VIEW - (2 * draw.VIEW * (event.clientY - box.top)) / box.height;
    this.send("action", { type: "point", x: Math.round(x * 100) / 100, y: Math.round(y * 100) / 100 });
  }

  paintDots() {
    const data = this.data, size = this.el.map.clientWidth;
    if (!size) return;
    const points = { xy: data.points.xy, labels: data.points.labels, classes: data.points.classes };
    const parts = [["train", data.points.train]];
    if (data.showTest) parts.push(["test", data.points.test]);
    draw.paintPoints(this.el.dots, size, points, parts);
  }

  /** The maps and links: every frame while playing. `all`: also when nothing trained. */
  render(all) {
    const data = this.data;
    if (!data || !this.positions) return;
    const model = this.model && this.shownModel();
    if (!model) {
      draw.paintOutput(this.el.heat, new Float64Array(OUTPUT_SIDE * OUTPUT_SIDE).fill(data.points.classes === 3 ? 1 / 3 : 0.5),
                       OUTPUT_SIDE, data.points.classes === 3 ? "classes3" : data.points.classes ? "probability" : "value", false);
      this.caption(this.texts.outputCaption);
      this.el.map.dataset.frame = String(++this.frames);
      return;
    }
    const result = model.forward(this.grid.inputs, this.grid.n);
    const sizes = data.spec.sizes, outputs = sizes[sizes.length - 1];
    const kind = outputs === 3 ? "classes3" : data.spec.output === "sigmoid" ? "probability" : data.spec.output === "tanh" ? "signed" : "value";
    const shown = this.shown;
    if (shown && shown.which[0] === "hidden") {
      const [, layer, index] = shown.which, values = result.layers[layer], size = sizes[layer + 1];
      draw.paintValues(this.el.heat, values, OUTPUT_SIDE, draw.mapScale(values, this.grid.n, size, index), index, size);
      this.caption(format(this.texts.showing, { name: shown.name }));
    } else if (shown && shown.which[0] === "input") {
      const values = featureRows([shown.which[1]], draw.gridPoints(OUTPUT_SIDE).xs, draw.gridPoints(OUTPUT_SIDE).ys);
      draw.paintValues(this.el.heat, values, OUTPUT_SIDE, draw.mapScale(values, this.grid.n));
      this.caption(format(this.texts.showing, { name: shown.name }));
    } else {
      draw.paintOutput(this.el.heat, result.output, OUTPUT_SIDE, kind, data.discrete);
      this.caption(this.texts.outputCaption);
    }
    // the neurons' small maps: every other grid cell of the big one is enough for 24-44 px
    const step = OUTPUT_SIDE / NEURON_SIDE;
    const pick = (values, stride, offset) => {
      const out = new Float64Array(NEURON_SIDE * NEURON_SIDE);
      for (let r = 0; r < NEURON_SIDE; r++) {
        for (let c = 0; c < NEURON_SIDE; c++) {
          out[r * NEURON_SIDE + c] = values[(Math.floor((r + 0.5) * step) * OUTPUT_SIDE + Math.floor((c + 0.5) * step)) * stride + offset];
        }
      }
      return out;
    };
    if (all) {
      data.allFeatures.forEach((feature, i) => {
        const values = this.inputMaps[feature.id];
        draw.paintValues(this.canvases[0][i], values, NEURON_SIDE, draw.mapScale(values, values.length));
      });
    }
    for (let layer = 0; layer < sizes.length - 2; layer++) {
      const size = sizes[layer + 1], values = result.layers[layer];
      for (let j = 0; j < size; j++) {
        const small = pick(values, size, j);
        draw.paintValues(this.canvases[layer + 1][j], small, NEURON_SIDE, draw.mapScale(small, small.length));
      }
    }
    const outCanvas = this.canvases[this.canvases.length - 1][0];
    const small = pick(result.output, outputs === 3 ? 3 : 1, 0);
    if (outputs === 3) {
      const three = new Float64Array(NEURON_SIDE * NEURON_SIDE * 3);
      for (let k = 0; k < NEURON_SIDE * NEURON_SIDE; k++) for (let c = 0; c < 3; c++) three[3 * k + c] = pick(result.output, 3, c)[k];
      draw.paintOutput(outCanvas, three, NEURON_SIDE, kind, data.discrete);
    } else draw.paintOutput(outCanvas, small, NEURON_SIDE, kind, data.discrete);
    this.drawLinks(false);
    const marker = this.replayAt === null ? null : this.snapshots[this.replayAt][0];
    draw.paintLoss(this.el.loss, this.history, this.el.loss.clientWidth || 200, this.el.loss.clientHeight || 40, marker,
                   { loss: this.texts.lossAxis, epoch: this.texts.epochAxis });
    this.frames += 1;
    this.el.map.dataset.frame = String(this.frames); // counted by the tests and the bench
    this.el.loss.dataset.epoch = String(this.history.length ? this.history[this.history.length - 1][0] : 0);
  }

  /** The map's legend: one colour per class, or the colour ramp of a regression's value (as text). */
  legend(classes) {
    const box = this.root.querySelector(".bd-legend");
    const key = `${classes}|${this.texts.classLabel}|${this.texts.valueLabel}`;
    if (box.dataset.key === key) return;
    box.dataset.key = key;
    box.replaceChildren();
    if (classes) {
      for (let label = 0; label < classes; label++) {
        const item = document.createElement("span"), swatch = document.createElement("span");
        const colour = draw.CLASS_COLOURS[label];
        swatch.className = "bd-swatch";
        swatch.style.background = `rgb(${colour[0]},${colour[1]},${colour[2]})`;
        item.append(swatch, format(this.texts.classLabel, { label }));
        box.append(item);
      }
    } else {
      const ramp = document.createElement("span");
      ramp.className = "bd-ramp";
      box.append(`${this.texts.valueLabel} −1`, ramp, "+1");
    }
  }

  caption(text) {
    if (this.el.caption.textContent !== text) this.el.caption.textContent = text;
  }
}

/** Rows of the chosen features' values at the points (xs, ys): n x ids.length, row-major. */
function featureRows(ids, xs, ys) {
  return features.featureMatrix(ids, xs, ys);
}
