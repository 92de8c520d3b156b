#!/usr/bin/python3
"""Non-convex baseline in the units of `convexnn bench`: back-propagation (Adam, full batch) on
the same objective, logging the objective against CPU time.

    /usr/bin/python3 benchmarks/pytorch_baseline.py teacher10 [--seconds 60] [--seeds 3]
    /usr/bin/python3 benchmarks/pytorch_baseline.py fashion-mnist [--seconds 60]

Objective (mean form, as in ../shared/bench/README.md):
    1/(2n) ||f(X) - y||^2 + beta/2 (sum_j ||[w_j, b_j]||^2 + a_j^2),   f(x) = sum_j a_j relu(w_j.x + b_j)
with beta = 1e-3 and no output bias, i.e. our sum-form objective divided by n with beta_sum = n beta.
Needs Debian's python3-torch and python3-numpy. Writes CSV lines: problem,seed,epoch,cpu_seconds,
objective,train_accuracy,test_accuracy to stdout.
"""
import argparse
import gzip
import os
import struct
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "bench"))
FASHION = "/usr/share/datasets/fashion-mnist"


def load_csv(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1]


def load_idx(images, labels, classes=(0, 6)):
    with gzip.open(images, "rb") as f:
        _, n, rows, cols = struct.unpack(">IIII", f.read(16))
        X = np.frombuffer(f.read(), dtype=np.uint8).reshape(n, rows * cols) / 255.0
    with gzip.open(labels, "rb") as f:
        struct.unpack(">II", f.read(8))
        y = np.frombuffer(f.read(), dtype=np.uint8)
    keep = (y == classes[0]) | (y == classes[1])
    return X[keep], np.where(y[keep] == classes[1], 1.0, -1.0)


def problem(name):
    if name == "teacher10":
        return load_csv(os.path.join(BENCH, "teacher10-train.csv")) + load_csv(
            os.path.join(BENCH, "teacher10-test.csv"))
    if name == "fashion-mnist":
        return load_idx(os.path.join(FASHION, "train-images-idx3-ubyte.gz"),
                        os.path.join(FASHION, "train-labels-idx1-ubyte.gz")) + load_idx(
            os.path.join(FASHION, "t10k-images-idx3-ubyte.gz"),
            os.path.join(FASHION, "t10k-labels-idx1-ubyte.gz"))
    sys.exit("unknown problem " + name)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("problem", choices=["teacher10", "fashion-mnist"])
    parser.add_argument("--seconds", type=float, default=60.0, help="CPU seconds per seed")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--width", type=int, default=1000)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--beta", type=float, default=1e-3)
    parser.add_argument("--log-every", type=int, default=100)
    args = parser.parse_args()
    X, y, X_test, y_test = problem(args.problem)
    X = torch.tensor(X, dtype=torch.float64)
    y = torch.tensor(y, dtype=torch.float64)
    X_test = torch.tensor(X_test, dtype=torch.float64)
    y_test = torch.tensor(y_test, dtype=torch.float64)
    n, d = X.shape
    print("problem,seed,epoch,cpu_seconds,objective,train_accuracy,test_accuracy")
    for seed in range(1, args.seeds + 1):
        torch.manual_seed(seed)
        first = torch.nn.Linear(d, args.width, dtype=torch.float64)
        second = torch.randn(args.width, dtype=torch.float64) / np.sqrt(args.width)
        second.requires_grad_(True)
        parameters = [first.weight, first.bias, second]
        optimizer = torch.optim.Adam(parameters, lr=args.lr)

        def objective():
            output = torch.relu(X @ first.weight.T + first.bias) @ second
            loss = 0.5 * torch.mean((output - y) ** 2)
            decay = 0.5 * args.beta * (first.weight.pow(2).sum() + first.bias.pow(2).sum() +
                                       second.pow(2).sum())
            return loss + decay, output

        start = time.process_time()
        epoch = 0
        while True:
            optimizer.zero_grad()
            value, output = objective()
            value.backward()
            optimizer.step()
            epoch += 1
            elapsed = time.process_time() - start
            if epoch % args.log_every == 0 or elapsed >= args.seconds:
                with torch.no_grad():
                    value, output = objective()
                    train = (torch.where(output >= 0, 1.0, -1.0) == y).double().mean().item()
                    test_output = torch.relu(X_test @ first.weight.T + first.bias) @ second
                    test = (torch.where(test_output >= 0, 1.0, -1.0) == y_test).double().mean().item()
                print("%s,%d,%d,%.3f,%.6f,%.4f,%.4f" % (args.problem, seed, epoch, elapsed,
                                                        value.item(), train, test), flush=True)
            if elapsed >= args.seconds:
                break


if __name__ == "__main__":
    main()
