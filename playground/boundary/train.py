"""Train a decision-boundary network from the command line, with the page's numpy engine.

    python -m playground.boundary.train --data spiral --features x1,x2,sin1,sin2 --hidden 8,8 \\
        --activation tanh --epochs 300 --batch-size 10 --learning-rate 0.03 --init uniform --output tanh

`--init` and `--output` are the page's start weights and output (network.START_WEIGHTS, network.OUTPUTS):
the same seed gives the same start, split and batches as the page. `--output tanh` (two classes only)
trains with squared error on the labels mapped to -1/+1, so its default loss is squared_error.

The last line printed is one JSON object: train_loss, test_loss, train_accuracy, test_accuracy
(classification only), epochs_run, seconds, epochs_per_second (and exploded_at_epoch when the
loss blew up). Bad arguments print a one-line error and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from playground.boundary import datasets, features, network
from playground.boundary.session import Run, Training


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse's default prints the whole usage)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _hidden(text: str) -> tuple[int, ...]:
    text = text.strip()
    if text in ("", "0"):
        return ()
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--hidden wants neuron counts separated by commas, e.g. 8,8 (got {text!r})") from None
    if len(sizes) > network.MAX_LAYERS or any(not 1 <= n <= network.MAX_NEURONS for n in sizes):
        raise argparse.ArgumentTypeError(f"--hidden: 0 to {network.MAX_LAYERS} layers of 1 to {network.MAX_NEURONS} neurons (got {text!r})")
    return sizes


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _bounded(kind, low, high, name):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} wants a number (got {text!r})") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{name} must be between {low:g} and {high:g} (got {text})")
        return value
    return parse


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m playground.boundary.train", description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default="circle", choices=datasets.names())
    p.add_argument("--features", default="x1,x2", type=_names, help=f"comma list of {','.join(features.names())}")
    p.add_argument("--hidden", default="4,2", type=_hidden, help='neurons per hidden layer, e.g. 8,8; "" or 0: none')
    p.add_argument("--activation", default="tanh", type=_names, help="one id, or a comma list: one per hidden layer")
    p.add_argument("--epochs", default=100, type=_bounded(int, 1, 100_000, "--epochs"))
    p.add_argument("--batch-size", default=10, type=_bounded(int, 1, 50, "--batch-size"))
    p.add_argument("--learning-rate", default=0.03, type=_bounded(float, 1e-5, 10, "--learning-rate"))
    p.add_argument("--optimizer", default="sgd", choices=network.OPTIMIZERS)
    p.add_argument("--loss", default=None, choices=list(network.LOSSES),
                   help="default: cross_entropy for classes, squared_error for regression and a tanh output")
    p.add_argument("--init", default="glorot", choices=list(network.START_WEIGHTS),
                   help="start weights: glorot (Glorot uniform, biases 0) or uniform (+-0.5, biases 0.1)")
    p.add_argument("--output", default=None, choices=list(network.OUTPUTS),
                   help="default: sigmoid for 2 classes, softmax for 3, linear for regression; tanh: 2 classes, "
                        "squared error on -1/+1")
    p.add_argument("--l1", default=0.0, type=_bounded(float, 0, 10, "--l1"))
    p.add_argument("--l2", default=0.0, type=_bounded(float, 0, 10, "--l2"))
    p.add_argument("--noise", default=0.0, type=_bounded(float, 0, datasets.MAX_NOISE, "--noise"), help="0 to 0.5")
    p.add_argument("--train-share", default=0.5, type=_bounded(float, 0.1, 0.9, "--train-share"))
    p.add_argument("--points", default=datasets.DEFAULT_POINTS, type=_bounded(int, datasets.MIN_POINTS, datasets.MAX_POINTS, "--points"))
    p.add_argument("--seed", default=0, type=_bounded(int, 0, 2**31 - 1, "--seed"))
    p.add_argument("--quiet", action="store_true", help="print only the final JSON line")
    return p


def run_from_arguments(args) -> Run:
    """The training run the arguments describe (ValueError with a readable message if they clash)."""
    activations = args.activation or ["tanh"]
    if len(activations) == 1:
        activations = activations * len(args.hidden)
    elif len(activations) != len(args.hidden):
        raise ValueError(f"--activation lists {len(activations)} activations for {len(args.hidden)} hidden layers; "
                         "give one, or one per layer")
    unknown = [a for a in activations if a not in network.ACTIVATIONS]
    if unknown:
        raise ValueError(f"unknown activation {', '.join(unknown)}; choose from {', '.join(network.ACTIVATIONS)}")
    if args.l1 and args.l2:
        raise ValueError("give --l1 or --l2, not both")
    points = datasets.generate(args.data, args.points, args.noise, args.seed)
    output = _output(args, points.classes)
    loss = args.loss or ("squared_error" if points.is_regression or output == "tanh" else "cross_entropy")
    if output == "tanh" and loss != "squared_error":
        raise ValueError("--output tanh is trained with squared error on the labels -1/+1; "
                         "leave out --loss or give --loss squared_error")
    regularization = "l1" if args.l1 else "l2" if args.l2 else "none"
    objective = network.Objective(loss, regularization, args.l1 or args.l2)
    training = Training(args.optimizer, args.learning_rate, args.batch_size, objective)
    return Run(points, features.check(args.features), args.hidden, activations, training, args.train_share, args.seed,
               args.init, output)


def _output(args, classes: int) -> str | None:
    """The --output id if it fits the data's task (None: the task's default)."""
    if args.output is None:
        return None
    fits = ("sigmoid", "tanh") if classes == 2 else (network.DEFAULT_OUTPUT[classes],)
    if args.output not in fits:
        task = f"{classes} classes" if classes else "a regression"
        raise ValueError(f"--output {args.output} does not fit --data {args.data} ({task}); "
                         f"choose {' or '.join(fits)}")
    return args.output


def main(argv=None) -> int:
    p = parser()
    args = p.parse_args(argv)
    try:
        run = run_from_arguments(args)
    except ValueError as error:
        p.error(str(error))
    started = time.perf_counter()
    report_every = max(1, args.epochs // 10)
    done = 0
    while done < args.epochs and not run.exploded:
        done += run.train(epochs=min(report_every, args.epochs - done))
        if not args.quiet:
            row = run.history[-1]
            print(f"epoch {row['epoch']:>6}  train loss {row['train_loss']:.4f}  test loss {row['test_loss']:.4f}", flush=True)
    seconds = time.perf_counter() - started
    result = {key: value for key, value in run.history[-1].items() if key != "epoch"}
    result.update(epochs_run=run.epoch, seconds=round(seconds, 4),
                  epochs_per_second=round(run.epoch / seconds, 1) if seconds > 0 else None)
    if run.exploded:  # the numbers above are the last sound epoch's
        result["exploded_at_epoch"] = run.exploded_at
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
