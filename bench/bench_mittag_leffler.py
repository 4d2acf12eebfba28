"""Accuracy and time of symsig's Mittag-Leffler against pymittagleffler (double precision,
Garrappa's contour; skipped if not installed) and a naive mpmath series, on one grid.

Truth: symsig at 60 digits, checked against a second symsig path (series/asymptotic
vs contour) at 60 digits.  Run: python bench/bench_mittag_leffler.py
"""

import time

import mpmath

from symsig.mittag_leffler import mittag_leffler

try:
    import pymittagleffler
except ImportError:
    pymittagleffler = None

GRID = [(a, b, z) for a in ("0.3", "0.5", "0.8", "1.5", "1.9") for b in ("1", "0.7")
        for z in ("-50", "-10", "-3", "-0.5", "0.9", "4", "2+3j", "-6+1j")]
DPS = 30


def truth(a, b, z):
    with mpmath.workdps(70):
        first = mittag_leffler(a, b, z, dps=60)
        try:
            second = mittag_leffler(a, b, z, dps=60, method="contour").value
            assert abs(first.value - second) <= abs(first.value) * mpmath.mpf(10) ** -50
        except Exception:  # contour unavailable (pole on the parabola, huge z): keep the single path
            pass
        return first.value


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
        row = {"point": (a, b, z), "ours": relerr(ours.value, exact), "t_ours": t_ours, "method": ours.method,
               "naive": relerr(naive, exact), "t_naive": t_naive}
        if pymittagleffler is not None:
            zc = complex(z.replace("j", "j"))
            ref, t_ref = timed(lambda: pymittagleffler.mittag_leffler(zc, float(a), float(b)), repeat=20)
            ref = complex(ref)
            row.update(pml=relerr(mpmath.mpc(ref.real, ref.imag) if ref.imag else ref.real, exact), t_pml=t_ref)
        rows.append(row)
    width = max(len(str(r["point"])) for r in rows)
    header = f"{'point':<{width}}  {'method':<12} {'symsig':>9} {'naive':>9}" + (
        f" {'pymittag':>9} {'t_sym/t_pml':>11}" if pymittagleffler else "") + f" {'t_sym/t_naive':>13}"
    print(f"relative errors at dps={DPS} against a 60-digit two-path truth")
    print(header)
    for r in rows:
        line = f"{str(r['point']):<{width}}  {r['method']:<12} {r['ours']:9.1e} {r['naive']:9.1e}"
        if pymittagleffler:
            line += f" {r['pml']:9.1e} {r['t_ours'] / r['t_pml']:11.0f}"
        print(line + f" {r['t_ours'] / r['t_naive']:13.2f}")
    print()
    print(f"worst relative error: symsig {max(r['ours'] for r in rows):.2e}, naive mpmath series "
          f"{max(r['naive'] for r in rows):.2e}" + (f", pymittagleffler {max(r['pml'] for r in rows):.2e}"
                                                    if pymittagleffler else " (pymittagleffler not installed)"))
    total = sum(r["t_ours"] for r in rows)
    print(f"total time per grid: symsig {total:.3f} s, naive {sum(r['t_naive'] for r in rows):.3f} s"
          + (f", pymittagleffler {sum(r['t_pml'] for r in rows):.5f} s" if pymittagleffler else ""))


if __name__ == "__main__":
    main()
