// Runs engine.js on the cases tests/test_boundary_js_engine.py writes to stdin (JSON) and prints
// what each ended with (JSON): per epoch the numbers Run.metrics reports, the final weights, the
// epoch that exploded, and the forward pass over a grid. No state is shared between cases.
//   {cases: [{spec, train: {x, labels}, test: {x, labels}, orders: [[...], ...], changes: {epoch: {...}},
//             grid: [...] | null, features: {ids, xs, ys} | null}]}
import { readFileSync } from "node:fs";
import { createModel } from "../../playground/boundary/web/engine.js";
import { featureMatrix } from "../../playground/boundary/web/features.js";

const input = JSON.parse(readFileSync(0, "utf8"));
const finite = (v) => (v === null || v === undefined || Number.isNaN(v) ? null : v);

function run(c) {
  const model = createModel(c.spec);
  const inputs = c.spec.sizes[0];
  const part = (p) => ({ x: Float64Array.from(p.x), labels: Float64Array.from(p.labels), n: p.labels.length });
  const train = part(c.train), test = part(c.test);
  const history = [];
  let explodedAt = null;
  for (let epoch = 0; epoch < c.orders.length; epoch++) {
    if (c.changes && c.changes[epoch]) model.setTraining(c.changes[epoch]);
    const loss = model.trainEpoch(train.x, train.labels, train.n, Int32Array.from(c.orders[epoch]), test);
    if (model.exploded) { explodedAt = epoch + 1; break; }
    const m = model.lastMetrics;
    if (m.trainLoss !== loss) throw new Error("trainEpoch's loss is not lastMetrics.trainLoss");
    history.push([finite(m.trainLoss), finite(m.testLoss), finite(m.trainAccuracy), finite(m.testAccuracy)]);
  }
  const out = { params: Array.from(model.params), history, explodedAt, iterations: model.iterations };
  if (c.grid) {
    const n = c.grid.length / inputs;
    const f = model.forward(Float64Array.from(c.grid), n);
    out.forward = { layers: f.layers.map((a) => Array.from(a)), logits: Array.from(f.logits),
                    output: Array.from(f.output), probability: Array.from(f.probability) };
    const ev = model.evaluate(train.x, train.labels, train.n);
    out.evaluate = { loss: finite(ev.loss), accuracy: finite(ev.accuracy) };
  }
  if (c.features) out.features = Array.from(featureMatrix(c.features.ids, c.features.xs, c.features.ys));
  return out;
}

const results = input.cases.map((c) => {
  try {
    return run(c);
  } catch (error) {
    return { error: String(error && error.stack || error) };
  }
});
process.stdout.write(JSON.stringify({ results }));
