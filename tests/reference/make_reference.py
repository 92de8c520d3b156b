#!/usr/bin/python3
"""Reference optima of the exact convex ReLU program (C-ReLU) for small 2-D datasets.

Run from the repository root with Debian's python (numpy + cvxopt):

    /usr/bin/python3 tests/reference/make_reference.py

See tests/reference/README.md for the JSON format.  Math: /work/shared/science.md
sections 1, 2.4, 3.1, 3.2 and 12.

Program (C), science.md 3.1, with Xb = [X, 1] (bias column last, weight-decayed):

    min  loss(sum_i D_i Xb (v_i - w_i), y) + beta * sum_i (||v_i|| + ||w_i||)
    s.t. (2 D_i - I) Xb v_i >= 0,  (2 D_i - I) Xb w_i >= 0

over all non-zero activation patterns D_i (exact enumeration, science.md 2.4, tie
convention 1(Xb h >= 0)).  squared = 0.5 ||yhat - y||^2 (cvxopt coneqp),
hinge = sum_k max(0, 1 - y_k yhat_k) (cvxopt conelp).

Variable layout: blocks b = 0..2P-1 (v-blocks first, then w-blocks, sigma_b = +1 / -1),
each block stores [u_b (d entries), t_b] with the epigraph t_b >= ||u_b|| (second-order
cone); the hinge program appends the slacks xi (n entries).  The KKT systems are solved
with a structure-exploiting solver (block-diagonal part + rank-n part, Woodbury); it is
cross-checked against cvxopt's built-in dense 'chol' KKT solver on the small problems.
"""

import argparse
import contextlib
import io
import re
import itertools
import json
import math
import os
import sys
import time

import numpy as np
import cvxopt
from cvxopt import matrix, spmatrix, solvers, misc, blas

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "data", "reference"))

SOLVER_OPTIONS = {
    "show_progress": False,
    "abstol": 1e-10,
    "reltol": 1e-10,
    "feastol": 1e-10,
    "maxiters": 200,
    # iterative refinement of the KKT solves; needed to reach the 1e-10 tolerances
    "refinement": 3,
}
# A non-'optimal' status is accepted only if the solution is this accurate.
NEAR_OPTIMAL_GAP = 1e-7
NEAR_OPTIMAL_INFEAS = 1e-7
CROSSCHECK_MAX_N = 10  # built-in dense KKT solver is slow (~1 min per solve at n = 12)
PROGRESS_RE = re.compile(r"^\s*(\d+):\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)")
CERT_GAP = 1e-7  # required (p* - L) / max(1, p*) for the NNLS dual certificate
STALL_MERIT = 1e-8   # abort a run that has reached this merit ...
STALL_ITERS = 4      # ... and not improved for this many iterations
ACTIVE_TOL = 1e-6  # block active iff ||u_b|| > ACTIVE_TOL * max_b ||u_b||


# ----------------------------------------------------------------------------------------
# Activation patterns (science.md 2.4)
# ----------------------------------------------------------------------------------------

def enumerate_patterns_2d(Xb, tol=1e-10):
    """All non-zero patterns 1(Xb h >= 0), h in R^3, for 2-D data with bias (Xb = [X, 1]).

    Angular sweep around every vertex g = x~_i x x~_j (both signs).  Returns a sorted list of
    bool tuples (length n each)."""
    n = Xb.shape[0]
    norms = np.linalg.norm(Xb, axis=1)
    patterns = set()
    found_vertex = False
    for i in range(n):
        for j in range(i + 1, n):
            g = np.cross(Xb[i], Xb[j])
            gn = np.linalg.norm(g)
            if gn <= tol * norms[i] * norms[j]:
                continue  # identical points: handled at other vertices
            found_vertex = True
            g = g / gn
            for sg in (1.0, -1.0):
                gg = sg * g
                vals = Xb @ gg
                S = np.nonzero(np.abs(vals) <= tol * norms)[0]
                _, _, vt = np.linalg.svd(gg.reshape(1, 3))
                a1, a2 = vt[1], vt[2]
                theta = np.arctan2(Xb[S] @ a2, Xb[S] @ a1)
                crit = np.concatenate([theta + np.pi / 2, theta - np.pi / 2])
                crit = np.sort(np.mod(crit, 2 * np.pi))
                # merge numerically identical critical angles (duplicate points)
                keep = np.concatenate([[True], np.diff(crit) > 1e-13])
                crit = crit[keep]
                crit = np.append(crit, crit[0] + 2 * np.pi)
                base = vals >= 0
                for c0, c1 in zip(crit[:-1], crit[1:]):
                    mid = 0.5 * (c0 + c1)
                    t = np.cos(mid) * a1 + np.sin(mid) * a2
                    mask = base.copy()
                    mask[S] = (Xb[S] @ t) >= 0
                    if mask.any():
                        patterns.add(tuple(bool(b) for b in mask))
    if not found_vertex:
        # n == 1 or all points identical: only the all-ones pattern (h = (0,0,1)).
        patterns.add(tuple([True] * n))
    return sorted(patterns, reverse=True)


def general_position_count(n):
    """2 * (C(n-1,0) + C(n-1,1) + C(n-1,2)) - 1 non-zero patterns (rank 3)."""
    return 2 * sum(math.comb(n - 1, k) for k in range(3)) - 1


def zaslavsky_count(X, tol=1e-12):
    """Independent exact count for 2-D data with bias, any (degenerate) position.

    Distinct points <-> distinct planes of a central arrangement in R^3 (rank 3 assumed).
    Regions = 2 * (1 + sum over distinct lines L through >= 2 points of (m_L - 1)),
    minus the zero pattern."""
    pts = np.unique(np.asarray(X), axis=0)
    m = len(pts)
    lines = {}
    for i in range(m):
        for j in range(i + 1, m):
            on = []
            d = pts[j] - pts[i]
            for k in range(m):
                e = pts[k] - pts[i]
                if abs(d[0] * e[1] - d[1] * e[0]) <= tol * (1 + np.linalg.norm(d) * np.linalg.norm(e)):
                    on.append(k)
            lines[tuple(on)] = len(on)
    return 2 * (1 + sum(c - 1 for c in lines.values())) - 1


def sampled_patterns(Xb, count, rng):
    H = rng.standard_normal((Xb.shape[1], count))
    M = (Xb @ H) >= 0
    return {tuple(bool(b) for b in M[:, j]) for j in range(count) if M[:, j].any()}


# ----------------------------------------------------------------------------------------
# Convex program
# ----------------------------------------------------------------------------------------

def activation_diagonals(masks, activation):
    """Diagonals s_i of S_i (science.md 8.1) for masks (P x n): ReLU D_i, leaky ReLU
    kappa I + (1 - kappa) D_i, absolute value 2 D_i - I."""
    kind, slope = activation
    if kind == "relu":
        return masks
    if kind == "leaky-relu":
        return slope + (1.0 - slope) * masks
    if kind == "abs":
        return 2.0 * masks - 1.0
    raise ValueError("unknown activation %r" % (kind,))


def apply_activation(t, activation):
    kind, slope = activation
    if kind == "relu":
        return np.maximum(0.0, t)
    if kind == "leaky-relu":
        return np.maximum(t, slope * t)
    return np.abs(t)


class Problem:
    def __init__(self, X, y, masks, loss, beta, activation=("relu", 0.0)):
        self.X = np.asarray(X, dtype=float)            # design matrix (bias column included if any)
        self.y = np.asarray(y, dtype=float)
        self.masks = np.asarray(masks, dtype=float)     # P x n, 0/1
        self.loss = loss
        self.beta = float(beta)
        self.activation = activation
        n, d = self.X.shape
        P = self.masks.shape[0]
        self.n, self.d, self.P = n, d, P
        self.nb = 2 * P                                 # blocks
        self.bs = d + 1                                 # block size [u_b, t_b]
        self.nu = self.nb * self.bs
        self.N = self.nu + (n if loss == "hinge" else 0)
        self.sigma = np.concatenate([np.ones(P), -np.ones(P)])
        self.pat = np.concatenate([np.arange(P), np.arange(P)])
        # A_b = (2 D_i - I) X  (nb x n x d);  DX_b = S_i X (= D_i X for ReLU)
        s = 2 * self.masks - 1
        self.A = s[self.pat][:, :, None] * self.X[None, :, :]
        diagonals = activation_diagonals(self.masks, activation)
        self.DX = diagonals[self.pat][:, :, None] * self.X[None, :, :]
        # F (n x N): yhat = F x
        F = np.zeros((n, self.N))
        for b in range(self.nb):
            F[:, b * self.bs: b * self.bs + d] = self.sigma[b] * self.DX[b]
        self.F = F
        self._build_G()

    def u_slice(self, b):
        return slice(b * self.bs, b * self.bs + self.d)

    def t_index(self, b):
        return b * self.bs + self.d

    def _build_G(self):
        n, d, nb, bs = self.n, self.d, self.nb, self.bs
        vals, rows, cols = [], [], []
        h = []
        r = 0
        # linear: -A_b u_b <= 0
        for b in range(nb):
            for k in range(n):
                for j in range(d):
                    a = self.A[b, k, j]
                    if a != 0.0:
                        vals.append(-a); rows.append(r); cols.append(b * bs + j)
                h.append(0.0)
                r += 1
        self.ml_cone = r
        if self.loss == "hinge":
            xi0 = self.nu
            for k in range(n):                       # -xi_k <= 0
                vals.append(-1.0); rows.append(r); cols.append(xi0 + k); h.append(0.0); r += 1
            for k in range(n):                       # -y_k F_k u - xi_k <= -1
                for c in range(self.nu):
                    f = self.F[k, c]
                    if f != 0.0:
                        vals.append(-self.y[k] * f); rows.append(r); cols.append(c)
                vals.append(-1.0); rows.append(r); cols.append(xi0 + k)
                h.append(-1.0)
                r += 1
        self.ml = r
        # second-order cones: s = (t_b, u_b) = -G x
        for b in range(nb):
            vals.append(-1.0); rows.append(r); cols.append(self.t_index(b)); h.append(0.0); r += 1
            for j in range(d):
                vals.append(-1.0); rows.append(r); cols.append(b * bs + j); h.append(0.0); r += 1
        self.G = spmatrix(vals, rows, cols, (r, self.N))
        self.h = matrix(h)
        self.dims = {"l": self.ml, "q": [bs] * nb, "s": []}

    # ------------------------------------------------------------------ KKT solver
    def kktsolver(self, W):
        """Solves [P G'; G -W'W][ux; uz] = [bx; bz] (science.md 3.1 layout).

        H = P + G' W^{-1} W^{-T} G.  On the [u_b, t_b] variables H = B + Ut' Ut with B
        block-diagonal (cone rows + second-order cone of block b) and Ut of rank n
        (Ut = F for squared; for hinge the slacks xi are eliminated first, giving
        Ut = diag(1/sqrt(dx^2 + dh^2)) (-diag(y) F)).  B^{-1} = R^{-1} R^{-T} from a QR
        factorisation of the scaled block rows (square-root form, B is never formed), then the
        n dense rows Ut are folded into R by Householder reflections (square_root_update), so
        H = Rf' Rf with Rf upper triangular, in O(n nu^2) flops.  (A Woodbury formula is
        cheaper but loses all accuracy near the optimum through cancellation.)"""
        n, d, nb, bs = self.n, self.d, self.nb, self.bs
        dl = np.array(W["d"]).ravel()
        # scaled block rows: [diag(1/d) A_b, 0; W_b^{-1} Pm] where Pm maps [u, t] -> (t, u)
        Hs = np.zeros((nb, n + bs, bs))
        Hs[:, :n, :d] = self.A / dl[: self.ml_cone].reshape(nb, n)[:, :, None]
        J = np.diag(np.concatenate([[1.0], -np.ones(d)]))
        Pm = np.zeros((bs, bs))
        Pm[0, d] = 1.0
        Pm[1:, :d] = np.eye(d)
        for b in range(nb):
            v = np.array(W["v"][b]).ravel()
            Jv = J @ v
            Winv = (2.0 * np.outer(Jv, Jv) - J) / W["beta"][b]
            Hs[b, n:, :] = Winv @ Pm
        R = np.linalg.qr(Hs, mode="r")                   # nb x bs x bs, B_b = R_b' R_b
        nu = self.nu
        if self.loss == "squared":
            M = self.F                                    # P = F' F
            wts = np.ones(n)
        else:
            # hinge rows: -y_k F_k u - xi_k <= -1 (scaling dh), xi >= 0 (scaling dx).
            # Eliminate xi exactly: H_xixi = diag(1/dx^2 + 1/dh^2), H_uxi = -M' diag(1/dh^2),
            # Schur complement B_u + M' diag(1/(dx^2 + dh^2)) M.
            dx = dl[self.ml_cone: self.ml_cone + n]
            dh = dl[self.ml_cone + n: self.ml]
            M = -self.y[:, None] * self.F[:, :nu]
            wts = 1.0 / (dx ** 2 + dh ** 2)
            hxx = 1.0 / dx ** 2 + 1.0 / dh ** 2
            idh2 = 1.0 / dh ** 2
        Ut = np.sqrt(wts)[:, None] * M                    # n x nu

        Rf = square_root_update(R, Ut)                    # H_u = Rf' Rf, Rf upper triangular
        G = self.G

        def solve_u(ru):
            v = matrix(ru)
            blas.trsv(Rf, v, uplo="U", trans="T")
            blas.trsv(Rf, v, uplo="U", trans="N")
            return np.array(v).ravel()

        def solve(x, y, z):
            tmp = matrix(z)
            misc.scale(tmp, W, trans="T", inverse="I")
            misc.scale(tmp, W, inverse="I")            # (W'W)^{-1} bz
            r = np.array(x).ravel() + np.array(G.T * tmp).ravel()
            if self.loss == "squared":
                ux = solve_u(r)
            else:
                ru, rxi = r[:nu], r[nu:]
                xu = solve_u(ru + M.T @ (idh2 * rxi / hxx))
                xxi = (rxi + idh2 * (M @ xu)) / hxx
                ux = np.concatenate([xu, xxi])
            x[:] = matrix(ux)
            zz = G * x - z
            misc.scale(zz, W, trans="T", inverse="I")
            z[:] = zz

        return solve

    # ------------------------------------------------------------------ P as operator
    def P_op(self, x, y, alpha=1.0, beta=0.0):
        xv = np.array(x).ravel()
        val = alpha * (self.F.T @ (self.F @ xv)) + beta * np.array(y).ravel()
        y[:] = matrix(val)

    # ------------------------------------------------------------------ objective pieces
    def loss_value(self, yhat):
        if self.loss == "squared":
            return 0.5 * float(np.sum((yhat - self.y) ** 2))
        return float(np.sum(np.maximum(0.0, 1.0 - self.y * yhat)))

    def solve(self, use_custom_kkt=True, strict=True):
        n, N = self.n, self.N
        c = np.zeros(N)
        for b in range(self.nb):
            c[self.t_index(b)] = self.beta
        kkt = self.kktsolver if use_custom_kkt else "chol"
        if self.loss == "squared":
            q = c.copy()
            q -= self.F.T @ self.y
            const = 0.5 * float(self.y @ self.y)
            Pm = self.P_op if use_custom_kkt else matrix(self.F.T @ self.F)
        else:
            c[self.nu:] = 1.0
            const = 0.0

        def run(maxiters, watch):
            opts = dict(SOLVER_OPTIONS)
            opts["maxiters"] = maxiters
            opts["show_progress"] = True
            monitor = ProgressMonitor(const, watch)
            sol, err = None, None
            with contextlib.redirect_stdout(monitor):
                try:
                    if self.loss == "squared":
                        sol = solvers.coneqp(Pm, matrix(q), self.G, self.h, self.dims, kktsolver=kkt, options=opts)
                    else:
                        sol = solvers.conelp(matrix(c), self.G, self.h, self.dims, kktsolver=kkt, options=opts)
                except (ValueError, ArithmeticError, np.linalg.LinAlgError, StalledError) as e:
                    err = e
            if SOLVER_OPTIONS.get("show_progress"):
                sys.stdout.write(monitor.text)
            return sol, err, monitor.progress

        t0 = time.time()
        sol, err, progress = run(SOLVER_OPTIONS["maxiters"], True)
        restarted_at = None
        if err is not None or sol["status"] != "optimal":
            # The tolerances are at the limit of double precision (hinge: degenerate LP);
            # cvxopt then stops with 'unknown' at a spoiled iterate or fails.  Re-run to the
            # best iterate seen (cvxopt is deterministic) and judge that one.
            if not progress:
                raise RuntimeError("cvxopt failed before the first iteration: %s" % err)
            kbest = min(progress, key=lambda km: km[1])[0]
            if err is not None or kbest != progress[-1][0]:
                sol, err, _ = run(kbest, False)
                restarted_at = kbest
                if err is not None:
                    raise RuntimeError("cvxopt failed when re-run to iteration %d: %s" % (kbest, err))
        elapsed = time.time() - t0
        x = np.array(sol["x"]).ravel()
        yhat = self.F @ x
        U = np.stack([x[self.u_slice(b)] for b in range(self.nb)])
        norms = np.linalg.norm(U, axis=1)
        objective_at_x = self.loss_value(yhat) + self.beta * float(norms.sum())
        cone_viol = float(max(0.0, np.max(-np.einsum("bkj,bj->bk", self.A, U))))
        # prediction of the recovered network on the training points (science.md 3.3, 8.1)
        net = np.einsum("b,bk->k", self.sigma,
                        apply_activation(np.einsum("kj,bj->bk", self.X, U), self.activation))
        active = int(np.sum(norms > ACTIVE_TOL * max(norms.max(), 1e-300)))
        if self.loss == "squared":
            lam = yhat - self.y
        else:
            z = np.array(sol["z"]).ravel()
            lam = -self.y * z[self.ml_cone + n: self.ml]
        pobj = float(sol["primal objective"]) + const
        dobj = float(sol["dual objective"]) + const
        res = {
            "status": sol["status"],
            "primal_objective": pobj,
            "dual_objective": dobj,
            "gap": pobj - dobj,
            "primal_infeasibility": sol["primal infeasibility"],
            "dual_infeasibility": sol["dual infeasibility"],
            "iterations": sol["iterations"],
            "stopped_at_best_iterate": restarted_at is not None,
            "objective_at_x": objective_at_x,
            "max_cone_violation": cone_viol,
            "network_prediction_mismatch": float(np.max(np.abs(net - yhat))),
            "active_blocks": active,
            "prediction": yhat,
            "dual_lambda": lam,
            "block_norms": norms,
            "seconds": elapsed,
        }
        ok = res["status"] == "optimal" or (
            abs(res["gap"]) <= NEAR_OPTIMAL_GAP * max(1.0, abs(pobj))
            and (res["primal_infeasibility"] or 0) <= NEAR_OPTIMAL_INFEAS
            and (res["dual_infeasibility"] or 0) <= NEAR_OPTIMAL_INFEAS)
        res["accepted"] = ok
        if strict and not ok:
            raise RuntimeError("cvxopt did not converge: status=%s gap=%g pinf=%s dinf=%s" % (
                res["status"], res["gap"], res["primal_infeasibility"], res["dual_infeasibility"]))
        return res


class StalledError(Exception):
    pass


class ProgressMonitor(io.StringIO):
    """Captures cvxopt's progress lines; records merit = max(rel. gap, pres, dres) per
    iteration and (if watch) aborts the run once the iterates stop improving after reaching
    STALL_MERIT (beyond that point cvxopt at 1e-10 tolerances only degrades)."""

    def __init__(self, const, watch):
        super().__init__()
        self.const, self.watch = const, watch
        self.progress = []
        self.pending = ""

    @property
    def text(self):
        return self.getvalue()

    def write(self, data):
        out = super().write(data)
        self.pending += data
        while "\n" in self.pending:
            line, self.pending = self.pending.split("\n", 1)
            mt = PROGRESS_RE.match(line)
            if not mt:
                continue
            k, pc, dc, gap, pres, dres = mt.groups()[:6]
            pc = float(pc) + self.const
            merit = max(float(gap) / max(1.0, abs(pc)), float(pres), float(dres))
            self.progress.append((int(k), merit))
            if self.watch:
                best_k, best = min(self.progress, key=lambda km: km[1])
                if best <= STALL_MERIT and int(k) - best_k >= STALL_ITERS:
                    raise StalledError("no progress since iteration %d" % best_k)
        return out


def square_root_update(R, Ut, group=8):
    """Upper-triangular Rf with Rf' Rf = blkdiag(R_b' R_b) + Ut' Ut.

    QR of [blkdiag(R_b); Ut] exploiting that the top part is block triangular: for each group
    of blocks (w columns), one orthogonal transformation of the group's rows (which are zero
    outside the group's columns) together with the n rows of Ut zeroes those columns of Ut.
    O(n nu^2) flops overall."""
    nb, bs, _ = R.shape
    nu = nb * bs
    n = Ut.shape[0]
    Rf = np.zeros((nu, nu))
    for b in range(nb):
        Rf[b * bs:(b + 1) * bs, b * bs:(b + 1) * bs] = R[b]
    Z = np.array(Ut, dtype=float, copy=True)
    for c0 in range(0, nu, group * bs):
        c1 = min(nu, c0 + group * bs)
        w = c1 - c0
        top = Rf[c0:c1, c0:c1]
        Q, _ = np.linalg.qr(np.vstack([top, Z[:, c0:c1]]), mode="complete")
        QT = Q.T
        Rf[c0:c1, c0:c1] = np.triu(QT[:w, :w] @ top + QT[:w, w:] @ Z[:, c0:c1])
        Zr = Z[:, c1:]
        Rf[c0:c1, c1:] = QT[:w, w:] @ Zr
        Z[:, c1:] = QT[w:, w:] @ Zr
        Z[:, c0:c1] = 0.0
    return matrix(Rf)


def nnls(E, f, tol=1e-14, max_outer=200):
    """Lawson-Hanson non-negative least squares: argmin_{a >= 0} ||E a - f||."""
    m, k = E.shape
    x = np.zeros(k)
    active = np.zeros(k, dtype=bool)
    scale = max(1.0, float(np.abs(E).max()) * max(1.0, float(np.abs(f).max())))
    for _ in range(max_outer):
        w = E.T @ (f - E @ x)
        cand = np.where(~active, w, -np.inf)
        j = int(np.argmax(cand))
        if active.all() or cand[j] <= tol * scale:
            break
        active[j] = True
        while True:
            sP = np.zeros(k)
            sP[active] = np.linalg.lstsq(E[:, active], f, rcond=None)[0]
            if np.all(sP[active] > 0):
                x = sP
                break
            mask = active & (sP <= 0)
            alpha = np.min(x[mask] / (x[mask] - sP[mask]))
            x = x + alpha * (sP - x)
            active &= x > tol
            x[~active] = 0.0
    return x


def dual_certificate(prob, lam):
    """Lower bound L <= p* (science.md 11.1): dual candidate lam, exact NNLS cone multipliers
    per block, scaled by theta to satisfy ||sigma_b X' D_i lam - A_b' alpha_b|| <= beta."""
    cmax = 0.0
    for b in range(prob.nb):
        c = prob.sigma[b] * (prob.DX[b].T @ lam)
        At = prob.A[b].T
        a = nnls(At, c)
        cmax = max(cmax, float(np.linalg.norm(c - At @ a)))
    y = prob.y
    limit = prob.beta / cmax if cmax > 0 else np.inf
    if prob.loss == "squared":
        ll = float(lam @ lam)
        theta = float(np.clip(-(lam @ y) / ll, 0.0, limit)) if ll > 0 else 0.0
        return -(0.5 * theta ** 2 * ll + theta * float(lam @ y))
    ylam = np.clip(y * lam, -1.0, 0.0)                 # domain of the hinge conjugate
    theta = min(1.0, limit)
    return -theta * float(np.sum(ylam))


def solve_program(X, y, masks, loss, beta, use_custom_kkt=True, strict=True,
                  activation=("relu", 0.0)):
    return Problem(X, y, masks, loss, beta, activation).solve(use_custom_kkt, strict)


def drop_complementary(masks):
    """First pattern of each complementary pair, in the given order (science.md 8.1)."""
    kept, seen = [], set()
    for mk in masks:
        if tuple(not b for b in mk) in seen:
            continue
        seen.add(tuple(mk))
        kept.append(mk)
    return kept


def activation_references(out_dir):
    """Leaky ReLU and absolute value (science.md 8.1) on a tiny 2-D set, exact patterns.

    The absolute-value program is solved on all patterns and on one pattern per complementary
    pair; both optima must agree (the pair (D, v), (I - D, -v) gives identical terms)."""
    rng = np.random.default_rng(20261123)
    X = rng.uniform(-1, 1, size=(8, 2))
    y = np.where(X[:, 0] * X[:, 1] >= 0, 1.0, -1.0)
    n = len(y)
    Xb = np.hstack([X, np.ones((n, 1))])
    masks = enumerate_patterns_2d(Xb)
    check(len(masks) == zaslavsky_count(X), "activations8: pattern count")
    halved = drop_complementary(masks)
    check(len(halved) == (len(masks) + 1) // 2, "activations8: %d of %d patterns kept" % (len(halved), len(masks)))
    solutions = []
    cases = [(("leaky-relu", 0.2), "squared", 0.1), (("leaky-relu", 0.2), "hinge", 0.1),
             (("abs", 0.0), "squared", 0.1), (("abs", 0.0), "hinge", 0.1),
             (("leaky-relu", 0.0), "squared", 0.1)]
    for activation, loss, beta in cases:
        used = halved if activation[0] == "abs" else masks
        prob = Problem(Xb, y, used, loss, beta, activation)
        res = prob.solve()
        p = res["primal_objective"]
        lower = dual_certificate(prob, res["dual_lambda"])
        check(lower <= p + 1e-8 * max(1, abs(p)), "activations8: certificate above primal")
        check(p - lower <= CERT_GAP * max(1, abs(p)), "activations8: certificate too loose")
        check(res["network_prediction_mismatch"] <= 1e-6, "activations8: recovered network mismatch")
        check(res["max_cone_violation"] <= 1e-7, "activations8: cone violation")
        if activation[0] == "abs":
            full = solve_program(Xb, y, masks, loss, beta, activation=activation)
            check(abs(full["primal_objective"] - p) <= 1e-7 * max(1, abs(p)),
                  "activations8: abs on all patterns %.12g vs halved %.12g" % (full["primal_objective"], p))
        if activation == ("leaky-relu", 0.0):
            relu = solve_program(Xb, y, masks, loss, beta)
            check(abs(relu["primal_objective"] - p) <= 1e-7 * max(1, abs(p)),
                  "activations8: leaky slope 0 differs from ReLU")
        print("  %-10s slope=%-4g %-7s beta=%g patterns=%d p*=%.12f L=%.12f active=%d" % (
            activation[0], activation[1], loss, beta, len(used), p, lower, res["active_blocks"]))
        solutions.append({
            "activation": activation[0],
            "slope": activation[1],
            "loss": loss,
            "beta": beta,
            "pattern_count": len(used),
            "optimum": p,
            "certified_lower_bound": lower,
            "status": res["status"],
            "active_blocks": res["active_blocks"],
            "prediction_unique": loss == "squared",
            "prediction": [float(v) for v in res["prediction"]],
        })
    doc = {
        "name": "activations8",
        "description": "n=8 uniform in [-1,1]^2, y = sign(x1*x2); leaky ReLU and absolute value "
                       "programs (science.md 8.1), exact patterns (abs: one per complementary pair, "
                       "first in the listed order kept)",
        "n": n,
        "X": [[float(a) for a in row] for row in X],
        "y": [float(v) for v in y],
        "bias": "Xb = [X, 1] (bias column last, weight-decayed)",
        "pattern_convention": "d = 1(Xb h >= 0), zero pattern dropped",
        "activation_definitions": {"leaky-relu": "S_i = slope I + (1 - slope) D_i",
                                   "abs": "S_i = 2 D_i - I"},
        "loss_definitions": {"squared": "0.5*||yhat - y||^2", "hinge": "sum_k max(0, 1 - y_k*yhat_k)"},
        "pattern_count": len(masks),
        "patterns": ["".join("1" if b else "0" for b in mk) for mk in masks],
        "solutions": solutions,
        "generator": "make_reference.py --activations-only",
        "solver": "cvxopt coneqp (squared) / conelp (hinge), abstol=reltol=feastol=1e-10",
        "cvxopt_version": cvxopt.__version__,
        "numpy_version": np.__version__,
    }
    path = os.path.join(out_dir, "activations8.json")
    with open(path, "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    print("  wrote %s" % path)


def crosscheck_builtin(X, y, masks, loss, beta, p):
    """Re-solve with cvxopt's built-in dense 'chol' KKT solver.  It usually stops early
    ('singular KKT matrix'), so agreement is required within its own reported accuracy."""
    ref = solve_program(X, y, masks, loss, beta, use_custom_kkt=False, strict=False)
    acc = max(abs(ref["gap"]), (ref["primal_infeasibility"] + ref["dual_infeasibility"]) * max(1.0, abs(p)))
    diff = abs(ref["primal_objective"] - p)
    check(diff <= 1e-8 + 10.0 * acc,
          "built-in KKT solver: %.12g vs %.12g (its accuracy %.1e)" % (ref["primal_objective"], p, acc))
    ref["difference"] = diff
    return ref


# ----------------------------------------------------------------------------------------
# Closed-form oracles (science.md 12.1 items 1 and 2)
# ----------------------------------------------------------------------------------------

def check(cond, msg):
    if not cond:
        raise SystemExit("REFERENCE CHECK FAILED: " + msg)


def oracle_checks():
    tol = 1e-6
    # item 1: single sample, with bias x := [x; 1]
    for x, yv, beta in [((0.3, -0.4), 2.0, 0.5), ((0.3, -0.4), -1.5, 0.25),
                        ((0.3, -0.4), 0.2, 0.5), ((-1.2, 0.7), -0.8, 2.0)]:
        xb = np.array([[x[0], x[1], 1.0]])
        nx = float(np.linalg.norm(xb))
        if abs(yv) * nx <= beta:
            expect = 0.5 * yv ** 2
            pred = 0.0
        else:
            expect = beta * abs(yv) / nx - beta ** 2 / (2 * nx ** 2)
            pred = math.copysign(abs(yv) - beta / nx, yv)
        masks = enumerate_patterns_2d(xb)
        check(len(masks) == 1, "single sample must have one pattern")
        res = solve_program(xb, [yv], masks, "squared", beta)
        check(abs(res["primal_objective"] - expect) <= tol,
              "12.1(1) x=%s y=%g beta=%g: got %.12g expected %.12g" % (x, yv, beta, res["primal_objective"], expect))
        check(abs(res["prediction"][0] - pred) <= 1e-5, "12.1(1) prediction mismatch")
        print("  oracle 12.1(1) x=%s y=%+g beta=%g: p*=%.10f (closed form %.10f)" % (x, yv, beta, res["primal_objective"], expect))
    # item 2: X = I_4 without bias, all 15 patterns
    X = np.eye(4)
    y = np.array([1.0, -2.0, 0.5, 3.0])
    beta = 0.7

    def f(r):
        return 0.5 * r * r if r <= beta else beta * r - 0.5 * beta * beta

    expect = f(np.linalg.norm(np.maximum(y, 0))) + f(np.linalg.norm(np.minimum(y, 0)))
    check(abs(expect - 3.1510935) < 1e-7, "closed form of 12.1(2) should be 3.1510935")
    masks = [tuple(bool((m >> k) & 1) for k in range(4)) for m in range(1, 16)]
    res = solve_program(X, y, masks, "squared", beta)
    check(abs(res["primal_objective"] - expect) <= tol,
          "12.1(2): got %.12g expected %.12g" % (res["primal_objective"], expect))
    check(abs(res["dual_objective"] - expect) <= tol, "12.1(2) dual objective")
    crosscheck_builtin(X, y, masks, "squared", beta, res["primal_objective"])
    print("  oracle 12.1(2) X=I_4, beta=0.7: p*=%.10f (closed form %.10f)" % (res["primal_objective"], expect))


# ----------------------------------------------------------------------------------------
# Datasets
# ----------------------------------------------------------------------------------------

def linearly_separable(X, y):
    """LP feasibility of y_k (x_k' w + b) >= 1."""
    n = len(y)
    Xb = np.hstack([X, np.ones((n, 1))])
    G = matrix(-(y[:, None] * Xb))
    sol = solvers.lp(matrix(np.zeros(3)), G, matrix(-np.ones(n)), options={"show_progress": False})
    return sol["status"] == "optimal"


def make_datasets():
    sets = []
    # (a) XOR
    rng = np.random.default_rng(20240512)
    X = rng.uniform(-1, 1, size=(12, 2))
    y = np.where(X[:, 0] * X[:, 1] >= 0, 1.0, -1.0)
    sets.append(("xor12", "n=12 uniform in [-1,1]^2, y = sign(x1*x2) (>= 0 -> +1)", X, y, True))
    # (a') a larger XOR sample (the biggest size that keeps each solve well under 2 minutes)
    rng = np.random.default_rng(20240520)
    X = rng.uniform(-1, 1, size=(20, 2))
    y = np.where(X[:, 0] * X[:, 1] >= 0, 1.0, -1.0)
    sets.append(("xor20", "n=20 uniform in [-1,1]^2, y = sign(x1*x2) (>= 0 -> +1)", X, y, True))
    # (b) circle: redraw (same generator) until both classes have >= 4 points
    rng = np.random.default_rng(20240513)
    while True:
        X = rng.uniform(-1, 1, size=(14, 2))
        y = np.where(np.linalg.norm(X, axis=1) < 0.5, 1.0, -1.0)
        if 4 <= np.sum(y > 0) <= 10:
            break
    sets.append(("circle14", "n=14 uniform in [-1,1]^2, y = +1 iff ||x|| < 0.5", X, y, True))
    # (c) two overlapping Gaussians (not linearly separable)
    rng = np.random.default_rng(20240514)
    while True:
        Xp = rng.normal([0.35, 0.2], 0.45, size=(8, 2))
        Xm = rng.normal([-0.35, -0.2], 0.45, size=(8, 2))
        X = np.vstack([Xp, Xm])
        y = np.concatenate([np.ones(8), -np.ones(8)])
        order = rng.permutation(16)
        X, y = X[order], y[order]
        if not linearly_separable(X, y):
            break
    sets.append(("gaussians16", "n=16, 8+8 points from N((+-0.35,+-0.2), 0.45^2 I), overlapping, "
                 "not linearly separable", X, y, True))
    # (d) degenerate: 4 collinear points on x2 = 0.5 x1 - 0.125, 3 points sharing x1 = 0.5
    # (a vertical collinear triple), 3 generic points; coordinates of the special points
    # are dyadic so the degeneracy is exact in floating point.
    rng = np.random.default_rng(20240515)
    Xc = np.array([[-0.75, -0.5], [-0.25, -0.25], [0.25, 0.0], [0.75, 0.25]])
    Xv = np.array([[0.5, -0.75], [0.5, 0.125], [0.5, 0.875]])
    Xg = rng.uniform(-1, 1, size=(3, 2))
    X = np.vstack([Xc, Xv, Xg])
    y = np.array([1.0, -1.0, 1.0, -1.0, -1.0, 1.0, 1.0, -1.0, 1.0, -1.0])
    sets.append(("degenerate10", "n=10: 4 collinear points on x2 = 0.5*x1 - 0.125, 3 points with equal "
                 "x1 = 0.5 (vertical line), 3 uniform points; general position violated", X, y, False))
    return sets


def is_general_position(X, tol=1e-12):
    n = len(X)
    if len(np.unique(X, axis=0)) < n:
        return False
    for i, j, k in itertools.combinations(range(n), 3):
        d, e = X[j] - X[i], X[k] - X[i]
        if abs(d[0] * e[1] - d[1] * e[0]) <= tol:
            return False
    return True


# ----------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=OUT_DIR)
    ap.add_argument("--no-crosscheck", action="store_true",
                    help="skip the comparison with cvxopt's built-in KKT solver")
    ap.add_argument("--activations-only", action="store_true",
                    help="only write activations8.json (leaky ReLU and absolute value)")
    args = ap.parse_args()
    t_start = time.time()
    print("cvxopt %s, numpy %s" % (cvxopt.__version__, np.__version__))
    os.makedirs(args.out, exist_ok=True)
    print("piecewise-linear activations:")
    activation_references(args.out)
    if args.activations_only:
        print("total %.1fs" % (time.time() - t_start))
        return
    print("closed-form oracles:")
    oracle_checks()
    os.makedirs(args.out, exist_ok=True)
    rng_check = np.random.default_rng(7)
    for name, desc, X, y, expect_gp in make_datasets():
        n = len(y)
        Xb = np.hstack([X, np.ones((n, 1))])
        gp = is_general_position(X)
        check(gp == expect_gp, "%s: general position = %s, expected %s" % (name, gp, expect_gp))
        masks = enumerate_patterns_2d(Xb)
        P = len(masks)
        # checks on the enumeration
        check(len(set(masks)) == P, "duplicate patterns")
        check(P == zaslavsky_count(X), "%s: %d patterns, Zaslavsky count %d" % (name, P, zaslavsky_count(X)))
        if gp:
            check(P == general_position_count(n), "%s: %d patterns, expected %d" % (name, P, general_position_count(n)))
        mset = set(masks)
        for mk in masks:
            comp = tuple(not b for b in mk)
            check(comp in mset or not any(comp), "%s: complement of a pattern missing" % name)
        samp = sampled_patterns(Xb, 200000, rng_check)
        check(samp <= mset, "%s: a sampled pattern is not in the enumeration" % name)
        print("%s: n=%d general_position=%s patterns=%d (random sampling found %d)" % (name, n, gp, P, len(samp)))

        runs = [("squared", 0.1), ("squared", 1.0), ("hinge", 0.1), ("hinge", 1.0)]
        solutions = []
        for loss, beta in runs:
            prob = Problem(Xb, y, masks, loss, beta)
            res = prob.solve()
            p = res["primal_objective"]
            # independent global lower bound from the dual (science.md 3.2 / 11.1)
            lower = dual_certificate(prob, res["dual_lambda"])
            check(lower <= p + 1e-8 * max(1, abs(p)), "%s: certificate %.12g above primal %.12g" % (name, lower, p))
            check(p - lower <= CERT_GAP * max(1, abs(p)),
                  "%s: certificate %.12g too far below primal %.12g" % (name, lower, p))
            check(abs(res["objective_at_x"] - p) <= 1e-6 * max(1, abs(p)), "%s: objective at x mismatch" % name)
            check(res["max_cone_violation"] <= 1e-7, "%s: cone violation %g" % (name, res["max_cone_violation"]))
            check(res["network_prediction_mismatch"] <= 1e-6, "%s: recovered network mismatch" % name)
            if loss == "squared":
                check(p <= 0.5 * float(y @ y) + 1e-9, "%s: squared optimum above loss at zero" % name)
            else:
                check(p <= n + 1e-9, "%s: hinge optimum above n" % name)
            extra = ""
            if not args.no_crosscheck and n <= CROSSCHECK_MAX_N:
                ref = crosscheck_builtin(Xb, y, masks, loss, beta, p)
                extra = " [built-in chol KKT: %s %.12f, differs by %.1e, %.1fs]" % (
                    ref["status"], ref["primal_objective"], ref["difference"], ref["seconds"])
            print("  %-7s beta=%-4g p*=%.12f dual=%.12f gap=%.1e L=%.12f status=%s%s iters=%d active=%d %.1fs%s" % (
                loss, beta, p, res["dual_objective"], res["gap"], lower, res["status"],
                "(best iterate)" if res["stopped_at_best_iterate"] else "", res["iterations"],
                res["active_blocks"], res["seconds"], extra))
            solutions.append({
                "loss": loss,
                "beta": beta,
                "optimum": p,
                "primal_objective": p,
                "dual_objective": res["dual_objective"],
                "certified_lower_bound": lower,
                "status": res["status"],
                "accepted_as": "optimal" if res["status"] == "optimal" else "near_optimal",
                "relative_gap": abs(res["gap"]) / max(1.0, abs(p)),
                "primal_infeasibility": res["primal_infeasibility"],
                "dual_infeasibility": res["dual_infeasibility"],
                "iterations": res["iterations"],
                "stopped_at_best_iterate": res["stopped_at_best_iterate"],
                "active_blocks": res["active_blocks"],
                "prediction_unique": loss == "squared",
                "prediction": [float(v) for v in res["prediction"]],
                "dual_lambda": [float(v) for v in res["dual_lambda"]],
            })
        # monotonicity in beta
        for loss in ("squared", "hinge"):
            vals = [s["optimum"] for s in solutions if s["loss"] == loss]
            check(vals[0] <= vals[1] + 1e-9, "%s: %s optimum not non-decreasing in beta" % (name, loss))
        doc = {
            "name": name,
            "description": desc,
            "n": n,
            "X": [[float(a) for a in row] for row in X],
            "y": [float(v) for v in y],
            "bias": "Xb = [X, 1] (bias column last, weight-decayed)",
            "pattern_convention": "d = 1(Xb h >= 0), zero pattern dropped",
            "pattern_count": P,
            "patterns": ["".join("1" if b else "0" for b in mk) for mk in masks],
            "general_position": gp,
            "loss_definitions": {"squared": "0.5*||yhat - y||^2", "hinge": "sum_k max(0, 1 - y_k*yhat_k)"},
            "active_tol": ACTIVE_TOL,
            "solutions": solutions,
            "generator": "make_reference.py",
            "solver": "cvxopt coneqp (squared) / conelp (hinge), abstol=reltol=feastol=1e-10",
            "cvxopt_version": cvxopt.__version__,
            "numpy_version": np.__version__,
        }
        path = os.path.join(args.out, name + ".json")
        with open(path, "w") as fh:
            json.dump(doc, fh, indent=1)
            fh.write("\n")
        print("  wrote %s" % path)
    print("total %.1fs" % (time.time() - t_start))


if __name__ == "__main__":
    main()
