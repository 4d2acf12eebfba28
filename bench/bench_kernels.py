"""Dual activations E[phi(U) phi(V)]: symsig against naive baselines, in one run.

For ReLU (a kink at 0) and tanh (no closed form) at Var U = 1, Var V = 2, Cov = 0.7
it prints, per method, the time, the number of correct digits, and the time ratio
to the symsig quadrature at 15 digits:

* symsig closed form (``dual_activation``; ReLU only),
* symsig kink-split nested Gauss-Legendre at 15 and 30 digits,
* naive nested ``mpmath.quad`` over R^2 (tanh-sinh, no split at the kink), 15 digits,
* tensor Gauss-Hermite with 50 x 50 nodes in float64 (neural-tangents' ``ElementwiseNumerical``),
* numpy Monte Carlo with 10^6 samples (float64).

The truths share no code with symsig: for ReLU the arc-cosine formula written
here; for tanh a nested ``mpmath.quad`` (tanh-sinh) at 50 digits on [-17, 0, 17]^2
(Gaussian tail below 1e-55), stored below because it takes ~7 minutes;
``--recompute-truth`` recomputes it (a 30-digit run agrees to all 30 digits).

``--kernel-bound`` prints instead the kernel-bound constants of the eight
standard activations (the table in docs/stability.md).

Run: python bench/bench_kernels.py [--kernel-bound | --recompute-truth]
"""

import sys
import time

import mpmath
import numpy as np
import sympy

from symsig.activations import get_activation, x
from symsig import quadrature
from symsig.kernels import _numeric, dual_activation
from symsig.kernels.dual import numeric_dual
from symsig.precision import mp, workdps

Q = (1, 2, "0.7")
TANH_TRUTH = "0.20741250211267589415477729519612008388170368628506"  # see the module docstring
TRUTH_DIGITS = 45  # digits judged at most: the stored truth's own accuracy, with a margin
STANDARD = ["relu", "leaky_relu", "tanh", "sigmoid", "swish", "gelu", "mish", "telu"]


def timed(func):
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


def digits(value, truth):
    with mpmath.workdps(60):
        error = abs(mpmath.mpf(value) - truth)
        return TRUTH_DIGITS if error == 0 else min(TRUTH_DIGITS, max(0, float(-mpmath.log10(error / abs(truth)))))


def symsig_quadrature(name, dps):
    def run():
        quadrature._panel.cache_clear()
        with workdps(dps):
            f = _numeric.compiled(get_activation(name).expr)
            value = numeric_dual(f, mp.mpf(Q[0]), mp.mpf(Q[1]), mp.mpf(7) / 10, dps)[0]
        with mpmath.workdps(dps + 10):  # out of the private context, exactly
            return mpmath.mpf(value)
    return run


def relu_truth():
    """Arc-cosine kernel of degree 1: sqrt(q1 q2) (sin t + (pi - t) cos t) / (2 pi), cos t = rho."""
    with mpmath.workdps(60):
        q1, q2, q12 = mpmath.mpf(1), mpmath.mpf(2), mpmath.mpf(7) / 10
        theta = mpmath.acos(q12 / mpmath.sqrt(q1 * q2))
        return mpmath.sqrt(q1 * q2) * (mpmath.sin(theta) + (mpmath.pi - theta) * mpmath.cos(theta)) / (2 * mpmath.pi)


def tanh_truth(dps):
    """E[tanh(U) tanh(V)] by nested mpmath.quad on [-L, 0, L]^2 (V | U is Gaussian)."""
    with mpmath.workdps(dps):
        q1, q2, q12 = mpmath.mpf(1), mpmath.mpf(2), mpmath.mpf(7) / 10
        a, b = q12 / mpmath.sqrt(q1), mpmath.sqrt(q2 - q12 ** 2 / q1)
        L = mpmath.mpf(2)
        while 4 * (L + 1 / L) * mpmath.npdf(L) > mpmath.mpf(10) ** (-dps - 5):
            L += 1

        def outer(z1):
            inner = mpmath.quad(lambda z2: mpmath.tanh(a * z1 + b * z2) * mpmath.npdf(z2), [-L, 0, L])
            return mpmath.tanh(mpmath.sqrt(q1) * z1) * inner * mpmath.npdf(z1)
        return mpmath.quad(outer, [-L, 0, L])


def naive_mpmath(name, dps):
    func = sympy.lambdify(x, get_activation(name).expr, "mpmath")

    def run():
        with mpmath.workdps(dps):
            q1, q2, q12 = (mpmath.mpf(v) for v in Q)
            s1, rho = mpmath.sqrt(q1), mpmath.mpf(q12) / mpmath.sqrt(q1 * q2)
            s2c = mpmath.sqrt(q2 * (1 - rho**2))
            return mpmath.quad(lambda z1, z2: func(s1 * z1) * func(mpmath.sqrt(q2) * rho * z1 + s2c * z2)
                               * mpmath.npdf(z1) * mpmath.npdf(z2), [-mpmath.inf, mpmath.inf], [-mpmath.inf, mpmath.inf])
    return run


def numpy_function(name):
    return {"relu": lambda u: np.maximum(u, 0), "tanh": np.tanh}[name]


def gauss_hermite(name, degree=50):
    f = numpy_function(name)

    def run():
        q1, q2, q12 = 1.0, 2.0, 0.7
        t, w = np.polynomial.hermite.hermgauss(degree)
        u = np.sqrt(2 * q1) * t[:, None]
        v = q12 / np.sqrt(q1 / 2) * t[:, None] + np.sqrt(2 * (q2 - q12**2 / q1)) * t[None, :]
        return float(np.sum(w[:, None] * w[None, :] * f(u) * f(v)) / np.pi)
    return run


def monte_carlo(name, samples=10**6):
    f = numpy_function(name)

    def run():
        rng = np.random.default_rng(0)
        z = rng.standard_normal((2, samples))
        u = z[0]
        v = 0.7 * z[0] + np.sqrt(2 - 0.49) * z[1]
        return float(np.mean(f(u) * f(v)))
    return run


def compare(name):
    if name == "relu":
        truth, truth_label = relu_truth(), "arc-cosine formula"
    else:
        with mpmath.workdps(60):
            truth = mpmath.mpf(TANH_TRUTH)
        truth_label = "nested mpmath.quad at 50 digits"
    methods = []
    if name == "relu":
        methods.append(("symsig closed form (30 digits)", lambda: dual_activation("relu", *Q, dps=30).value))
    methods += [("symsig quadrature, 15 digits", symsig_quadrature(name, 15)),
                ("symsig quadrature, 30 digits", symsig_quadrature(name, 30)),
                ("naive nested mpmath.quad, 15 digits", naive_mpmath(name, 15)),
                ("Gauss-Hermite 50x50, float64", gauss_hermite(name)),
                ("Monte Carlo 1e6, float64", monte_carlo(name))]
    print(f"\n{name}: E[phi(U) phi(V)], q1 = 1, q2 = 2, q12 = 0.7; truth = {truth_label} "
          f"= {mpmath.nstr(truth, 25)}")
    rows = [(label, *timed(run)) for label, run in methods]
    base = next(t for label, t, _ in rows if label == "symsig quadrature, 15 digits")
    print(f"  {'method':40s} {'time [s]':>9s} {'digits':>7s} {'time / symsig-15':>17s}")
    for label, seconds, value in rows:
        print(f"  {label:40s} {seconds:9.3f} {digits(value, truth):7.1f} {seconds / base:17.2f}")


def kernel_bound_table():
    from symsig.stability import kernel_bound

    print("| activation | C (RMS g2) | at sigma | C (mean-square g2) | at sigma |")
    print("|---|---|---|---|---|")
    for name in STANDARD:
        kb = kernel_bound(name, "0.02", 10, dps=15)
        cells = []
        for q, arg, key in ((kb.rms, kb.argmax_rms, "rms"), (kb.mean_square, kb.argmax_mean_square, "mean_square")):
            where = mpmath.nstr(arg, 4) + (" (range end)" if kb.at_endpoint[key] else "")
            cells += [mpmath.nstr(q.value, 6), where]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if "--kernel-bound" in sys.argv:
        kernel_bound_table()
    elif "--recompute-truth" in sys.argv:
        print(mpmath.nstr(tanh_truth(50), 50))
    else:
        for activation in ("relu", "tanh"):
            compare(activation)
