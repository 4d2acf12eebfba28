"""Accuracy and time of symsig's Mittag-Leffler against pymittagleffler (double precision,
Garrappa's contour; skipped if not installed) and a naive mpmath series, on one grid.

Truth: a plain series written here (global mpmath, no symsig code) at the working
precision its largest term needs, where that is affordable (|z|^(1/a) <= 400); other
points are timed but not judged.  symsig must reach DPS digits wherever it is judged:
the script fails (exit status 1) otherwise.  Run: python bench/bench_mittag_leffler.py

A second section times dps 15 (numpy arrays, double-precision paths with a fallback to the
mpmath paths): each (a, b) of the grid as one array of its 8 points and as 8 one-point
arrays, against pymittagleffler point by point; relative errors against the same truth
(symsig must stay within 1e-14 there); and one array of 10^4 points.
"""

import math
import sys
import time

import mpmath
import numpy as np

from symsig.mittag_leffler import mittag_leffler

try:
    import pymittagleffler
except ImportError:
    pymittagleffler = None

GRID = [(a, b, z) for a in ("0.3", "0.5", "0.8", "1.5", "1.9") for b in ("1", "0.7")
        for z in ("-50", "-10", "-3", "-0.5", "0.9", "4", "2+3j", "-6+1j")]
DPS = 30
REFERENCE_RADIUS = 400  # the plain series needs ~radius/ln 10 extra digits


def truth(a, b, z):
    """sum_k z^k / Gamma(a k + b) at DPS + 30 + log10(largest term) digits, or None if too costly."""
    radius = abs(complex(z)) ** (1 / float(a))
    if radius > REFERENCE_RADIUS:
        return None
    with mpmath.workdps(DPS + 30 + int(radius / math.log(10))):
        a, b, z = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpmathify(complex(z) if "j" in z else z)
        eps = mpmath.mpf(10) ** -(DPS + 30)
        total, power, k = mpmath.mpf(0), mpmath.mpf(1), 0
        while True:
            term = power * mpmath.rgamma(a * k + b)
            total += term
            if a * k + b > radius + 10 and abs(term) < eps * abs(total):
                return +total
            power *= z
            k += 1


def naive_series(a, b, z, dps):
    """The textbook sum at the requested precision, 200 terms."""
    with mpmath.workdps(dps):
        a, b, z = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpmathify(complex(z) if "j" in z else z)
        return +mpmath.fsum(z ** k * mpmath.rgamma(a * k + b) for k in range(200))


def relerr(value, exact):
    with mpmath.workdps(70):
        v = mpmath.mpmathify(value)
        return float(abs(v - exact) / abs(exact)) if mpmath.isfinite(v) else float("inf")


def timed(fn, repeat=3):
    start = time.perf_counter()
    for _ in range(repeat):
        out = fn()
    return out, (time.perf_counter() - start) / repeat


def main():
    rows = []
    for a, b, z in GRID:
        exact = truth(a, b, z)
        ours, t_ours = timed(lambda: mittag_leffler(a, b, z, dps=DPS))
        naive, t_naive = timed(lambda: naive_series(a, b, z, DPS))
        judged = exact is not None
        row = {"point": (a, b, z), "ours": relerr(ours.value, exact) if judged else None, "t_ours": t_ours,
               "method": ours.method, "naive": relerr(naive, exact) if judged else None, "t_naive": t_naive}
        if pymittagleffler is not None:
            zc = complex(z)
            ref, t_ref = timed(lambda: pymittagleffler.mittag_leffler(zc, float(a), float(b)), repeat=20)
            ref = complex(ref)
            row.update(pml=relerr(mpmath.mpc(ref.real, ref.imag) if ref.imag else ref.real, exact)
                       if judged else None, t_pml=t_ref)
        rows.append(row)
    show = lambda v: f"{v:9.1e}" if v is not None else f"{'-':>9}"
    width = max(len(str(r["point"])) for r in rows)
    header = f"{'point':<{width}}  {'method':<12} {'symsig':>9} {'naive':>9}" + (
        f" {'pymittag':>9} {'t_sym/t_pml':>11}" if pymittagleffler else "") + f" {'t_sym/t_naive':>13}"
    print(f"relative errors at dps={DPS} against an independent plain series ('-': |z|^(1/a) > "
          f"{REFERENCE_RADIUS}, not judged)")
    print(header)
    for r in rows:
        line = f"{str(r['point']):<{width}}  {r['method']:<12} {show(r['ours'])} {show(r['naive'])}"
        if pymittagleffler:
            line += f" {show(r['pml'])} {r['t_ours'] / r['t_pml']:11.0f}"
        print(line + f" {r['t_ours'] / r['t_naive']:13.2f}")
    judged = [r for r in rows if r["ours"] is not None]
    worst = max(r["ours"] for r in judged)
    print()
    print(f"{len(judged)} of {len(rows)} points judged; worst relative error: symsig {worst:.2e}, naive mpmath "
          f"series {max(r['naive'] for r in judged):.2e}" + (f", pymittagleffler {max(r['pml'] for r in judged):.2e}"
                                                             if pymittagleffler else " (pymittagleffler not installed)"))
    total = sum(r["t_ours"] for r in rows)
    print(f"total time per grid: symsig {total:.3f} s, naive {sum(r['t_naive'] for r in rows):.3f} s"
          + (f", pymittagleffler {sum(r['t_pml'] for r in rows):.5f} s" if pymittagleffler else ""))
    status = 0
    if worst > 10.0 ** (1 - DPS):
        print(f"FAIL: symsig missed {DPS} digits (worst {worst:.2e})", file=sys.stderr)
        status = 1
    return status | low_precision()


FAST_DPS, FAST_RTOL = 15, 1e-14


def low_precision():
    """dps 15 on the grid and a 10^4-point array; 1 if an error exceeds FAST_RTOL."""
    groups = {}
    for a, b, z in GRID:
        groups.setdefault((a, b), []).append(z)
    exact = {(a, b, z): truth(a, b, z) for a, b, z in GRID}
    t_array = t_single = t_pml = 0.0
    worst = {"symsig": 0.0, "pml": 0.0}
    kept, methods, slow = [], {}, []
    for (a, b), zs in groups.items():
        points = np.array([complex(z) for z in zs])
        mittag_leffler(a, b, points, dps=FAST_DPS)  # parses a, b once (cached), as in a sweep
        result, t = timed(lambda: mittag_leffler(a, b, points, dps=FAST_DPS), repeat=5)
        t_array += t
        t_single += sum(timed(lambda: mittag_leffler(a, b, points[i:i + 1], dps=FAST_DPS), repeat=5)[1]
                        for i in range(len(zs)))
        for i, z in enumerate(zs):
            methods[result.method[i]] = methods.get(result.method[i], 0) + 1
            if not result.method[i].startswith("float"):
                slow.append(f"E_{{{a},{b}}}({z}) by {result.method[i]}")
            ref, t = timed(lambda: pymittagleffler.mittag_leffler(complex(z), float(a), float(b)), repeat=20) \
                if pymittagleffler else (None, 0.0)
            t_pml += t
            if exact[(a, b, z)] is None:
                continue
            ours = relerr(mpmath.mpc(complex(result.value[i])), exact[(a, b, z)])
            worst["symsig"] = max(worst["symsig"], ours)
            if ref is not None:
                theirs = relerr(mpmath.mpc(complex(ref)), exact[(a, b, z)])
                worst["pml"] = max(worst["pml"], theirs)
                if theirs > FAST_RTOL >= ours:
                    kept.append(f"E_{{{a},{b}}}({z}): pymittagleffler {theirs:.1e}, symsig {ours:.1e}")
    n = len(GRID)
    print()
    print(f"dps={FAST_DPS}, {n} grid points, paths: " + ", ".join(f"{k} {v}" for k, v in sorted(methods.items())))
    line = (f"time per point: symsig {t_array / n * 1e6:.0f} us (one array per (a, b)), "
            f"{t_single / n * 1e6:.0f} us (one-point arrays)")
    if pymittagleffler:
        line += (f"; pymittagleffler {t_pml / n * 1e6:.1f} us; ratio {t_array / t_pml:.1f} (arrays), "
                 f"{t_single / t_pml:.1f} (one-point)")
    print(line)
    print(f"worst relative error (judged points): symsig {worst['symsig']:.1e}"
          + (f", pymittagleffler {worst['pml']:.1e}" if pymittagleffler else ""))
    for entry in kept:
        print("  digits kept where pymittagleffler loses them: " + entry)
    for entry in slow:
        print("  no double-precision path certified 1e-14, evaluated by mpmath: " + entry)
    axis = np.linspace(-10, 10, 100)
    points = (axis[:, None] + 1j * axis[None, :]).ravel()
    for a, b in (("0.8", "0.7"), ("1.5", "1")):
        mittag_leffler(a, b, points[:1], dps=FAST_DPS)
        result, t = timed(lambda: mittag_leffler(a, b, points, dps=FAST_DPS), repeat=1)
        fallback = sum(1 for m in result.method if not m.startswith("float"))
        paths = {}
        for m in result.method:
            paths[m] = paths.get(m, 0) + 1
        line = (f"10^4 points z in [-10,10]^2, E_{{{a},{b}}}: symsig {t:.2f} s ({fallback} points by mpmath, "
                f"worst estimated rel. error {float(np.max(result.rel_error)):.1e}; "
                + ", ".join(f"{k} {v}" for k, v in sorted(paths.items())) + ")")
        if pymittagleffler:
            ref, t_ref = timed(lambda: pymittagleffler.mittag_leffler(points, float(a), float(b)), repeat=1)
            differ = np.abs(np.asarray(ref) - result.value) / np.abs(result.value)
            line += f"; pymittagleffler {t_ref:.2f} s, ratio {t / t_ref:.1f}, largest difference {np.max(differ):.1e}"
        print(line)
    if worst["symsig"] > FAST_RTOL:
        print(f"FAIL: symsig at dps {FAST_DPS} missed {FAST_RTOL:g} (worst {worst['symsig']:.2e})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
