#!/usr/bin/python3
"""When a `convexnn train --log` run first reaches an objective (mean form), and where it ends.

    /usr/bin/python3 benchmarks/time_to_objective.py --target 0.0872 run1.csv run2.csv ...

For each CSV: the first elapsed_seconds at which best_objective / n is below --target (or
"never"), the final best objective (mean form) and the active neurons of the last report. The
logs' objectives are in sum form; --n (default 2000, teacher10's training rows) converts them.
elapsed_seconds is wall time; with `--threads 1` on an otherwise idle core it is the CPU time.
"""
import argparse
import csv
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("logs", nargs="+", metavar="FILE.csv")
    parser.add_argument("--target", type=float, required=True, help="objective, mean form")
    parser.add_argument("--n", type=int, default=2000, help="training rows (sum form / n)")
    args = parser.parse_args()
    status = 0
    for path in args.logs:
        try:
            with open(path, newline="") as handle:
                rows = list(csv.DictReader(handle))
        except OSError as error:
            print(f"{path}: cannot read: {error}", file=sys.stderr)
            status = 1
            continue
        if not rows or "best_objective" not in rows[0] or "elapsed_seconds" not in rows[0]:
            print(f"{path}: not a `convexnn train --log` CSV (needs best_objective and "
                  "elapsed_seconds columns)", file=sys.stderr)
            status = 1
            continue
        reached = next((float(row["elapsed_seconds"]) for row in rows
                        if float(row["best_objective"]) / args.n < args.target), None)
        final = min(float(row["best_objective"]) for row in rows) / args.n
        when = f"{reached:.1f} s" if reached is not None else "never"
        print(f"{path}: below {args.target} at {when}; final {final:.5f} after "
              f"{float(rows[-1]['elapsed_seconds']):.1f} s, {rows[-1]['active_neurons']} neurons")
    return status


if __name__ == "__main__":
    sys.exit(main())
