#!/usr/bin/python3
"""Plot objective (mean form, log scale) against CPU seconds for the teacher10 benchmark.

One curve per method: convexnn training logs (with their certified lower bounds, dashed),
the PyTorch baseline (each seed thin, the best seed bold) and horizontal reference lines.

    /usr/bin/python3 benchmarks/plot_objective_vs_time.py \\
        --log "gated R-FISTA=/tmp/gated.csv:1.0" --log "AL=/tmp/al.csv:0.98" \\
        --pytorch /tmp/torch.csv \\
        --reference "scnn AL (849 s CPU)=0.2389" --reference "Adam best of 3, 180 s=0.0872" \\
        --output docs/objective-vs-time.png

--log LABEL=FILE.csv[:CPU_FACTOR]: a CSV from `convexnn train --log`. Its objectives are in sum form
and are divided by --n (2000 training rows); the curve is best_objective, the dashed line lower_bound
(rows where it is finite and > 0). elapsed_seconds is wall time, multiplied by CPU_FACTOR (default 1;
e.g. user+sys over real time from `/usr/bin/time`) to give CPU seconds.
--log-without-bound LABEL=FILE.csv[:CPU_FACTOR]: the same, without the lower_bound line (for runs whose
bound is not one for this problem, e.g. SCP's lasso bound holds only among its own neurons).
--pytorch FILE.csv: stdout of benchmarks/pytorch_baseline.py (mean form, cpu_seconds already CPU).
--reference LABEL=VALUE: a mean-form objective from ../shared/bench/README.md, drawn as a horizontal line.
Needs Debian's python3-matplotlib.
"""
import argparse
import csv
import math
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_log_spec(spec):
    """'LABEL=path.csv[:factor]' -> (label, path, factor)."""
    label, sep, rest = spec.partition("=")
    if not sep or not label or not rest:
        raise argparse.ArgumentTypeError("expected LABEL=path.csv[:cpu_factor], got " + spec)
    path, factor = rest, 1.0
    head, sep, tail = rest.rpartition(":")
    if sep:
        try:
            path, factor = head, float(tail)
        except ValueError:
            pass  # the colon belongs to the path
    return label, path, factor


def parse_reference(spec):
    """'LABEL=VALUE' -> (label, value); the label may itself contain '='."""
    label, sep, value = spec.rpartition("=")
    if not sep or not label:
        raise argparse.ArgumentTypeError("expected LABEL=VALUE, got " + spec)
    return label, float(value)


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--log", action="append", default=[], type=parse_log_spec,
                        metavar="LABEL=FILE.csv[:CPU_FACTOR]", help="convexnn train --log CSV (sum form)")
    parser.add_argument("--log-without-bound", action="append", default=[], type=parse_log_spec,
                        metavar="LABEL=FILE.csv[:CPU_FACTOR]", help="as --log, no lower-bound line")
    parser.add_argument("--pytorch", metavar="FILE.csv", help="benchmarks/pytorch_baseline.py output")
    parser.add_argument("--reference", action="append", default=[], type=parse_reference,
                        metavar="LABEL=VALUE", help="horizontal line at a mean-form objective")
    parser.add_argument("--n", type=int, default=2000, help="training rows (sum form / n = mean form)")
    parser.add_argument("--problem", default="teacher10", help="problem name (PyTorch CSV filter, title)")
    parser.add_argument("--machine", default="2-core VM", help="machine named in the title")
    parser.add_argument("--linear-x", action="store_true", help="linear time axis (default: log)")
    parser.add_argument("--output", default=os.path.join(HERE, "..", "docs", "objective-vs-time.png"))
    args = parser.parse_args()

    fig, ax = plt.subplots(figsize=(10, 6.5))
    colours = iter(plt.rcParams["axes.prop_cycle"].by_key()["color"])

    logs = [(spec, True) for spec in args.log] + [(spec, False) for spec in args.log_without_bound]
    for (label, path, factor), with_bound in logs:
        rows = read_rows(path)
        colour = next(colours)
        t = [float(r["elapsed_seconds"]) * factor for r in rows]
        ax.plot(t, [float(r["best_objective"]) / args.n for r in rows], color=colour, lw=2, label=label)
        if not with_bound:
            continue
        bound = [(ti, float(r["lower_bound"]) / args.n) for ti, r in zip(t, rows)
                 if math.isfinite(float(r["lower_bound"])) and float(r["lower_bound"]) > 0]
        if bound:
            ax.plot(*zip(*bound), color=colour, lw=1.5, ls="--", label=label + ": certified lower bound")

    if args.pytorch:
        runs = {}
        for r in read_rows(args.pytorch):
            if r["problem"] == args.problem:
                runs.setdefault(r["seed"], []).append((float(r["cpu_seconds"]), float(r["objective"])))
        if runs:
            colour = next(colours)
            best = min(runs, key=lambda s: runs[s][-1][1])
            for seed, points in runs.items():
                ax.plot(*zip(*points), color=colour, lw=0.8, alpha=0.5)
            ax.plot(*zip(*runs[best]), color=colour, lw=2,
                    label="PyTorch Adam, best of %d seeds (seed %s); others thin" % (len(runs), best))

    styles = iter([":", "-.", (0, (3, 1, 1, 1, 1, 1)), (0, (1, 1))] * 10)
    for label, value in args.reference:
        ax.axhline(value, color="0.3", ls=next(styles), lw=1.3, label="reference: " + label)

    ax.set_yscale("log")
    if not args.linear_x:
        ax.set_xscale("log")
    ax.set_xlabel("CPU seconds" + ("" if args.linear_x else " (log scale)"))
    ax.set_ylabel("objective, mean form (log scale)")
    ax.set_title("%s (n = %d): objective (mean form) vs CPU time, machine: %s\n" % (
        args.problem, args.n, args.machine) + r"objective $= \frac{1}{2n}\Vert f(X)-y\Vert ^2 + "
        r"\frac{\beta}{2}\sum_j (\Vert u_j\Vert ^2 + a_j^2)$,  $\beta = 10^{-3}$", fontsize=11)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=9, frameon=False)
    fig.savefig(args.output, dpi=120, bbox_inches="tight")
    print("wrote", os.path.normpath(args.output))


if __name__ == "__main__":
    main()
