// The seven input features of the TensorFlow Playground, computed from a point (x1, x2): the same
// registry, order and formulas as playground/boundary/features.py (tests/test_boundary_js_engine.py
// checks they give the same columns). Pure: no DOM, runs under node and in the page.

/** id -> [x1, x2] -> value, in the registry order of features.py. */
export const FEATURES = {
  x1: (x1, x2) => x1,
  x2: (x1, x2) => x2,
  x1sq: (x1, x2) => x1 * x1,
  x2sq: (x1, x2) => x2 * x2,
  x1x2: (x1, x2) => x1 * x2,
  sin1: (x1, x2) => Math.sin(x1),
  sin2: (x1, x2) => Math.sin(x2),
};
export const FEATURE_IDS = Object.keys(FEATURES);

/** The ids in registry order; an Error names an unknown id or an empty choice (features.check). */
export function check(ids) {
  const unknown = ids.filter((id) => !(id in FEATURES));
  if (unknown.length) throw new Error(`Unknown feature ${unknown.join(", ")}; choose from ${FEATURE_IDS.join(", ")}.`);
  if (!ids.length) throw new Error("Choose at least one input feature.");
  return FEATURE_IDS.filter((id) => ids.includes(id));
}

/** The input rows for `ids` (registry order) at the points (xs[k], ys[k]): a Float64Array of
 * n x ids.length, row-major - the `x` that engine.js trains on and draws. */
export function featureMatrix(ids, xs, ys) {
  const chosen = check(ids).map((id) => FEATURES[id]);
  const n = xs.length, width = chosen.length, out = new Float64Array(n * width);
  for (let k = 0; k < n; k++) {
    const x1 = xs[k], x2 = ys[k];
    for (let c = 0; c < width; c++) out[k * width + c] = chosen[c](x1, x2);
  }
  return out;
}
