// The browser's training engine: the numpy engine (playground/boundary/network.py, itself equal
// to Keras) written again in float64 JavaScript, so a student's tab trains without the server.
// Same parameter layout, same formulas in the same order, same optimizers (rules.py), same
// "exploded" rule; tests/test_boundary_js_engine.py runs both for 50 epochs from the same start,
// data and batch order and finds the weights equal within 1e-9. Pure: no DOM, runs under node.
//
//   const model = createModel({
//     sizes: [inputs, ...hidden, outputs], activations: [...one id per hidden layer],
//     output: "sigmoid" | "tanh" | "softmax" | "linear",     // network.OUTPUTS
//     loss: "cross_entropy" | "squared_error",                // tanh and linear: squared_error
//     params: [...],                                          // flat, Network.params' layout
//     optimizer: "sgd" | "momentum" | "adam", learningRate, batchSize,
//     regularization: "none" | "l1" | "l2", rate,
//     seed,                                                   // optional: the model's own shuffle
//   });
//   model.params                 Float64Array, live (edit a weight: model.params[i] = w)
//   model.setTraining({optimizer, learningRate, batchSize, regularization, rate, loss})  any subset;
//                                keeps the weights; a different optimizer starts with fresh state
//                                (as session.Run.set_training), the same one keeps its moments
//   model.trainEpoch(x, labels, n, order?, test?)  one epoch in mini-batches, rows in `order`
//                                (Int32Array, else the model's seeded shuffle). Returns the train
//                                loss after the epoch as Run.metrics reports it (data loss, no
//                                penalty), or NaN when the epoch exploded: an update not finite,
//                                or a loss above 1e6 / not finite (the train set's, and the test
//                                set's when test = {x, labels, n} is given) - the epoch is then
//                                undone and model.exploded stays true. model.lastMetrics holds
//                                {trainLoss, trainAccuracy, testLoss, testAccuracy} of that epoch:
//                                the page's row for the loss curve, with no further forward pass
//                                (evaluate() after trainEpoch() would compute them again).
//   model.evaluate(x, labels, n) -> {loss, accuracy}  data loss without the penalty (Run.metrics);
//                                accuracy null for regression; the tanh output classifies by sign
//   model.forward(x, n) -> {layers, logits, output, probability}  layers: per hidden layer a
//                                Float64Array n x size (the neuron maps); logits n x outputs;
//                                output: the output layer's own values (sigmoid p, tanh in (-1, 1),
//                                softmax n x 3, linear value); probability: what the map shows as
//                                P(class 1) (the sigmoid's p, (tanh + 1) / 2), else = output.
//                                The arrays are reused by the next forward call with the same n.
//   model.exploded, model.iterations (optimizer steps so far), model.spec
//
// Maths, as network.py (n = rows of the batch, z = logits, y = label):
//   sigmoid + cross-entropy: loss mean(logaddexp(0, z) - y z), dL/dz = (sigmoid(z) - y) / n
//   sigmoid + squared error: loss mean((p - y)²), dL/dz = 2 (p - y) p (1 - p) / n
//   tanh + squared error: loss mean((tanh z - (2y - 1))²), dL/dz = 2 (t - y±) (1 - t²) / n
//   softmax + cross-entropy: -mean(log p_y), dL/dz = (p - onehot) / n
//   softmax + squared error: mean over rows and classes, g = 2 (p - onehot) / (3n), dL/dz = p (g - Σ g p)
//   linear + squared error: mean((z - y)²), dL/dz = 2 (z - y) / n
//   L2: rate Σ w² over the kernels, gradient 2 rate w; L1: rate Σ |w|, gradient rate sign(w)

export const EXPLODED = 1e6; // network.EXPLODED
export const ACTIVATIONS = ["tanh", "relu", "sigmoid", "linear", "leaky_relu", "swish", "elu"];
export const OPTIMIZERS = ["sgd", "momentum", "adam"];
export const OUTPUTS = ["sigmoid", "tanh", "softmax", "linear"];
// The activation registry's default parameters (playground/activations/functions.py).
const LEAKY_ALPHA = 0.2, ELU_ALPHA = 1.0, SWISH_BETA = 1.0;
// Keras' optimizer constants (rules.py): SGD momentum 0.9; Adam beta_1, beta_2, epsilon.
const MOMENTUM = 0.9, BETA_1 = 0.9, BETA_2 = 0.999, EPSILON = 1e-7;

const ACTIVATION_CODE = { tanh: 0, relu: 1, sigmoid: 2, linear: 3, leaky_relu: 4, swish: 5, elu: 6 };
const OUTPUT_CODE = { sigmoid: 0, tanh: 1, softmax: 2, linear: 3 };

/** The registry's numerically stable sigmoid: exp(-|x|) never overflows. */
function sigmoid(x) {
  const e = Math.exp(-Math.abs(x));
  return x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

// tanh without a call into the C library (Math.tanh costs as much as the rest of a forward pass):
// Cephes' rational approximation (S. L. Moshier) below 0.625, 1 - 2 / (e^2|x| + 1) above, e^y by
// fdlibm's e_exp.c (V8's own Math.exp, bit for bit) written out for 0 <= y < 44. Within 4 ulp of
// Math.tanh; tests/test_boundary_js_engine.py checks it against numpy's tanh.
const TP0 = -9.64399179425052238628e-1, TP1 = -9.92877231001918586564e1, TP2 = -1.61468768441708447952e3;
const TQ0 = 1.12811678491632931402e2, TQ1 = 2.23548839060100448583e3, TQ2 = 4.84406305325125486048e3;
const LN2_HI = 6.93147180369123816490e-01, LN2_LO = 1.90821492927058770002e-10, INV_LN2 = 1.44269504088896338700e+00;
const EP1 = 1.66666666666666019037e-01, EP2 = -2.77777777770155933842e-03, EP3 = 6.61375632143793436117e-05,
  EP4 = -1.65339022054652515390e-06, EP5 = 4.13813679705723846039e-08;
const POWERS_OF_TWO = Float64Array.from({ length: 64 }, (_, k) => 2 ** k);
export function tanh(x) {
  const ax = Math.abs(x);
  if (ax < 0.625) {
    if (ax === 0) return x; // keeps -0
    const s = x * x;
    return x + x * s * (((TP0 * s + TP1) * s + TP2) / (((s + TQ0) * s + TQ1) * s + TQ2));
  }
  if (!(ax < 22)) return x > 0 ? 1 : x < 0 ? -1 : x; // tanh(22) is 1 in float64; NaN stays NaN
  const y = 2.0 * ax, k = (INV_LN2 * y + 0.5) | 0; // e^y = 2^k e^r, |r| <= ln2 / 2
  const hi = y - k * LN2_HI, lo = k * LN2_LO, r = hi - lo, rr = r * r;
  const c = r - rr * (EP1 + rr * (EP2 + rr * (EP3 + rr * (EP4 + rr * EP5))));
  const e = (1.0 - ((lo - (r * c) / (2.0 - c)) - hi)) * POWERS_OF_TWO[k];
  const t = 1.0 - 2.0 / (e + 1.0);
  return x < 0 ? -t : t;
}

/** numpy's logaddexp(0, z) (npy_logaddexp): z + log1p(e^-z) for z > 0, else log1p(e^z). */
function softplus(z) {
  if (z === 0) return Math.LN2;
  const tmp = -z;
  if (tmp > 0) return Math.log1p(Math.exp(-tmp));
  if (tmp <= 0) return z + Math.log1p(Math.exp(tmp));
  return tmp; // NaN
}

/** a = f(z) over the first `count` entries. */
function activate(code, z, a, count) {
  switch (code) {
    case 0: for (let k = 0; k < count; k++) a[k] = tanh(z[k]); break;
    case 1: for (let k = 0; k < count; k++) { const v = z[k]; a[k] = v > 0 || v !== v ? v : 0; } break; // NaN stays, as np.maximum
    case 2: for (let k = 0; k < count; k++) a[k] = sigmoid(z[k]); break;
    case 3: for (let k = 0; k < count; k++) a[k] = z[k]; break;
    case 4: for (let k = 0; k < count; k++) { const v = z[k]; a[k] = v > 0 ? v : LEAKY_ALPHA * v; } break;
    case 5: for (let k = 0; k < count; k++) { const v = z[k]; a[k] = v * sigmoid(SWISH_BETA * v); } break;
    case 6: for (let k = 0; k < count; k++) { const v = z[k]; a[k] = v > 0 ? v : ELU_ALPHA * Math.expm1(Math.min(v, 0)); } break;
  }
}

/** delta *= f'(z), with the derivatives network.py uses (tanh and sigmoid from a = f(z)). */
function scaleByDerivative(code, delta, z, a, count) {
  switch (code) {
    case 0: for (let k = 0; k < count; k++) { const v = a[k]; delta[k] *= 1.0 - v * v; } break;
    case 1: for (let k = 0; k < count; k++) if (!(z[k] > 0)) delta[k] *= 0.0; break;
    case 2: for (let k = 0; k < count; k++) { const v = a[k]; delta[k] *= (1.0 - v) * v; } break;
    case 3: break;
    case 4: for (let k = 0; k < count; k++) if (!(z[k] > 0)) delta[k] *= LEAKY_ALPHA; break;
    case 5: for (let k = 0; k < count; k++) { // s + b x s (1 - s), s = sigmoid(b x)
      const v = z[k], s = sigmoid(SWISH_BETA * v);
      delta[k] *= s + SWISH_BETA * v * s * (1.0 - s);
    } break;
    case 6: for (let k = 0; k < count; k++) { const v = z[k]; delta[k] *= v > 0 ? 1.0 : ELU_ALPHA * Math.exp(Math.min(v, 0)); } break;
  }
}

/** out (m x O) = a (m x I) @ W + b, W at params[w], b at params[w + I*O]; each sum from i = 0 up,
 * in a register. */
function dense(params, w, a, m, inputs, outputs, out) {
  const b = w + inputs * outputs;
  let r = 0;
  for (; r + 3 < m; r += 4) { // four rows at a time: each weight read once for all four
    const row = r * outputs, a0 = r * inputs, a1 = a0 + inputs, a2 = a1 + inputs, a3 = a2 + inputs;
    for (let j = 0; j < outputs; j++) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let i = 0, wi = w + j; i < inputs; i++, wi += outputs) {
        const v = params[wi];
        s0 += a[a0 + i] * v;
        s1 += a[a1 + i] * v;
        s2 += a[a2 + i] * v;
        s3 += a[a3 + i] * v;
      }
      const bias = params[b + j];
      out[row + j] = s0 + bias;
      out[row + outputs + j] = s1 + bias;
      out[row + 2 * outputs + j] = s2 + bias;
      out[row + 3 * outputs + j] = s3 + bias;
    }
  }
  for (; r < m; r++) {
    const row = r * outputs, arow = r * inputs;
    for (let j = 0; j < outputs; j++) {
      let s = 0;
      for (let i = 0, wi = w + j; i < inputs; i++, wi += outputs) s += a[arow + i] * params[wi];
      out[row + j] = s + params[b + j];
    }
  }
}

/** The buffers of a forward pass over m rows: per hidden layer z and a, and the logits. */
function forwardBuffers(sizes, m) {
  const hidden = sizes.slice(1, -1);
  return {
    m,
    pre: hidden.map((s) => new Float64Array(m * s)),
    post: hidden.map((s) => new Float64Array(m * s)),
    logits: new Float64Array(m * sizes[sizes.length - 1]),
  };
}

function checkSpec(spec) {
  const sizes = spec.sizes;
  if (!Array.isArray(sizes) || sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s >= 1)) {
    throw new Error(`sizes must list the inputs, the hidden layers and the outputs; got ${JSON.stringify(sizes)}.`);
  }
  const activations = spec.activations || [];
  if (activations.length !== sizes.length - 2) {
    throw new Error(`Give one activation per hidden layer: ${sizes.length - 2} layers, ${activations.length} activations.`);
  }
  for (const name of activations) {
    if (!(name in ACTIVATION_CODE)) throw new Error(`Unknown activation ${name}; choose from ${ACTIVATIONS.join(", ")}.`);
  }
  const outputs = sizes[sizes.length - 1];
  const output = spec.output || (outputs === 3 ? "softmax" : "sigmoid");
  if (!(output in OUTPUT_CODE)) throw new Error(`Unknown output ${output}; choose from ${OUTPUTS.join(", ")}.`);
  if ((output === "softmax") !== (outputs === 3) || (output !== "softmax" && outputs !== 1)) {
    throw new Error(`The output ${output} does not fit ${outputs} output neurons.`);
  }
  let total = 0;
  for (let l = 0; l + 1 < sizes.length; l++) total += sizes[l] * sizes[l + 1] + sizes[l + 1];
  const params = spec.params;
  if (!params || params.length !== total) {
    throw new Error(`Expected ${total} parameters for this network; got ${params ? params.length : 0}.`);
  }
  return { sizes: sizes.slice(), activations: activations.slice(), output, total };
}

function checkTraining(training, output) {
  const { optimizer, learningRate, batchSize, regularization, rate, loss } = training;
  if (!OPTIMIZERS.includes(optimizer)) throw new Error(`Unknown optimizer ${optimizer}; choose ${OPTIMIZERS.join(", ")}.`);
  if (!(learningRate >= 1e-5 && learningRate <= 10)) throw new Error(`The learning rate must be between 0.00001 and 10; got ${learningRate}.`);
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`The batch size must be a whole number from 1; got ${batchSize}.`);
  if (!["none", "l1", "l2"].includes(regularization)) throw new Error(`Unknown regularization ${regularization}; choose none, l1, l2.`);
  if (!(rate >= 0 && rate <= 10)) throw new Error(`The regularization rate must be between 0 and 10; got ${rate}.`);
  if (loss !== "cross_entropy" && loss !== "squared_error") throw new Error(`Unknown loss ${loss}; choose cross_entropy or squared_error.`);
  if (loss === "cross_entropy" && (output === "linear" || output === "tanh")) {
    throw new Error(`A ${output} output is trained with squared error, not cross-entropy.`);
  }
}

/** A small seeded generator (mulberry32) for the model's own shuffle when no order is given. */
function randomSource(seed) {
  let state = (seed >>> 0) || 0x9e3779b9;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function createModel(spec) {
  const shape = checkSpec(spec);
  const sizes = shape.sizes, layers = sizes.length - 1, total = shape.total;
  const inputs = sizes[0], outputs = sizes[layers];
  const codes = shape.activations.map((name) => ACTIVATION_CODE[name]);
  const outputCode = OUTPUT_CODE[shape.output];
  const classes = outputCode === 2 ? 3 : outputCode === 3 ? 0 : 2;
  // offsets of each layer's kernel (in x out, row-major) and bias in the flat vector
  const kernelAt = [], biasAt = [];
  for (let l = 0, at = 0; l < layers; l++) {
    kernelAt.push(at);
    at += sizes[l] * sizes[l + 1];
    biasAt.push(at);
    at += sizes[l + 1];
  }

  const params = Float64Array.from(spec.params);
  const grad = new Float64Array(total), next = new Float64Array(total), before = new Float64Array(total);
  let velocity = null, moment1 = null, moment2 = null; // optimizer state, built on the first step
  const training = {
    optimizer: spec.optimizer || "sgd", learningRate: spec.learningRate ?? 0.03, batchSize: spec.batchSize ?? 10,
    regularization: spec.regularization || "none", rate: spec.rate ?? 0,
    loss: spec.loss || (shape.output === "sigmoid" || shape.output === "softmax" ? "cross_entropy" : "squared_error"),
  };
  checkTraining(training, shape.output);
  const random = randomSource(spec.seed ?? 0);

  // training buffers, sized for the largest batch
  let batch = null;
  function batchBuffers(m) {
    if (batch && batch.m >= m) return batch;
    batch = {
      ...forwardBuffers(sizes, m),
      x: new Float64Array(m * inputs), y: new Float64Array(m),
      delta: sizes.slice(1).map((s) => new Float64Array(m * s)), // delta[l]: dL/d(layer l's z)
    };
    return batch;
  }
  const evaluation = new Map(); // n -> forward buffers
  function evaluationBuffers(n) {
    let buffers = evaluation.get(n);
    if (!buffers) {
      if (evaluation.size > 8) evaluation.clear();
      buffers = forwardBuffers(sizes, n);
      buffers.output = outputs === 1 ? new Float64Array(n) : new Float64Array(n * outputs);
      buffers.probability = outputCode <= 1 ? new Float64Array(n) : buffers.output;
      evaluation.set(n, buffers);
    }
    return buffers;
  }

  /** Fill buffers' z, a and logits for the m rows of x. */
  function forwardInto(x, m, buffers) {
    let a = x;
    for (let l = 0; l + 1 < layers; l++) {
      const z = buffers.pre[l], out = buffers.post[l], count = m * sizes[l + 1];
      dense(params, kernelAt[l], a, m, sizes[l], sizes[l + 1], z);
      activate(codes[l], z, out, count);
      a = out;
    }
    dense(params, kernelAt[layers - 1], a, m, sizes[layers - 1], outputs, buffers.logits);
  }

  /** dL/dz of the mean batch loss into delta (m x outputs), network._output_delta. */
  function outputDelta(z, y, m, delta) {
    const squared = training.loss === "squared_error";
    if (outputCode === 0 && !squared) {
      for (let r = 0; r < m; r++) { delta[r] = (1.0 / (1.0 + Math.exp(-z[r])) - y[r]) / m; }
    } else if (outputCode === 0) {
      for (let r = 0; r < m; r++) {
        const p = 1.0 / (1.0 + Math.exp(-z[r]));
        delta[r] = 2.0 * (p - y[r]) * p * (1.0 - p) / m;
      }
    } else if (outputCode === 1) {
      for (let r = 0; r < m; r++) {
        const t = tanh(z[r]);
        delta[r] = 2.0 * (t - (2.0 * y[r] - 1.0)) * (1.0 - t * t) / m;
      }
    } else if (outputCode === 2) {
      for (let r = 0; r < m; r++) {
        const o = 3 * r, label = y[r];
        const top = Math.max(z[o], z[o + 1], z[o + 2]);
        const e0 = Math.exp(z[o] - top), e1 = Math.exp(z[o + 1] - top), e2 = Math.exp(z[o + 2] - top);
        const sum = e0 + e1 + e2;
        const p0 = e0 / sum, p1 = e1 / sum, p2 = e2 / sum;
        const t0 = label === 0 ? 1.0 : 0.0, t1 = label === 1 ? 1.0 : 0.0, t2 = label === 2 ? 1.0 : 0.0;
        if (!squared) {
          delta[o] = (p0 - t0) / m; delta[o + 1] = (p1 - t1) / m; delta[o + 2] = (p2 - t2) / m;
        } else {
          const g0 = 2.0 * (p0 - t0) / (3 * m), g1 = 2.0 * (p1 - t1) / (3 * m), g2 = 2.0 * (p2 - t2) / (3 * m);
          const dot = g0 * p0 + g1 * p1 + g2 * p2;
          delta[o] = p0 * (g0 - dot); delta[o + 1] = p1 * (g1 - dot); delta[o + 2] = p2 * (g2 - dot);
        }
      }
    } else {
      for (let r = 0; r < m; r++) delta[r] = 2.0 * (z[r] - y[r]) / m;
    }
  }

  /** The gradient of the batch's mean loss (plus the penalty) into `grad`. */
  function gradient(m, buffers) {
    forwardInto(buffers.x, m, buffers);
    outputDelta(buffers.logits, buffers.y, m, buffers.delta[layers - 1]);
    for (let l = layers - 1; l >= 0; l--) {
      const I = sizes[l], O = sizes[l + 1], a = l ? buffers.post[l - 1] : buffers.x, delta = buffers.delta[l];
      const wk = kernelAt[l], wb = biasAt[l];
      let i = 0; // kernel: a^T delta, each sum over the rows from the first; two inputs at a time
      for (; i + 1 < I; i += 2) {
        for (let j = 0; j < O; j++) {
          let s0 = 0, s1 = 0;
          for (let r = 0, ar = i, dr = j; r < m; r++, ar += I, dr += O) {
            const d = delta[dr];
            s0 += a[ar] * d;
            s1 += a[ar + 1] * d;
          }
          grad[wk + i * O + j] = s0;
          grad[wk + (i + 1) * O + j] = s1;
        }
      }
      if (i < I) {
        for (let j = 0; j < O; j++) {
          let s = 0;
          for (let r = 0, ar = i, dr = j; r < m; r++, ar += I, dr += O) s += a[ar] * delta[dr];
          grad[wk + i * O + j] = s;
        }
      }
      for (let j = 0; j < O; j++) { // bias: the rows' sum of delta
        let s = 0;
        for (let r = 0; r < m; r++) s += delta[r * O + j];
        grad[wb + j] = s;
      }
      if (l) { // delta below = (delta W^T) * f'(z below)
        const below = buffers.delta[l - 1];
        let r = 0;
        for (; r + 1 < m; r += 2) { // two rows at a time: each weight read once for both
          const drow = r * O, brow = r * I;
          for (let i = 0; i < I; i++) {
            const wi = wk + i * O;
            let s0 = 0, s1 = 0;
            for (let j = 0; j < O; j++) {
              const w = params[wi + j];
              s0 += delta[drow + j] * w;
              s1 += delta[drow + O + j] * w;
            }
            below[brow + i] = s0;
            below[brow + I + i] = s1;
          }
        }
        if (r < m) {
          const drow = r * O, brow = r * I;
          for (let i = 0; i < I; i++) {
            const wi = wk + i * O;
            let s = 0;
            for (let j = 0; j < O; j++) s += delta[drow + j] * params[wi + j];
            below[brow + i] = s;
          }
        }
        scaleByDerivative(codes[l - 1], below, buffers.pre[l - 1], buffers.post[l - 1], m * I);
      }
    }
    const rate = training.rate;
    if (training.regularization !== "none" && rate > 0) {
      const l2 = training.regularization === "l2", twice = 2.0 * rate;
      for (let l = 0; l < layers; l++) {
        for (let k = kernelAt[l]; k < biasAt[l]; k++) {
          const w = params[k];
          grad[k] += l2 ? twice * w : rate * (w > 0 ? 1 : w < 0 ? -1 : w === 0 ? 0 : NaN);
        }
      }
    }
  }

  /** One optimizer step into `next` (rules.py's formulas); false when a value is not finite. */
  function step() {
    const lr = training.learningRate;
    model.iterations += 1;
    let finite = true;
    if (training.optimizer === "sgd") {
      for (let k = 0; k < total; k++) { const v = params[k] - grad[k] * lr; next[k] = v; if (!Number.isFinite(v)) finite = false; }
    } else if (training.optimizer === "momentum") { // v = beta v - lr g; theta + v
      if (!velocity) velocity = new Float64Array(total);
      for (let k = 0; k < total; k++) {
        const v = MOMENTUM * velocity[k] - lr * grad[k];
        velocity[k] = v;
        const w = params[k] + v;
        next[k] = w;
        if (!Number.isFinite(w)) finite = false;
      }
    } else { // Keras Adam: alpha = lr sqrt(1 - b2^t) / (1 - b1^t); theta - alpha m / (sqrt v + eps)
      if (!moment1) { moment1 = new Float64Array(total); moment2 = new Float64Array(total); }
      const t = model.iterations;
      const alpha = lr * Math.sqrt(1 - BETA_2 ** t) / (1 - BETA_1 ** t);
      const keep1 = 1 - BETA_1, keep2 = 1 - BETA_2;
      for (let k = 0; k < total; k++) {
        const g = grad[k];
        const m1 = moment1[k] + (g - moment1[k]) * keep1;
        const m2 = moment2[k] + (g * g - moment2[k]) * keep2;
        moment1[k] = m1; moment2[k] = m2;
        const w = params[k] - m1 * alpha / (Math.sqrt(m2) + EPSILON);
        next[k] = w;
        if (!Number.isFinite(w)) finite = false;
      }
    }
    return finite;
  }

  let ownOrder = new Int32Array(0);
  /** A fresh random order of 0..n-1 (Fisher-Yates), in a buffer the next epoch reuses. */
  function shuffled(n) {
    if (ownOrder.length !== n) ownOrder = new Int32Array(n);
    const order = ownOrder;
    for (let k = 0; k < n; k++) order[k] = k;
    for (let k = n - 1; k > 0; k--) {
      const j = Math.floor(random() * (k + 1)), swap = order[k];
      order[k] = order[j]; order[j] = swap;
    }
    return order;
  }

  /** Data loss (mean, no penalty) and accuracy from logits (n x outputs), as Network.data_loss
   * and session.predicted_class. */
  function lossAndAccuracy(z, y, n) {
    if (n === 0) return { loss: NaN, accuracy: classes ? NaN : null };
    let sum = 0, right = 0;
    const squared = training.loss === "squared_error";
    if (outputCode === 2) {
      for (let r = 0; r < n; r++) {
        const o = 3 * r, label = y[r];
        const top = Math.max(z[o], z[o + 1], z[o + 2]);
        const s0 = z[o] - top, s1 = z[o + 1] - top, s2 = z[o + 2] - top;
        if (!squared) {
          const logSum = Math.log(Math.exp(s0) + Math.exp(s1) + Math.exp(s2));
          sum += (label === 0 ? s0 : label === 1 ? s1 : s2) - logSum;
        } else {
          const e0 = Math.exp(s0), e1 = Math.exp(s1), e2 = Math.exp(s2), total3 = e0 + e1 + e2;
          const d0 = e0 / total3 - (label === 0 ? 1 : 0), d1 = e1 / total3 - (label === 1 ? 1 : 0), d2 = e2 / total3 - (label === 2 ? 1 : 0);
          sum += d0 * d0 + d1 * d1 + d2 * d2;
        }
        // np.argmax: the first of equal maxima
        const best = z[o] >= z[o + 1] ? (z[o] >= z[o + 2] ? 0 : 2) : (z[o + 1] >= z[o + 2] ? 1 : 2);
        if (best === label) right += 1;
      }
      return { loss: squared ? sum / (3 * n) : -sum / n, accuracy: right / n };
    }
    for (let r = 0; r < n; r++) {
      const v = z[r], label = y[r];
      if (outputCode === 0) {
        if (!squared) sum += softplus(v) - label * v;
        else { const d = sigmoid(v) - label; sum += d * d; }
      } else if (outputCode === 1) {
        const d = tanh(v) - (2.0 * label - 1.0); sum += d * d;
      } else {
        const d = v - label; sum += d * d;
      }
      if ((v > 0 ? 1 : 0) === label) right += 1;
    }
    return { loss: sum / n, accuracy: classes ? right / n : null };
  }

  const model = {
    spec: { ...spec, output: shape.output },
    params,
    exploded: false,
    iterations: 0,
    lastMetrics: null,

    setTraining(changes) {
      const merged = { ...training };
      for (const key of Object.keys(training)) if (changes[key] !== undefined) merged[key] = changes[key];
      checkTraining(merged, shape.output);
      if (merged.optimizer !== training.optimizer) { // a fresh optimizer: no moments, step 0
        velocity = moment1 = moment2 = null;
        model.iterations = 0;
      }
      Object.assign(training, merged);
    },

    get training() { return { ...training }; },

    trainEpoch(x, labels, n, order, test) {
      if (model.exploded || n === 0) return NaN;
      order = order || shuffled(n);
      before.set(params);
      const size = training.batchSize, buffers = batchBuffers(Math.min(size, n));
      for (let start = 0; start < n; start += size) {
        const m = Math.min(size, n - start);
        for (let r = 0; r < m; r++) {
          const row = order[start + r];
          buffers.y[r] = labels[row];
          for (let c = 0; c < inputs; c++) buffers.x[r * inputs + c] = x[row * inputs + c];
        }
        gradient(m, buffers);
        if (!step()) return explode();
        params.set(next);
      }
      const trained = model.evaluate(x, labels, n);
      const tested = test && test.n ? model.evaluate(test.x, test.labels, test.n) : { loss: NaN, accuracy: classes ? NaN : null };
      if (unsound(trained.loss) || unsound(tested.loss)) return explode();
      model.lastMetrics = { trainLoss: trained.loss, trainAccuracy: trained.accuracy, testLoss: tested.loss, testAccuracy: tested.accuracy };
      return trained.loss;
    },

    evaluate(x, labels, n) {
      const buffers = evaluationBuffers(n);
      forwardInto(x, n, buffers);
      return lossAndAccuracy(buffers.logits, labels, n);
    },

    forward(x, n) {
      const buffers = evaluationBuffers(n);
      forwardInto(x, n, buffers);
      const z = buffers.logits, output = buffers.output, probability = buffers.probability;
      if (outputCode === 0) {
        for (let r = 0; r < n; r++) output[r] = probability[r] = sigmoid(z[r]);
      } else if (outputCode === 1) {
        for (let r = 0; r < n; r++) { const t = tanh(z[r]); output[r] = t; probability[r] = (t + 1.0) / 2.0; }
      } else if (outputCode === 2) {
        for (let r = 0; r < n; r++) {
          const o = 3 * r, top = Math.max(z[o], z[o + 1], z[o + 2]);
          const e0 = Math.exp(z[o] - top), e1 = Math.exp(z[o + 1] - top), e2 = Math.exp(z[o + 2] - top);
          const sum = e0 + e1 + e2;
          output[o] = e0 / sum; output[o + 1] = e1 / sum; output[o + 2] = e2 / sum;
        }
      } else {
        output.set(z);
      }
      return { layers: buffers.post, logits: z, output, probability };
    },
  };

  /** Session.Run.train's rule: a loss that is not NaN counts when not finite or above 1e6. */
  function unsound(loss) {
    return !Number.isNaN(loss) && !(Number.isFinite(loss) && loss <= EXPLODED);
  }

  function explode() {
    params.set(before);
    model.exploded = true;
    return NaN;
  }

  return model;
}
