"""Arbitrary-precision quadrature: vector-valued, nested tanh-sinh, kink-aware.

The numeric engine behind every Gaussian expectation and line integral that
has no closed form.  One call integrates several integrands from ONE set of
node evaluations (the signature needs phi, phi', phi'' at each node, not a
separate quadrature per moment), refines interval by interval until every
component meets the target, and reports an error estimate per component.

Kinks must be split points: tanh-sinh (like Gauss-Legendre) converges slowly
across a kink inside an interval, and its error estimate does not notice.

>>> import mpmath
>>> with mpmath.workdps(40):
...     r = integrate(lambda t: [mpmath.exp(-t * t)], 1, [(-mpmath.inf, 0), (0, mpmath.inf)], dps=30)
...     abs(r.values[0] - mpmath.sqrt(mpmath.pi)) < mpmath.mpf(10)**-30
True
"""

from dataclasses import dataclass

import mpmath
from mpmath.calculus.quadrature import TanhSinh

from .errors import ConvergenceError, DivergenceError

MAX_DEGREE = 12  # 20 * 2^12 nodes per interval at most: far beyond 300 digits for analytic pieces


@dataclass
class QuadratureResult:
    values: list
    errors: list
    evaluations: int


class _Interval:
    def __init__(self, a, b, n):
        self.a, self.b = a, b
        self.levels = [[] for _ in range(n)]  # per component: results by degree
        self.magnitude = [mpmath.mpf(0)] * n  # integral of |f|, the scale of cancellation
        self.done = False


def _estimate(results, prec_digits):
    """Borwein-Bailey-Girgensohn error extrapolation, as in mpmath, per component."""
    if len(results) < 2:
        return None
    d1 = abs(results[-1] - results[-2])
    if len(results) == 2:
        return d1
    d2 = abs(results[-1] - results[-3])
    if d1 == 0:
        return mpmath.mpf(0) if d2 == 0 else mpmath.mpf(10) ** (-prec_digits)
    log1, log2 = mpmath.log10(d1), mpmath.log10(d2) if d2 else -prec_digits
    bound = min(0, max(log1 ** 2 / log2 if log2 < 0 else log1, 2 * log1, -prec_digits))
    # extrapolation assumes the digits double per level; demanding d1**1.5 keeps one
    # lucky agreement of two levels from passing (tanh at mu = 0.65, dps 30 did)
    return max(mpmath.mpf(10) ** bound, d1 ** mpmath.mpf(1.5))


def _goals(pieces, n, dps, work_digits):
    # dps digits relative to the result; where the result cancels to (nearly) 0,
    # relative to the integral of |f|, using half of the guard digits.
    goals = []
    for i in range(n):
        total = abs(mpmath.fsum(p.levels[i][-1] for p in pieces))
        magnitude = mpmath.fsum(p.magnitude[i] for p in pieces)
        floor = magnitude * mpmath.mpf(10) ** ((dps - work_digits) // 2)
        goals.append(mpmath.mpf(10) ** (-dps - 1) * max(total, floor, mpmath.mpf(10) ** -work_digits))
    return goals


def integrate(func, n, intervals, dps, target=None):
    """Integrate the ``n``-vector ``func(t)`` over ``intervals`` (pairs, may be infinite).

    Call inside a ``workdps`` block (the working precision should exceed ``dps``).
    ``target`` is the absolute error goal per component (a list); by default
    ``10**-dps`` times the size of the result.  Raises :class:`ConvergenceError`
    instead of returning doubtful digits.
    """
    rule = TanhSinh(mpmath.mp)
    prec = mpmath.mp.prec
    work_digits = mpmath.mp.dps
    pieces = [_Interval(mpmath.mpf(a), mpmath.mpf(b), n) for a, b in intervals if a != b]
    evaluations = 0
    for degree in range(1, MAX_DEGREE + 1):
        active = [p for p in pieces if not p.done]
        if not active:
            break
        for piece in active:
            nodes = rule.get_nodes(piece.a, piece.b, degree, prec)
            h = mpmath.ldexp(1, -degree)
            sums = [mpmath.mpf(0)] * n
            magnitude = [mpmath.mpf(0)] * n
            for t, w in nodes:
                for i, value in enumerate(func(t)):
                    sums[i] += w * value
                    magnitude[i] += w * abs(value)
            evaluations += len(nodes)
            for i in range(n):
                previous = piece.levels[i][-1] / (2 * h) if piece.levels[i] else 0
                piece.levels[i].append(h * (sums[i] + previous))
                piece.magnitude[i] = h * magnitude[i] + piece.magnitude[i] / 2
        goals = target or _goals(pieces, n, dps, work_digits)
        for piece in active:
            errors = [_estimate(piece.levels[i], work_digits) for i in range(n)]
            piece.done = degree >= 3 and all(e is not None and e * len(pieces) <= g
                                             for e, g in zip(errors, goals))
    errors = [mpmath.fsum(_estimate(p.levels[i], work_digits) for p in pieces) for i in range(n)]
    values = [mpmath.fsum(p.levels[i][-1] for p in pieces) for i in range(n)]
    if any(not p.done for p in pieces):
        worst = max(errors)
        raise ConvergenceError(f"quadrature did not reach {dps} digits (error estimate "
                               f"{mpmath.nstr(worst, 3)} after {evaluations} evaluations); "
                               "the integrand may have an unlisted kink or a singularity")
    return QuadratureResult(values, errors, evaluations)


# ------------------------------------------------------- Gaussian expectations

def _normal_pdf(z):
    return mpmath.exp(-z * z / 2) / mpmath.sqrt(2 * mpmath.pi)


def tail_cutoff(func, n, sigma, mu, dps):
    """A half-width L such that the Gaussian tail beyond |z| = L is below the target.

    The integrand times the density is probed at L, 1.5L, 2L, 3L on both sides:
    it must be below ``10**-(dps+5)`` times the integrand's size near the centre
    and decreasing, which, for integrands of sub-Gaussian log-growth, bounds
    the neglected tail.  An integrand that grows along the probes diverges.
    """
    eps = mpmath.mpf(10) ** (-dps - 5)
    scale = max(max(abs(v) for v in func(mu + sigma * z)) for z in (-2, -1, 0.5, 1, 2))
    scale = max(scale, mpmath.mpf(10) ** (-mpmath.mp.dps))
    cutoff = mpmath.sqrt(2 * mpmath.log(10) * (dps + 5)) + 1
    for _ in range(40):
        decays = True
        for side in (1, -1):
            probes = []
            for factor in (1, 1.5, 2, 3):
                z = side * cutoff * factor
                size = max(abs(v) for v in func(mu + sigma * z)) * _normal_pdf(z) * abs(z)
                probes.append(size)
            if probes[3] > probes[2] > probes[1] > probes[0] and probes[3] > scale:
                raise DivergenceError("the Gaussian expectation diverges: the integrand grows "
                                      "faster than exp(z**2/2) in the tails")
            if not (probes[0] <= eps * scale and probes == sorted(probes, reverse=True)):
                decays = False
        if decays:
            return cutoff
        cutoff *= 1.25
    raise DivergenceError("the Gaussian tail does not decay within |z| < "
                          f"{mpmath.nstr(cutoff, 4)}: the expectation diverges or is too heavy-tailed")


def gaussian_quadrature(func, n, sigma, mu, dps, breakpoints=()):
    """``E[func(mu + sigma Z)]`` for an ``n``-vector ``func``, split at ``breakpoints``.

    Call inside a ``workdps`` block.  ``breakpoints`` are points in x where some
    component of ``func`` (or a derivative) is not smooth.
    """
    sigma, mu = mpmath.mpf(sigma), mpmath.mpf(mu)
    cutoff = tail_cutoff(func, n, sigma, mu, dps)
    splits = {mpmath.mpf(0)}
    splits.update(z for z in ((mpmath.mpf(b) - mu) / sigma for b in breakpoints) if abs(z) < cutoff)
    points = sorted(splits | {-cutoff, cutoff})
    scale = 1 / mpmath.sqrt(2 * mpmath.pi)

    def weighted(z):
        w = mpmath.exp(-z * z / 2) * scale
        return [w * v for v in func(mu + sigma * z)]

    return integrate(weighted, n, list(zip(points, points[1:])), dps)
