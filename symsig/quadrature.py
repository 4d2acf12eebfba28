"""Arbitrary-precision quadrature: vector-valued, nested tanh-sinh, kink-aware.

The numeric engine behind every Gaussian expectation and line integral that
has no closed form.  One call integrates several integrands from ONE set of
node evaluations (the signature needs phi, phi', phi'' at each node, not a
separate quadrature per moment), refines interval by interval until every
component meets the target, and reports an error estimate per component.

Kinks must be split points: tanh-sinh (like Gauss-Legendre) converges slowly
across a kink inside an interval, and its error estimate does not notice.

>>> from symsig.precision import workdps
>>> with workdps(30):
...     r = integrate(lambda t: [mp.exp(-t * t)], 1, [(-mp.inf, 0), (0, mp.inf)], dps=30)
...     abs(r.values[0] - mp.sqrt(mp.pi)) < mp.mpf(10)**-30
True
"""

from dataclasses import dataclass

from mpmath.calculus.quadrature import TanhSinh

from .errors import ConvergenceError, DivergenceError, DomainError
from .normal import pdf as normal_pdf
from .precision import current, mp, REAL, short_str

MAX_DEGREE = 12  # 20 * 2^12 nodes per interval at most: far beyond 300 digits for analytic pieces


@dataclass
class QuadratureResult:
    values: list
    errors: list
    evaluations: int
    failures: list  # per component: None when it met its goal, else why not

    @property
    def converged(self):
        return all(f is None for f in self.failures)


class _Interval:
    def __init__(self, a, b, n):
        self.a, self.b = a, b
        self.levels = [[] for _ in range(n)]  # per component: results by degree
        self.magnitude = [mp.mpf(0)] * n  # integral of |f|, the scale of cancellation
        self.done = [False] * n


def _estimate(results, magnitude, prec_digits):
    """Borwein-Bailey-Girgensohn error extrapolation, as in mpmath, for one component.

    Works on differences relative to ``magnitude`` (the integral of |f|), so
    the estimate does not depend on the units of f, and never goes below the
    rounding floor of the sum, ten units of the working precision times
    ``magnitude``: a tiny integral is not held to (or credited with) an absolute floor.
    """
    if len(results) < 2:
        return None
    unit = magnitude or 1  # the extrapolation works on digits relative to the integral's scale
    floor = unit * mp.mpf(10) ** (1 - prec_digits)
    d1 = abs(results[-1] - results[-2]) / unit
    if len(results) == 2:
        return max(d1 * unit, floor)
    d2 = abs(results[-1] - results[-3]) / unit
    if d1 == 0:
        return floor
    log1, log2 = mp.log10(d1), mp.log10(d2) if d2 else -prec_digits
    bound = min(0, max(log1 ** 2 / log2 if log2 < 0 else log1, 2 * log1))
    # extrapolation assumes the digits double per level; demanding d1**1.5 keeps one
    # lucky agreement of two levels from passing (tanh at mu = 0.65, dps 30 did)
    return max(unit * max(mp.mpf(10) ** bound, d1 ** mp.mpf(1.5)), floor)


def _goals(pieces, n, dps, work_digits):
    # dps digits relative to the result; where the result cancels to (nearly) 0,
    # relative to the integral of |f|, using half of the guard digits.
    goals = []
    for i in range(n):
        total = abs(mp.fsum(p.levels[i][-1] for p in pieces))
        magnitude = mp.fsum(p.magnitude[i] for p in pieces)
        floor = magnitude * mp.mpf(10) ** ((dps - work_digits) // 2)
        goals.append(mp.mpf(10) ** (-dps - 1) * max(total, floor))
    return goals


def integrate(func, n, intervals, dps, target=None, strict=True):
    """Integrate the ``n``-vector ``func(t)`` over ``intervals`` (pairs, may be infinite).

    Call inside a ``workdps`` block (the working precision should exceed ``dps``).
    ``target`` is the absolute error goal per component (a list); by default
    ``10**-dps`` times the size of the result.  With ``strict`` a component that
    misses its goal raises :class:`ConvergenceError` instead of returning doubtful
    digits; otherwise ``failures`` says which components missed it and why, and the
    caller must not report their values.
    """
    rule = TanhSinh(current())
    prec = mp.prec
    work_digits = mp.dps
    pieces = [_Interval(mp.mpf(a), mp.mpf(b), n) for a, b in intervals if a != b]
    evaluations = 0
    for degree in range(1, MAX_DEGREE + 1):
        active = [p for p in pieces if not all(p.done)]
        if not active:
            break
        for piece in active:
            nodes = rule.get_nodes(piece.a, piece.b, degree, prec)
            h = mp.ldexp(1, -degree)
            sums = [mp.mpf(0)] * n
            magnitude = [mp.mpf(0)] * n
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
            for i in range(n):
                e = _estimate(piece.levels[i], piece.magnitude[i], work_digits)
                piece.done[i] = degree >= 3 and e is not None and e * len(pieces) <= goals[i]
    errors = [mp.fsum(_estimate(p.levels[i], p.magnitude[i], work_digits) for p in pieces)
              for i in range(n)]
    values = [mp.fsum(p.levels[i][-1] for p in pieces) for i in range(n)]
    failures = [None if all(p.done[i] for p in pieces) else
                f"the integrand rounds to 0 at every node (its terms cancel below the working "
                f"precision): no digits of E[...] can be given at {dps} digits" if not goals[i] else
                f"quadrature did not converge to {dps} digits: the error estimate "
                f"{short_str(errors[i], 3)} stayed above the goal {short_str(goals[i], 3)} "
                f"for a value of size {short_str(abs(values[i]), 3)} after {evaluations} evaluations; "
                "the integrand may have an unlisted kink or a singularity" for i in range(n)]
    if strict and any(failures):
        raise ConvergenceError(next(f for f in failures if f))
    return QuadratureResult(values, errors, evaluations, failures)


# ------------------------------------------------------- Gaussian expectations

def point_precision(sigma, mu):
    """Extra bits for ``x = mu + sigma z`` so that phi(x) keeps the working precision.

    ``x`` must resolve ``sigma z`` (``|mu| >> sigma`` would round it away) and
    carry absolute accuracy (``exp(-x)`` at ``x = 1e50`` needs 50 more digits
    than at ``x = 1``).
    """
    if not mu:
        return max(0, -mp.mag(sigma))
    return max(0, mp.mag(mu), mp.mag(mu) - mp.mag(sigma))


def _scan_points(limit):
    """0, a few points near the centre, and a geometric grid out to |z| = limit (both sides)."""
    points, z = [mp.mpf(0), -2, -1, 1, 2], mp.mpf(0.5)
    while z <= limit:
        points += [z, -z]
        z *= mp.mpf(1.25)
    return points


def tail_cutoff(at, n, dps):
    """A half-width L such that the Gaussian tail beyond |z| = L is below the target.

    ``at(z)`` is the integrand vector at ``x = mu + sigma z``.  Each component
    times the density is probed at L, 1.5L, 2L, 3L on both sides: it must be
    below ``10**-(dps+5)`` times that component's own peak (scanned on a grid out
    to 3L, since far from mu = 0 the mass of e.g. gelu(mu + sigma z) sits at
    z ~ -mu/2, not at the centre) and decreasing, which, for integrands of
    sub-Gaussian log-growth, bounds the neglected tail.
    """
    eps = mp.mpf(10) ** (-dps - 5)
    cutoff = mp.sqrt(2 * mp.log(10) * (dps + 5)) + 1
    def weighted_sizes(z, weight):
        # a probe may land on an integrable singular point (log|x| at 0): it tells nothing there
        try:
            return [abs(v) * weight for v in at(z)]
        except (DomainError, ConvergenceError):
            return [mp.mpf(0)] * n

    for _ in range(40):
        scales = [max(column) for column in zip(*(weighted_sizes(z, normal_pdf(z))
                                                  for z in _scan_points(3 * cutoff)))]
        decays = True
        for side in (1, -1):
            probes = [weighted_sizes(z, normal_pdf(z) * abs(z))
                      for z in (side * cutoff * factor for factor in (1, 1.5, 2, 3))]
            for i, scale in enumerate(scales):
                sizes = [p[i] for p in probes]
                if not (sizes[0] <= eps * scale and sizes == sorted(sizes, reverse=True)):
                    decays = False
        if decays:
            return cutoff
        cutoff *= 1.25
    raise DivergenceError("the Gaussian tail does not decay within |z| < "
                          f"{mp.nstr(cutoff, 4)}: the expectation diverges, or the integrand's "
                          "mass lies too far from mu for the quadrature (|mu|/sigma too large)")


def gaussian_quadrature(func, n, sigma, mu, dps, breakpoints=(), strict=True):
    """``E[func(mu + sigma Z)]`` for an ``n``-vector ``func``, split at ``breakpoints``.

    Call inside a ``workdps`` block.  ``breakpoints`` are points in x where some
    component of ``func`` (or a derivative) is not smooth.  ``sigma`` and ``mu``
    should be exact (SymPy numbers) or carry :func:`point_precision` extra bits:
    ``func`` is called at that raised precision, so it may also subtract a large
    centre from phi(x) without cancellation; its values are rounded to the
    working precision.
    """
    work = mp.prec
    with mp.workprec(work + 20):
        extra = point_precision(_mpf(sigma), _mpf(mu))
    high = work + extra + (20 if extra else 0)
    with mp.workprec(high):
        sigma, mu = _mpf(sigma), _mpf(mu)

    def evaluate(z, prec):
        with mp.workprec(prec):
            return func(mu + sigma * mp.mpf(z))

    # the integrand may cancel internally (1 - tanh(x)**2 near x = 20 loses 17 digits):
    # measure the loss at a few points against a finer evaluation and add it
    for _ in range(4):
        lost = 0
        for z in (-2, -1, 0, 1, 2):
            try:
                finer = evaluate(z, high + 2 * lost + 64)
            except (DomainError, ConvergenceError):  # an integrable singular point: no measure of cancellation here
                continue
            for v, w in zip(evaluate(z, high), finer):
                if w and v != w:
                    lost = max(lost, work + mp.mag(v - w) - mp.mag(w))
        if lost <= 8:  # a few bits are rounding, which the guard digits absorb
            break
        high += lost + 10

    def at(z):
        return [+v for v in evaluate(z, high)]

    cutoff = tail_cutoff(at, n, dps)
    splits = {mp.mpf(0)}
    with mp.workprec(high):
        zs = [(_mpf(b) - mu) / sigma for b in breakpoints]
    splits.update(+z for z in zs if abs(z) < cutoff)
    points = sorted(splits | {-cutoff, cutoff})

    def weighted(z):
        w = normal_pdf(z)
        return [w * v for v in at(z)]

    return integrate(weighted, n, list(zip(points, points[1:])), dps, strict=strict)


def _mpf(value):
    """An mpf of the active context; SymPy numbers are evaluated to its precision, mpf keep all
    their bits (but join the active context, whose precision then governs their arithmetic)."""
    if isinstance(value, REAL):
        return current().make_mpf(value._mpf_)
    if hasattr(value, "evalf"):
        return mp.mpf(value.evalf(mp.dps + 5))
    return mp.mpf(value)
