"""Signature table speed and digits, judged against independent references.

For the eight standard activations at sigma = 1 and each requested dps this prints

* symsig's time for the full table (nine components), cold (a fresh process: the
  symbolic work -- pieces, closed forms, limits, exact roots -- is done once there)
  and warm (the same table again in that process);
* a naive baseline's time: lambdified phi, phi' and plain ``mpmath.quad`` for
  m1, m2, E[phi'], E[phi'^2] only;
* the correct digits of both, worst over components and activations.

The truths are independent of symsig: closed forms where they exist (ReLU; m1 of
tanh, sigmoid, GELU; C of swish, GELU; TV of the kinked and bounded ones), else
plain ``mpmath.quad`` at dps + 20 digits over [-L, 0, L] with an explicit Gaussian
tail bound, written here from the activations' formulas (SymPy only to
differentiate them).  TV is sum |phi'(c_{k+1}) - phi'(c_k)| over the critical
points c_k of phi' (roots of phi'' found here), plus the jumps of phi'.
C is the integral of |phi - l| by its definition.  Where both exist the
quadrature reference is checked against the closed form first.

    python bench/bench_signature.py --dps 15 50 100
"""

import argparse
import json
import subprocess
import sys
import time

import mpmath
import sympy

SIGMA = 1
COMPONENTS = ("m1", "g1", "g2", "m2", "eta", "alpha_plus", "alpha_minus", "TV", "C")
NAIVE = ("m1", "g1", "g2", "m2")
STATUSES = ("exact", "numeric", "infinite", "undefined")
EXTRA = 20

t = sympy.Symbol("t", real=True)
_sigmoid = 1 / (1 + sympy.exp(-t))
# (phi for t < 0, phi for t > 0, alpha_minus, alpha_plus); all kinks are at 0
ACTIVATIONS = {
    "relu": (sympy.Integer(0), t, 0, 1),
    "leaky_relu": (t / 100, t, sympy.Rational(1, 100), 1),
    "tanh": (sympy.tanh(t),) * 2 + (0, 0),
    "sigmoid": (_sigmoid,) * 2 + (0, 0),
    "swish": (t * _sigmoid,) * 2 + (0, 1),
    "gelu": (t * (1 + sympy.erf(t / sympy.sqrt(2))) / 2,) * 2 + (0, 1),
    "mish": (t * sympy.tanh(sympy.log(1 + sympy.exp(t))),) * 2 + (0, 1),
    "telu": (t * sympy.tanh(sympy.exp(t)),) * 2 + (0, 1),
}
pi = sympy.pi
CLOSED = {  # sigma = 1
    "relu": {"m1": 1 / sympy.sqrt(2 * pi), "g1": sympy.Rational(1, 2), "g2": 1 / sympy.sqrt(2),
             "m2": sympy.Rational(1, 2), "eta": (sympy.Rational(1, 4)) / (sympy.Rational(1, 2) - 1 / (2 * pi)),
             "TV": 1, "C": 0},
    "leaky_relu": {"TV": sympy.Rational(99, 100), "C": 0},
    "tanh": {"m1": 0, "TV": 2},
    "sigmoid": {"m1": sympy.Rational(1, 2), "TV": sympy.Rational(1, 2)},
    "swish": {"C": pi ** 2 / 6},
    "gelu": {"m1": 1 / (2 * sympy.sqrt(pi)), "C": sympy.Rational(1, 2)},
}


# ------------------------------------------------------------------ references

def _functions(name):
    left, right, minus, plus = ACTIVATIONS[name]
    derivatives = [[sympy.diff(e, t, k) for k in range(3)] for e in (left, right)]
    lam = [[sympy.lambdify(t, d, "mpmath") for d in side] for side in derivatives]
    pick = lambda k: (lambda v: lam[0][k](v) if v < 0 else lam[1][k](v))
    return pick(0), pick(1), pick(2), lam, minus, plus


def _gaussian(f, dps):
    """E[f(Z)] on [-L, 0, L]; the tail of any |f| <= (1 + |x|)^2 beyond L is below 10^-(dps+10)."""
    L = mpmath.mpf(2)
    while 2 * (1 + SIGMA) ** 2 * (L + 1 / L) * mpmath.npdf(L) > mpmath.mpf(10) ** (-dps - 10):
        L += 1
    value, error = mpmath.quad(lambda z: f(SIGMA * z) * mpmath.npdf(z), [-L, 0, L], error=True)
    assert error < mpmath.mpf(10) ** (-dps - 5), error
    return value


def _tail_area(phi, minus, plus, dps):
    """integral |phi - l|; every finite-C activation here has |phi - l| <= 2|x| e^-|x| for |x| >= 1."""
    L = mpmath.mpf(4)
    while 4 * (L + 1) * mpmath.exp(-L) > mpmath.mpf(10) ** (-dps - 10):
        L *= 2
    grid = [0, 1, 4, 32, L]
    return (mpmath.quad(lambda v: abs(phi(v) - plus * v), grid)
            + mpmath.quad(lambda v: abs(phi(-v) + minus * v), grid))


def _total_variation(lam, minus, plus):
    """TV(phi'): phi' is monotone between its critical points (roots of phi'', found on a grid
    and refined) and the kink at 0, so TV is the sum of |steps| along alpha_minus, phi'(c_1), ...,
    phi'(0-), phi'(0+), ..., alpha_plus (the step at 0 is the jump of phi')."""
    walk = [mpmath.mpf(minus)]
    for side, (lo, hi) in ((0, (-40, 0)), (1, (0, 40))):
        d1, d2 = lam[side][1], lam[side][2]
        grid = [lo + (hi - lo) * mpmath.mpf(k) / 400 for k in range(401)]  # step 0.1
        values = [d2(g) for g in grid]
        if side:
            walk.append(d1(0))
        for a, b, fa, fb in zip(grid, grid[1:], values, values[1:]):
            if fa * fb < 0:
                walk.append(d1(mpmath.findroot(d2, (a, b), solver="anderson")))
            elif fb == 0 and b != hi:
                walk.append(d1(b))
        if not side:
            walk.append(d1(0))
    walk.append(mpmath.mpf(plus))
    return sum(abs(b - a) for a, b in zip(walk, walk[1:]))


def references(name, dps):
    """Independent truths at dps + EXTRA digits; also reports quadrature-vs-closed-form digits."""
    with mpmath.workdps(dps + EXTRA):
        phi, dphi, _, lam, minus, plus = _functions(name)
        ref = {"m1": _gaussian(phi, dps), "g1": _gaussian(dphi, dps),
               "m2": _gaussian(lambda v: phi(v) ** 2, dps)}
        ref["g2"] = mpmath.sqrt(_gaussian(lambda v: dphi(v) ** 2, dps))
        ref["eta"] = SIGMA ** 2 * ref["g1"] ** 2 / (ref["m2"] - ref["m1"] ** 2)
        ref["alpha_plus"], ref["alpha_minus"] = mpmath.mpf(plus), mpmath.mpf(minus)
        ref["TV"] = _total_variation(lam, minus, plus)
        ref["C"] = _tail_area(phi, minus, plus, dps) if plus or minus else mpmath.inf
        checks = []
        for component, form in CLOSED.get(name, {}).items():
            exact = mpmath.mpf(sympy.N(form, dps + EXTRA + 5))
            checks.append(digits(ref[component], exact, dps + 10))
            ref[component] = exact
        return ref, checks


def digits(value, truth, dps):
    """Correct significant digits of ``value`` (capped at dps); absolute where the truth is 0."""
    if value is None:
        return 0
    error = abs(value - truth)
    if error == 0:
        return dps
    return max(0, min(dps, int(-mpmath.log10(error / (abs(truth) or 1)))))


# ------------------------------------------------------------------- timings

def naive_moments(name, dps):
    from symsig.activations import get_activation, x

    expr = get_activation(name).expr
    phi = sympy.lambdify(x, expr, "mpmath")
    dphi = sympy.lambdify(x, sympy.diff(expr, x), "mpmath")
    with mpmath.workdps(dps):
        weight = lambda z: mpmath.exp(-z * z / 2) / mpmath.sqrt(2 * mpmath.pi)
        quad = lambda f: mpmath.quad(lambda z: f(SIGMA * z) * weight(z), [-mpmath.inf, 0, mpmath.inf])
        result = {"m1": quad(phi), "g1": quad(dphi), "m2": quad(lambda v: phi(v) ** 2),
                  "g2": mpmath.sqrt(quad(lambda v: dphi(v) ** 2))}
        return {k: mpmath.nstr(v, dps + 5) for k, v in result.items()}


def child(dps):
    """In a fresh process: the table cold, then warm; values as decimal strings (JSON on stdout)."""
    from symsig.activations import STANDARD_EIGHT
    from symsig.signature import signature

    def table():  # an exception is a result too: the parent reports it as a status mismatch
        result = {}
        for name in STANDARD_EIGHT:
            try:
                result[name] = signature(name, sigma=SIGMA, dps=dps)
            except Exception as exc:  # any failure, typed or not, is reported
                result[name] = f"{type(exc).__name__}: {exc}"
        return result

    start = time.perf_counter()
    table()
    cold = time.perf_counter() - start
    start = time.perf_counter()
    result = table()
    warm = time.perf_counter() - start
    values = {}
    with mpmath.workdps(dps + 10):
        for name, sig in result.items():
            values[name] = {c: [sig, None] if isinstance(sig, str) else
                            [sig[c].status, mpmath.nstr(mpmath.mpf(sig[c].value), dps + 5)
                             if sig[c].is_finite else None] for c in COMPONENTS}
    start = time.perf_counter()
    naive = {}
    for name in STANDARD_EIGHT:
        try:
            naive[name] = naive_moments(name, dps)
        except (MemoryError, OverflowError, ZeroDivisionError, ValueError) as exc:  # e.g. tanh(huge) in mish
            naive[name] = type(exc).__name__
    naive_time = time.perf_counter() - start
    json.dump({"cold": cold, "warm": warm, "naive_time": naive_time, "values": values, "naive": naive},
              sys.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dps", type=int, nargs="+", default=[15, 50, 100])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    print(f"symsig signature table (9 components, 8 activations, sigma = {SIGMA}) vs naive mpmath.quad "
          "(4 moments); digits against independent references\n")
    rows = []
    for dps in args.dps:
        child_run = subprocess.run([sys.executable, __file__, "--child", str(dps)], capture_output=True, text=True)
        if child_run.returncode:
            sys.exit(f"the dps = {dps} run failed:\n{child_run.stderr}")
        run = json.loads(child_run.stdout)
        worst, naive_worst, self_checks, mismatches = (dps, "all"), (dps, "all"), [], []
        for name, components in run["values"].items():
            failure = next(iter(components.values()))[0]
            if failure not in STATUSES:
                mismatches.append(f"symsig {name}: {failure[:150]}")
                continue
            ref, checks = references(name, dps)
            self_checks += checks
            with mpmath.workdps(dps + EXTRA):
                for component, (status, text) in components.items():
                    truth = ref[component]
                    if not mpmath.isfinite(truth):
                        if status != "infinite":
                            mismatches.append(f"symsig {name}.{component}: {status}, truth oo")
                        continue
                    if text is None:
                        mismatches.append(f"symsig {name}.{component}: {status}, truth {mpmath.nstr(truth, 8)}")
                        continue
                    worst = min(worst, (digits(mpmath.mpf(text), truth, dps), f"{name}.{component}"))
                if isinstance(run["naive"][name], str):
                    mismatches.append(f"naive {name}: failed ({run['naive'][name]})")
                    continue
                for component in NAIVE:
                    value = mpmath.mpf(run["naive"][name][component])
                    naive_worst = min(naive_worst, (digits(value, ref[component], dps), f"{name}.{component}"))
        rows.append((dps, run, worst, naive_worst, min(self_checks, default="-"), mismatches))
    header = (f"{'dps':>4} {'cold s':>7} {'warm s':>7} {'naive s':>8} {'cold/naive':>10} {'warm/naive':>10}  "
              f"{'symsig worst digits':>28}  {'naive worst digits':>26}  ref check")
    print(header)
    print("-" * len(header))
    for dps, run, worst, naive_worst, check, mismatches in rows:
        print(f"{dps:>4} {run['cold']:>7.2f} {run['warm']:>7.2f} {run['naive_time']:>8.2f} "
              f"{run['cold'] / run['naive_time']:>10.2f} {run['warm'] / run['naive_time']:>10.2f}  "
              f"{worst[0]:>4} ({worst[1]:>21})  "
              f"{naive_worst[0]:>4} ({naive_worst[1]:>19})  {check}")
        for m in mismatches:
            print(f"     {m}")
    print("\ncold: first table in a fresh process (includes the one-time symbolic work); warm: the same"
          "\ntable again.  naive: plain mpmath.quad for m1, g1, g2, m2 only (no TV, C, slopes, exact forms);"
          "\nits worst digits are over the activations it could evaluate (failures listed below a row)."
          "\nworst digits: min over components and activations of the correct significant digits (capped at"
          "\ndps) against the independent reference.  ref check: digits to which the quadrature references"
          "\nagree with the closed forms (capped at dps + 10).")


if __name__ == "__main__":
    main()
