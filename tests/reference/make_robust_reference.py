#!/usr/bin/python3
"""Reference optima of the robust convex program (RC) for a tiny 2-D dataset.

Run from the repository root with Debian's python (numpy + cvxopt, `apt-get install
python3-cvxopt`):

    /usr/bin/python3 tests/reference/make_robust_reference.py      # well under a minute

Writes tests/data/reference/robust_xor10.json.  Math: /work/shared/science.md 6.2 (conic forms),
conventions as in make_reference.py: Xb = [X, 1] (bias column last, weight-decayed, never
perturbed), patterns 1(Xb h >= 0) enumerated exactly, blocks b = 0..2P-1 (v-blocks, then
w-blocks, sigma_b = +1 / -1), l_inf radius eps on the two features (raw units, no
standardization):

    min  sum_k l_rob_k + beta * sum_b ||u_b||
    s.t. (2 d_bk - 1) Xb_k . u_b >= eps * ||u_b[0:2]||_1          (robust cone constraints)

with yhat_k = sum_b sigma_b d_bk Xb_k . u_b, q_k = sum_b sigma_b d_bk u_b[0:2] and

    hinge:    l_rob_k = max(0, 1 - y_k yhat_k + eps ||q_k||_1)          (SOCP, cvxopt conelp)
    squared:  l_rob_k = 0.5 * (|yhat_k - y_k| + eps ||q_k||_1)^2        (cvxopt coneqp)

Epigraph variables: t_b >= ||u_b|| (second-order cone), a_b >= |u_b[0:2]|, r_k >= |q_k|
elementwise, hinge slacks xi_k, squared deviations e_k >= +-(yhat_k - y_k) + eps 1^T r_k.

Checks (any failure aborts): the objective recomputed from the weights matches the solver's;
the robust cone constraints hold to 1e-7; on every training ball the recovered ReLU network's
loss at the 4 corners has its maximum equal to the per-sample robust loss (brute force, the
network is affine on each ball); the optimum does not decrease in eps; eps = 0 squared loss
agrees with the C-ReLU program solved by make_reference.solve_program.
"""

import json
import math
import os
import sys

import numpy as np
import cvxopt
from cvxopt import matrix, spmatrix, solvers

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_reference as ref  # noqa: E402  (pattern enumeration, C-ReLU reference solver)

# --n N (default 10) and --losses L1,L2 select the case; the file is named robust_xor<N>.json.
N_POINTS = int(sys.argv[sys.argv.index("--n") + 1]) if "--n" in sys.argv else 10
NAME = "robust_xor%d" % N_POINTS
OUT = os.path.normpath(os.path.join(HERE, "..", "data", "reference", NAME + ".json"))
OPTIONS = {"show_progress": False, "abstol": 1e-10, "reltol": 1e-10, "feastol": 1e-10,
           "maxiters": 200, "refinement": 3}
BETA = 0.1
EPSILONS = [0.0, 0.05, 0.1]
if "--epsilons" in sys.argv:
    EPSILONS = [float(e) for e in sys.argv[sys.argv.index("--epsilons") + 1].split(",")]
# The hinge SOCPs at eps > 0 take cvxopt tens of CPU-minutes here; --losses squared skips them.
LOSSES = ["squared", "hinge"]
if "--losses" in sys.argv:
    LOSSES = sys.argv[sys.argv.index("--losses") + 1].split(",")
TOL = 1e-7


def check(condition, message):
    if not condition:
        print("REFERENCE CHECK FAILED: " + message)
        sys.exit(1)


class Layout:
    """Variable offsets: u (3 per block), t (1 per block), a (2 per block), r (2 per sample),
    then xi (hinge) or e (squared), one per sample."""

    def __init__(self, n, blocks):
        self.n, self.B = n, blocks
        self.u = 0
        self.t = self.u + 3 * blocks
        self.a = self.t + blocks
        self.r = self.a + 2 * blocks
        self.extra = self.r + 2 * n
        self.size = self.extra + n


def build(X, y, masks, loss, beta, eps):
    n, P = masks.shape
    B = 2 * P
    Xb = np.hstack([X, np.ones((n, 1))])
    L = Layout(n, B)
    sigma = np.array([1.0] * P + [-1.0] * P)
    D = np.hstack([masks, masks]).astype(float)  # n x B, d_bk
    rows, cols, vals, h = [], [], [], []

    def add_row(entries, rhs):
        r = len(h)
        for c, v in entries:
            if v != 0.0:
                rows.append(r)
                cols.append(c)
                vals.append(float(v))
        h.append(float(rhs))

    # robust cone: -(s_bk Xb_k . u_b) + eps (a_b0 + a_b1) <= 0
    for b in range(B):
        for k in range(n):
            s = 2.0 * D[k, b] - 1.0
            entries = [(L.u + 3 * b + i, -s * Xb[k, i]) for i in range(3)]
            entries += [(L.a + 2 * b + j, eps) for j in range(2)]
            add_row(entries, 0.0)
    # a_b >= |u_b[j]|
    for b in range(B):
        for j in range(2):
            add_row([(L.u + 3 * b + j, 1.0), (L.a + 2 * b + j, -1.0)], 0.0)
            add_row([(L.u + 3 * b + j, -1.0), (L.a + 2 * b + j, -1.0)], 0.0)
    # r_k >= |q_kj|, q_kj = sum_b sigma_b d_bk u_bj
    for k in range(n):
        for j in range(2):
            for sign in (1.0, -1.0):
                entries = [(L.u + 3 * b + j, sign * sigma[b] * D[k, b]) for b in range(B)]
                entries.append((L.r + 2 * k + j, -1.0))
                add_row(entries, 0.0)

    def yhat_entries(k, factor):
        return [(L.u + 3 * b + i, factor * sigma[b] * D[k, b] * Xb[k, i])
                for b in range(B) for i in range(3)]

    budget = lambda k: [(L.r + 2 * k + j, eps) for j in range(2)]  # noqa: E731
    for k in range(n):
        if loss == "hinge":
            add_row([(L.extra + k, -1.0)], 0.0)  # xi >= 0
            # 1 - y yhat + eps 1^T r - xi <= 0
            add_row(yhat_entries(k, -y[k]) + budget(k) + [(L.extra + k, -1.0)], -1.0)
        else:
            add_row(yhat_entries(k, 1.0) + budget(k) + [(L.extra + k, -1.0)], y[k])
            add_row(yhat_entries(k, -1.0) + budget(k) + [(L.extra + k, -1.0)], -y[k])
    linear = len(h)
    # second-order cones (t_b, u_b)
    for b in range(B):
        add_row([(L.t + b, -1.0)], 0.0)
        for i in range(3):
            add_row([(L.u + 3 * b + i, -1.0)], 0.0)
    G = spmatrix(vals, rows, cols, (len(h), L.size))
    dims = {"l": linear, "q": [4] * B, "s": []}
    c = np.zeros(L.size)
    c[L.t:L.t + B] = beta
    Pq = None
    if loss == "hinge":
        c[L.extra:L.extra + n] = 1.0
    else:
        Pq = spmatrix(1.0, range(L.extra, L.extra + n), range(L.extra, L.extra + n),
                      (L.size, L.size))
    return L, Xb, sigma, D, G, matrix(h), dims, c, Pq


def robust_losses(loss, yhat, y, budgets):
    if loss == "hinge":
        return np.maximum(0.0, 1.0 - y * yhat + budgets)
    return 0.5 * (np.abs(yhat - y) + budgets) ** 2


def solve(X, y, masks, loss, beta, eps):
    L, Xb, sigma, D, G, h, dims, c, Pq = build(X, y, masks, loss, beta, eps)
    solvers.options.update(OPTIONS)
    if loss == "hinge":
        sol = solvers.conelp(matrix(c), G, h, dims)
    else:
        sol = solvers.coneqp(Pq, matrix(c), G, h, dims)
    x = np.array(sol["x"]).ravel()
    U = x[L.u:L.u + 3 * L.B].reshape(L.B, 3)  # row b = u_b
    F = Xb @ U.T  # n x B
    yhat = (sigma * D * F).sum(axis=1)
    q = (sigma * D) @ U[:, :2]  # n x 2
    budgets = eps * np.abs(q).sum(axis=1)
    per_sample = robust_losses(loss, yhat, y, budgets)
    objective = per_sample.sum() + beta * np.linalg.norm(U, axis=1).sum()
    status = sol["status"]
    gap = sol.get("relative gap") or 0.0
    pinf = sol.get("primal infeasibility") or 0.0
    dinf = sol.get("dual infeasibility") or 0.0
    check(status == "optimal" or (abs(gap) <= 1e-7 and pinf <= 1e-7 and dinf <= 1e-7),
          "%s eps=%g: cvxopt status %s (gap %g, pinf %g, dinf %g)" % (loss, eps, status, gap, pinf, dinf))
    primal = float(sol["primal objective"])
    check(abs(objective - primal) <= 1e-7 * max(1.0, objective),
          "%s eps=%g: recomputed objective %.12g vs solver %.12g" % (loss, eps, objective, primal))
    # robust cone violation
    S = 2.0 * D - 1.0
    required = eps * np.abs(U[:, :2]).sum(axis=1)  # per block
    violation = max(0.0, float((required[None, :] - S * F).max()))
    check(violation <= TOL, "%s eps=%g: robust cone violation %g" % (loss, eps, violation))
    # recovered network, corners of every ball
    norms = np.linalg.norm(U, axis=1)
    active = norms > 1e-9 * norms.max() if norms.max() > 0 else norms > 1
    W = U[active] / np.sqrt(norms[active])[:, None]
    alpha = np.sqrt(norms[active]) * sigma[active]

    def network(points):
        pre = np.hstack([points, np.ones((len(points), 1))]) @ W.T
        return np.maximum(pre, 0.0) @ alpha

    corners = np.array([[s1, s2] for s1 in (-1, 1) for s2 in (-1, 1)], dtype=float)
    for k in range(len(y)):
        values = network(X[k] + eps * corners)
        worst = robust_losses(loss, values, y[k], 0.0).max()
        check(abs(worst - per_sample[k]) <= 1e-6 * max(1.0, worst),
              "%s eps=%g sample %d: corner worst %.12g vs robust loss %.12g"
              % (loss, eps, k, worst, per_sample[k]))
    return {
        "loss": loss, "beta": beta, "epsilon": eps,
        "optimum": objective,
        "primal_objective": primal,
        "dual_objective": float(sol["dual objective"]),
        "status": status,
        "relative_gap": float(gap), "primal_infeasibility": float(pinf),
        "dual_infeasibility": float(dinf),
        "iterations": int(sol["iterations"]),
        "max_cone_violation": violation,
        "active_blocks": int(active.sum()),
        "prediction": yhat.tolist(),
        "per_sample_robust_loss": per_sample.tolist(),
    }


def main():
    rng = np.random.default_rng(20240601)
    X = rng.uniform(-1, 1, size=(N_POINTS, 2))
    y = np.where(X[:, 0] * X[:, 1] >= 0, 1.0, -1.0)
    Xb = np.hstack([X, np.ones((N_POINTS, 1))])
    patterns = ref.enumerate_patterns_2d(Xb)
    check(len(patterns) == ref.general_position_count(N_POINTS), "pattern count")
    masks = np.array(patterns, dtype=bool).T  # n x P
    solutions = []
    for loss in LOSSES:
        previous = -math.inf
        for eps in EPSILONS:
            result = solve(X, y, masks, loss, BETA, eps)
            check(result["optimum"] >= previous - 1e-8, "%s: optimum decreased at eps=%g" % (loss, eps))
            previous = result["optimum"]
            print("%-8s eps=%-5g optimum %.10f  (%s, %d iterations, %d active blocks)"
                  % (loss, eps, result["optimum"], result["status"], result["iterations"],
                     result["active_blocks"]))
            solutions.append(result)
    # eps = 0 squared: the C-ReLU program of make_reference.py.
    if LOSSES[0] == "squared":
        with open(os.devnull, "w") as sink:
            stdout, sys.stdout = sys.stdout, sink
            try:
                standard = ref.solve_program(Xb, y, patterns, "squared", BETA)
            finally:
                sys.stdout = stdout
        value = standard["primal_objective"]
        check(abs(value - solutions[0]["optimum"]) <= 1e-7 * max(1.0, value),
              "eps=0 squared %.12g vs C-ReLU reference %.12g" % (solutions[0]["optimum"], value))
    data = {
        "name": NAME,
        "description": "n=%d uniform" % N_POINTS + " in [-1,1]^2, y = sign(x1*x2) (>= 0 -> +1); robust program (RC)",
        "n": N_POINTS,
        "X": X.tolist(),
        "y": y.tolist(),
        "bias": "Xb = [X, 1], bias column last, weight-decayed, not perturbed",
        "perturbation": "l_inf ball of radius epsilon on the two features (raw units)",
        "pattern_convention": "d = 1(Xb h >= 0), zero pattern dropped, exact enumeration",
        "loss_definitions": {
            "squared": "sum_k 0.5 (|yhat_k - y_k| + eps ||q_k||_1)^2",
            "hinge": "sum_k max(0, 1 - y_k yhat_k + eps ||q_k||_1)",
        },
        "pattern_count": len(patterns),
        "patterns": ["".join("1" if b else "0" for b in p) for p in patterns],
        "generator": "tests/reference/make_robust_reference.py",
        "solver": "cvxopt conelp (hinge) / coneqp (squared), sparse G, default KKT solver",
        "cvxopt_version": cvxopt.__version__,
        "numpy_version": np.__version__,
        "solutions": solutions,
    }
    with open(OUT, "w") as out:
        json.dump(data, out, indent=1)
        out.write("\n")
    print("wrote " + OUT)


if __name__ == "__main__":
    main()
