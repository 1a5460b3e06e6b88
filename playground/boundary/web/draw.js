// Drawing only (after TensorFlow Playground's heatmap.ts / linechart.ts): maps of values over the
// plane onto canvases, the points, the network's links, the loss curve. No training, no Streamlit.
// Colours: orange (-1 / class 0), white (0), blue (+1 / class 1),
// green (class 2).

export const ORANGE = [245, 147, 34], WHITE = [255, 255, 255], BLUE = [8, 119, 189], GREEN = [30, 150, 90];
export const CLASS_COLOURS = [ORANGE, BLUE, GREEN];
export const VIEW = 6; // the plane shown: -VIEW..VIEW on both axes

/** Grid points (x, y) of a side x side grid over the view, row 0 at the top (y = +VIEW). */
export function gridPoints(side) {
  const xs = new Float64Array(side * side), ys = new Float64Array(side * side);
  for (let row = 0; row < side; row++) {
    for (let col = 0; col < side; col++) {
      xs[row * side + col] = -VIEW + (2 * VIEW * (col + 0.5)) / side;
      ys[row * side + col] = VIEW - (2 * VIEW * (row + 0.5)) / side;
    }
  }
  return { xs, ys };
}

/** Writes the colour of value v (clipped to -1..1) into rgba at index i. */
function diverging(rgba, i, v) {
  const t = v < -1 ? -1 : v > 1 ? 1 : v || 0;
  const end = t < 0 ? ORANGE : BLUE, share = Math.abs(t);
  rgba[i] = WHITE[0] + (end[0] - WHITE[0]) * share;
  rgba[i + 1] = WHITE[1] + (end[1] - WHITE[1]) * share;
  rgba[i + 2] = WHITE[2] + (end[2] - WHITE[2]) * share;
  rgba[i + 3] = 255;
}

/** Paints `values` (side*side, one per grid cell, already in -1..1 or scaled by `scale`) onto a
 * canvas of side x side pixels (CSS scales it up; image-rendering keeps it smooth). */
export function paintValues(canvas, values, side, scale = 1, offset = 0, stride = 1) {
  if (canvas.width !== side) { canvas.width = side; canvas.height = side; }
  const context = canvas.getContext("2d");
  const image = context.createImageData(side, side);
  for (let k = 0; k < side * side; k++) diverging(image.data, 4 * k, values[k * stride + offset] / scale);
  context.putImageData(image, 0, 0);
}

/** The largest |value| of one neuron's map (column `offset` of rows of `stride`), at least 1:
 * tanh and sigmoid fill -1..1 as they are, unbounded neurons (relu) are scaled to their largest. */
export function mapScale(values, count, stride = 1, offset = 0) {
  let biggest = 1;
  for (let k = 0; k < count; k++) biggest = Math.max(biggest, Math.abs(values[k * stride + offset]) || 0);
  return biggest;
}

/** The output map: two classes -> 2p - 1 (or the tanh output itself), regression -> the value,
 * three classes -> a blend of the class colours, paler where unsure. `discrete` shows the decision. */
export function paintOutput(canvas, output, side, kind, discrete) {
  if (canvas.width !== side) { canvas.width = side; canvas.height = side; }
  const context = canvas.getContext("2d");
  const image = context.createImageData(side, side), rgba = image.data;
  for (let k = 0; k < side * side; k++) {
    if (kind === "classes3") {
      let p0 = output[3 * k], p1 = output[3 * k + 1], p2 = output[3 * k + 2];
      if (discrete) {
        const best = p0 >= p1 && p0 >= p2 ? 0 : p1 >= p2 ? 1 : 2;
        p0 = +(best === 0); p1 = +(best === 1); p2 = +(best === 2);
      }
      const certainty = Math.min(1, Math.max(0, (Math.max(p0, p1, p2) - 1 / 3) * 1.5));
      for (let c = 0; c < 3; c++) {
        const blend = p0 * CLASS_COLOURS[0][c] + p1 * CLASS_COLOURS[1][c] + p2 * CLASS_COLOURS[2][c];
        rgba[4 * k + c] = WHITE[c] + (blend - WHITE[c]) * certainty;
      }
      rgba[4 * k + 3] = 255;
      continue;
    }
    let v = output[k];
    if (kind === "probability") v = discrete ? (v > 0.5 ? 1 : -1) : 2 * v - 1;
    else if (kind === "signed") v = discrete ? (v > 0 ? 1 : -1) : v;
    else if (discrete) v = Math.max(-1, Math.min(1, Math.round(v)));
    diverging(rgba, 4 * k, v);
  }
  context.putImageData(image, 0, 0);
}

/** The points over the map: discs with a white edge (training), squares with a black edge (test). */
export function paintPoints(canvas, size, points, parts) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(size * ratio); canvas.height = Math.round(size * ratio);
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, size, size);
  const scale = size / (2 * VIEW), radius = Math.max(2.5, size / 110);
  for (const [part, index] of parts) {
    context.lineWidth = 1.2;
    context.strokeStyle = part === "train" ? "#ffffff" : "#000000";
    for (const i of index) {
      const x = (points.xy[2 * i] + VIEW) * scale, y = (VIEW - points.xy[2 * i + 1]) * scale;
      const label = points.labels[i];
      let colour;
      if (points.classes) colour = CLASS_COLOURS[label | 0];
      else { const rgba = [0, 0, 0, 0]; diverging(rgba, 0, label); colour = rgba; }
      context.fillStyle = `rgb(${colour[0] | 0},${colour[1] | 0},${colour[2] | 0})`;
      context.beginPath();
      if (part === "train") context.arc(x, y, radius, 0, 2 * Math.PI);
      else context.rect(x - radius, y - radius, 2 * radius, 2 * radius);
      context.fill(); context.stroke();
    }
  }
}

/** One link's look: blue for a positive weight, orange for a negative one, as wide as it is large. */
export function linkStyle(weight, biggest) {
  const width = 1 + 6 * Math.min(1, Math.abs(weight) / Math.max(biggest, 1e-12));
  const colour = weight >= 0 ? BLUE : ORANGE;
  return { width: width.toFixed(2), colour: `rgb(${colour[0]},${colour[1]},${colour[2]})` };
}

/** Train (solid, dark) and test (dashed, grey) loss per epoch; `rows` are [epoch, train, test, ...].
 * `axes` names the axes ({loss, epoch}, translated): their ranges are written in the top right corner. */
export function paintLoss(canvas, rows, width, height, marker = null, axes = null) {
  const ratio = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio); canvas.height = Math.round(height * ratio);
  }
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  context.strokeStyle = "#dddddd"; context.lineWidth = 1;
  context.strokeRect(0.5, 0.5, width - 1, height - 1);
  if (!rows.length) return;
  let top = 1e-9;
  for (const row of rows) for (const k of [1, 2]) if (Number.isFinite(row[k])) top = Math.max(top, row[k]);
  const last = Math.max(1, rows[rows.length - 1][0]);
  const x = (epoch) => 2 + (epoch / last) * (width - 4), y = (v) => height - 2 - (v / top) * (height - 6);
  const step = Math.max(1, Math.floor(rows.length / width));
  for (const [k, colour, dash] of [[2, "#7f7f7f", [4, 3]], [1, "#222222", []]]) {
    context.strokeStyle = colour; context.lineWidth = 1.5; context.setLineDash(dash);
    context.beginPath();
    let started = false;
    for (let i = 0; i < rows.length; i += step) {
      const row = rows[Math.min(i, rows.length - 1)];
      if (!Number.isFinite(row[k])) continue;
      if (started) context.lineTo(x(row[0]), y(row[k])); else { context.moveTo(x(row[0]), y(row[k])); started = true; }
    }
    const end = rows[rows.length - 1];
    if (Number.isFinite(end[k])) context.lineTo(x(end[0]), y(end[k]));
    context.stroke();
  }
  context.setLineDash([]);
  if (axes) { // top right, where a falling loss leaves room: both axes' ranges
    const highest = top < 0.01 ? top.toExponential(1) : top.toPrecision(2);
    context.font = "10px sans-serif"; context.fillStyle = "rgba(49, 51, 63, 0.85)";
    context.textBaseline = "top"; context.textAlign = "right";
    context.fillText(`${axes.loss} 0–${highest} · ${axes.epoch} 0–${last.toLocaleString("en")}`, width - 3, 2);
  }
  if (marker !== null) {
    context.strokeStyle = "#cc3333"; context.beginPath();
    context.moveTo(x(marker), 0); context.lineTo(x(marker), height); context.stroke();
  }
}
