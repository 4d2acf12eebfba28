"""Arbitrary-precision quadrature: one driver, three node rules, one error model, one tail rule.

The numeric engine behind every Gaussian expectation and line integral that
has no closed form.  One call integrates several integrands from ONE set of
node evaluations (the signature needs phi, phi', phi'' at each node, not a
separate quadrature per moment), refines interval by interval until every
component meets the target, and reports an error estimate per component.

The node rules share the driver (:func:`_refine`), its error model
(:func:`_estimate`, :func:`_goals`) and the tail rule (:func:`tail_cutoff`):

* tanh-sinh (:func:`integrate`, :func:`gaussian_quadrature`): nodes are reused
  from level to level, and infinite intervals and endpoint singularities are
  handled;
* the trapezoidal rule on the whole line (:func:`_trapezoid`), tried first by
  :func:`gaussian_quadrature` for an integrand without kinks: analytic in a strip,
  it needs a half to a third of tanh-sinh's nodes;
* Gauss-Legendre panels with the normal density in their weights, cached
  (:func:`gaussian_expectation_2d`): the inner integral of ``E[f(U) g(V)]`` is
  recomputed at every outer node, where panels that recur pay no evaluation of
  the density.

Kinks must be split points: both rules converge slowly across a kink inside an
interval, and their error estimate does not notice.

>>> from symsig.precision import workdps
>>> with workdps(30):
...     r = integrate(lambda t: [mp.exp(-t * t)], 1, [(-mp.inf, 0), (0, mp.inf)], dps=30)
...     abs(r.values[0] - mp.sqrt(mp.pi)) < mp.mpf(10)**-30
True
"""

from dataclasses import dataclass
from functools import lru_cache

from mpmath.calculus.quadrature import GaussLegendre, TanhSinh

from .errors import ConvergenceError, DivergenceError, DomainError
from .normal import pdf as normal_pdf
from .precision import current, mp, REAL, short_str

MAX_DEGREE = 12  # 20 * 2^12 nodes per interval at most: far beyond 300 digits for analytic pieces
PANEL_DEGREES = range(2, 9)  # 6 to 384 Gauss-Legendre nodes per panel
PANEL_WIDTH = 2  # in standard deviations; poles of tanh-like pieces at ~pi/2 need <= 24 nodes


@dataclass
class QuadratureResult:
    values: list
    errors: list
    evaluations: int
    failures: list  # per component: None when it met its goal, else why not
    rule: str = ""  # the node rule, for a method string: "tanh-sinh, 2 intervals"

    @property
    def converged(self):
        return all(f is None for f in self.failures)


class _Interval:
    def __init__(self, a, b, n):
        self.a, self.b = a, b
        self.levels = [[] for _ in range(n)]  # per component: results by degree
        self.magnitude = [mp.mpf(0)] * n  # integral of |f|, the scale of cancellation
        self.done = [False] * n


# ------------------------------------------------------------- the error model

def _estimate(results, magnitude, prec_digits):
    """Borwein-Bailey-Girgensohn error extrapolation, as in mpmath, for one component.

    ``results`` are the values of successive levels of either rule (tanh-sinh
    halves its step, the Gauss-Legendre panels double their nodes: on an analytic
    piece both double the correct digits per level).  Works on differences
    relative to ``magnitude`` (the integral of |f|), so the estimate does not
    depend on the units of f, and never goes below the rounding floor of the sum,
    ten units of the working precision times ``magnitude``: a tiny integral is not
    held to (or credited with) an absolute floor.
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


def _refine(level, pieces, n, dps, degrees, target=None, strict=True):
    """The one driver: raise the degree of each piece until every component meets its goal.

    ``level(piece, degree)`` returns ``(values, magnitudes, evaluations)`` of that
    piece's rule at ``degree``.  A piece is done for a component after three
    levels whose extrapolated error, times the number of pieces, meets the goal.
    """
    work_digits = mp.dps
    evaluations = 0
    for degree in degrees:
        active = [p for p in pieces if not all(p.done)]
        if not active:
            break
        for piece in active:
            values, magnitudes, count = level(piece, degree)
            evaluations += count
            for i in range(n):
                piece.levels[i].append(values[i])
                piece.magnitude[i] = magnitudes[i]
        goals = target or _goals(pieces, n, dps, work_digits)
        for piece in active:
            for i in range(n):
                e = _estimate(piece.levels[i], piece.magnitude[i], work_digits)
                piece.done[i] = len(piece.levels[i]) >= 3 and e is not None and e * len(pieces) <= goals[i]
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


# ------------------------------------------------------------------ node rules

def integrate(func, n, intervals, dps, target=None, strict=True):
    """Integrate the ``n``-vector ``func(t)`` over ``intervals`` (pairs, may be infinite) by tanh-sinh.

    Call inside a ``workdps`` block (the working precision should exceed ``dps``).
    ``target`` is the absolute error goal per component (a list); by default
    ``10**-dps`` times the size of the result.  With ``strict`` a component that
    misses its goal raises :class:`ConvergenceError` instead of returning doubtful
    digits; otherwise ``failures`` says which components missed it and why, and the
    caller must not report their values.
    """
    rule = TanhSinh(current())
    prec = mp.prec

    def level(piece, degree):
        # a level halves the step: the previous sum (over h) plus the new nodes
        nodes = rule.get_nodes(piece.a, piece.b, degree, prec)
        h = mp.ldexp(1, -degree)
        sums = [mp.mpf(0)] * n
        magnitude = [mp.mpf(0)] * n
        for t, w in nodes:
            for i, value in enumerate(func(t)):
                sums[i] += w * value
                magnitude[i] += w * abs(value)
        values = [h * (sums[i] + (piece.levels[i][-1] / (2 * h) if piece.levels[i] else 0)) for i in range(n)]
        return values, [h * magnitude[i] + piece.magnitude[i] / 2 for i in range(n)], len(nodes)

    pieces = [_Interval(mp.mpf(a), mp.mpf(b), n) for a, b in intervals if a != b]
    result = _refine(level, pieces, n, dps, range(1, MAX_DEGREE + 1), target, strict)
    result.rule = f"tanh-sinh, {len(pieces)} intervals"
    return result


@lru_cache(maxsize=16)
def _legendre(degree, prec):
    """Gauss-Legendre ``(node, weight)`` pairs on [-1, 1] as raw ``_mpf_`` tuples.

    Cached numbers must not be mpf objects: those belong to the context of the
    call that computed them, and as left operands they would round later
    arithmetic at that (stale, possibly changed) context's precision.
    """
    with mp.workprec(prec):
        return tuple((t._mpf_, w._mpf_) for t, w in GaussLegendre(current()).calc_nodes(degree, prec))


@lru_cache(maxsize=4096)
def _panel(a, b, degree, prec):
    """Nodes and density-weighted weights of one panel, as raw ``_mpf_`` tuples (see :func:`_legendre`)."""
    make = mp.make_mpf
    a, b = make(a), make(b)
    half, mid = (b - a) / 2, (b + a) / 2
    rule = [(make(t), make(w)) for t, w in _legendre(degree, prec)]
    nodes = [mid + half * t for t, _ in rule]
    weights = [half * w * normal_pdf(z) for (_, w), z in zip(rule, nodes)]
    return tuple(z._mpf_ for z in nodes), tuple(w._mpf_ for w in weights)


def _panel_edges(splits, cutoff):
    """Panels of width PANEL_WIDTH from -cutoff to cutoff, cut at the ``splits`` inside."""
    edges = {-cutoff, cutoff}
    step = -cutoff
    while step < cutoff:
        edges.add(step)
        step += PANEL_WIDTH
    edges.update(s for s in splits if -cutoff < s < cutoff)
    return sorted(set(map(mp.convert, edges)))  # splits may be numbers of another context


def _panel_sum(func, a, b, degree):
    """``(sum w func(z), sum w |func(z)|, nodes)`` of the density-weighted panel rule on [a, b]."""
    make = mp.make_mpf
    nodes, weights = _panel(a._mpf_, b._mpf_, degree, mp.prec)
    total, magnitude = [], []
    for z, w in zip(nodes, weights):
        value, w = func(make(z)), make(w)
        total.append(w * value)
        magnitude.append(w * abs(value))
    return mp.fsum(total), mp.fsum(magnitude), len(nodes)


# ------------------------------------------------------------------- tail rule

def _scan_points(limit):
    """0, a few points near the centre, and a geometric grid out to |z| = limit (both sides)."""
    points, z = [mp.mpf(0), -2, -1, 1, 2], mp.mpf(0.5)
    while z <= limit:
        points += [z, -z]
        z *= mp.mpf(1.25)
    return points


ALGEBRAIC_EXPONENT = 1.25  # a tail decaying like |z|**-p, p above this, is integrated to infinity


def tail_cutoff(at, n):
    """A half-width L beyond which the Gaussian tail is neglected, or ``mp.inf``.

    ``at(z)`` is the integrand vector at standard-normal distance z (the caller
    puts the direction of slowest decay on this line).  Each component times the
    density is probed at L, 1.5L, 2L, 3L on both sides: it must be below
    ``10**-(working digits + 4)`` times that component's own peak (scanned on a
    grid out to 3L, since far from mu = 0 the mass of e.g. gelu(mu + sigma z) sits
    at z ~ -mu/2, not at the centre) and decreasing, which, for integrands of
    sub-Gaussian log-growth, puts the neglected tail below the rounding that the
    error estimate covers.  L grows until that holds, so an integrand growing
    like exp(c x**2) widens its own cut.  When it never holds, a tail that still
    decays like ``|z|**-p`` with p > :data:`ALGEBRAIC_EXPONENT` at every probe
    (exp(x**2/2)/(1 + x**2)) is not truncated: ``mp.inf`` tells the caller to
    integrate to infinity, where tanh-sinh's error estimate covers it.  Anything
    slower raises :class:`DivergenceError`.
    """
    eps = mp.mpf(10) ** (-mp.dps - 4)
    cutoff = mp.sqrt(2 * mp.log(10) * (mp.dps + 4)) + 1

    def weighted_sizes(z, weight):
        # a probe may land on an integrable singular point (log|x| at 0): it tells nothing there
        try:
            return [abs(v) * weight for v in at(z)]
        except (DomainError, ConvergenceError):
            return [mp.mpf(0)] * n

    factors = (1, 1.5, 2, 3)
    for _ in range(40):
        scales = [max(column) for column in zip(*(weighted_sizes(z, normal_pdf(z))
                                                  for z in _scan_points(3 * cutoff)))]
        decays, algebraic = True, True
        for side in (1, -1):
            zs = [side * cutoff * factor for factor in factors]
            probes = [weighted_sizes(z, normal_pdf(z) * abs(z)) for z in zs]
            for i, scale in enumerate(scales):
                sizes = [p[i] for p in probes]
                if not (sizes[0] <= eps * scale and sizes == sorted(sizes, reverse=True)):
                    decays = False
                # sizes carry a factor |z|: |f| npdf ~ |z|**-p makes them fall like |z|**(1 - p)
                algebraic = algebraic and all(
                    b == 0 or (a > b and mp.log(a / b) / mp.log(mp.mpf(t) / s) > ALGEBRAIC_EXPONENT - 1)
                    for a, b, s, t in zip(sizes, sizes[1:], factors, factors[1:]))
        if decays:
            return cutoff
        cutoff *= 1.25
    if algebraic:
        return mp.inf
    raise DivergenceError("the Gaussian tail does not decay within |z| < "
                          f"{mp.nstr(cutoff, 4)}: the expectation diverges, or the integrand's "
                          "mass lies too far from mu for the quadrature (|mu|/sigma too large)")


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


def _far_bits(z):
    """Extra bits at a far node: exp(+-c z**2) loses 2 mag(z) bits to the rounding of z**2, which
    the guard digits absorb up to |z| ~ 2**8; beyond (algebraic tails reach 1e30), an integrand
    growing like exp(c x**2) and the density it cancels against need them to stay relatively accurate."""
    m = mp.mag(z)
    return 2 * m if m > 8 else 0


def gaussian_quadrature(func, n, sigma, mu, dps, breakpoints=(), strict=True):
    """``E[func(mu + sigma Z)]`` for an ``n``-vector ``func``, split at ``breakpoints``.

    Call inside a ``workdps`` block.  ``breakpoints`` are points in x where some
    component of ``func`` (or a derivative) is not smooth.  ``sigma`` and ``mu``
    should be exact (SymPy numbers) or carry :func:`point_precision` extra bits:
    ``func`` is called at that raised precision, so it may also subtract a large
    centre from phi(x) without cancellation; its values are rounded to the
    working precision.  Far nodes get :func:`_far_bits` more.
    """
    work = mp.prec
    with mp.workprec(work + 20):
        extra = point_precision(_mpf(sigma), _mpf(mu))
    high = work + extra + (20 if extra else 0)
    exact = (sigma, mu)

    @lru_cache(maxsize=8)
    def location(prec):
        with mp.workprec(prec):
            return tuple(_mpf(v)._mpf_ for v in exact)  # raw tuples: see _legendre

    def evaluate(z, prec):
        prec += _far_bits(z)
        with mp.workprec(prec):
            s, m = map(mp.make_mpf, location(prec))
            return func(m + s * mp.mpf(z))

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

    cutoff = tail_cutoff(at, n)
    splits = {mp.mpf(0)}
    with mp.workprec(high):
        zs = [(_mpf(b) - _mpf(mu)) / _mpf(sigma) for b in breakpoints]
    splits.update(+z for z in zs if abs(z) < cutoff)
    points = sorted(splits | {-cutoff, cutoff})

    def weighted(z):
        with mp.workprec(work + _far_bits(z)):  # the density as accurate as the far integrand
            w = normal_pdf(z)
        return [w * v for v in at(z)]

    if len(points) == 3 and cutoff != mp.inf:  # no kink: only the split at 0
        try:
            result = _trapezoid(weighted, n, cutoff, dps)
        except (DomainError, ConvergenceError):  # a node where it cannot be evaluated (cos(1/x) at 0)
            result = None
        if result is not None and result.converged:
            return result
    return integrate(weighted, n, list(zip(points, points[1:])), dps, strict=strict)


TRAPEZOID_DEGREES = range(8)  # steps 1/2 .. 1/256


def _trapezoid(func, n, cutoff, dps):
    """The trapezoidal rule on [-cutoff, cutoff] for an integrand smooth on the whole line.

    For f analytic in the strip |Im z| < d and decaying like the normal density, the
    error of step h is O(exp(-2 pi d / h)): halving h squares it, the digit doubling
    that :func:`_estimate` extrapolates, as for tanh-sinh, but without tanh-sinh's
    clustering at an interior split, which a smooth integrand does not need
    (two to three times fewer nodes for the standard activations).  Nodes are nested.
    Components that miss the goal by the last degree (a singularity near the real axis)
    are reported in ``failures``; the caller then uses tanh-sinh.
    """
    def level(piece, degree):
        h = mp.ldexp(1, -degree - 1)
        last = int(mp.floor(cutoff / h))
        # level 0 takes every multiple of h, later levels the odd ones (the new nodes)
        odd = last if last % 2 else last - 1
        nodes = range(-last, last + 1) if degree == 0 else range(-odd, odd + 1, 2)
        sums, magnitude = [mp.mpf(0)] * n, [mp.mpf(0)] * n
        for j in nodes:
            for i, value in enumerate(func(j * h)):
                sums[i] += value
                magnitude[i] += abs(value)
        values = [h * sums[i] + (piece.levels[i][-1] / 2 if piece.levels[i] else 0) for i in range(n)]
        return values, [h * magnitude[i] + piece.magnitude[i] / 2 for i in range(n)], len(nodes)

    result = _refine(level, [_Interval(-cutoff, cutoff, n)], n, dps, TRAPEZOID_DEGREES, strict=False)
    result.rule = "trapezoidal, whole line"
    return result


def _axes(q1, q2, q12):
    """``[(sqrt(lambda), (cos, sin))]`` for the major and minor axes of the covariance."""
    theta = mp.atan2(2 * q12, q1 - q2) / 2
    c, s = mp.cos(theta), mp.sin(theta)
    major = q1 * c * c + 2 * q12 * s * c + q2 * s * s
    return [(mp.sqrt(major), (c, s)), (mp.sqrt(max(0, q1 + q2 - major)), (-s, c))]


def gaussian_expectation_2d(f, g, q1, q2, q12, dps, f_kinks=(), g_kinks=()):
    """``(E[f(U) g(V)], error)`` for centred Gaussians with Var U = q1, Var V = q2, Cov = q12.

    ``f``, ``g`` are scalar functions of x, smooth between their sorted ``*_kinks``;
    call inside ``workdps``.  With ``U = s1 Z1`` and ``V = s2 (rho Z1 + c Z2)``, the
    inner integral over Z2 is Gaussian, its kinks move with Z1, so its panels are
    recomputed at every outer node, at the outer degree; the driver refines outer
    panels by degree.  The tail rule probes the integrand along both axes of the
    covariance (the major one is where exp(c x**2) growth decays slowest).  At
    ``|rho| = 1`` the pair is one Gaussian: :func:`gaussian_quadrature`.
    """
    s1, s2 = mp.sqrt(q1), mp.sqrt(q2)
    rho = max(-1, min(1, q12 / (s1 * s2)))
    c = mp.sqrt(1 - rho * rho)
    fp, gp = sorted(map(mp.convert, f_kinks)), sorted(map(mp.convert, g_kinks))
    if c == 0:
        ratio = rho * s2 / s1
        kinks = fp + ([] if rho == 0 else [b / ratio for b in gp])
        result = gaussian_quadrature(lambda u: [f(u) * g(ratio * u)], 1, s1, 0, dps, sorted(kinks))
        return result.values[0], result.errors[0]
    axes = _axes(q1, q2, q12)

    def along_axes(z):
        return [f(z * r * e[0]) * g(z * r * e[1]) for r, e in axes]

    cutoff = tail_cutoff(along_axes, 2)
    if cutoff == mp.inf:
        raise ConvergenceError("the two-dimensional integrand decays only algebraically along an axis "
                               "of the covariance: the panel rule needs a finite cut")
    outer = [b / s1 for b in fp]
    if rho != 0:
        # V's kinks cross z2 = 0 at these z1; the conditional mean there varies on scale c/|rho|
        for b in gp:
            centre = b / (s2 * rho)
            outer += [centre + k * c / abs(rho) for k in (-4, -1, 0, 1, 4)]

    def inner(z1, degree):
        mean = s2 * rho * z1
        value, magnitude, count = mp.mpf(0), mp.mpf(0), 0
        edges = _panel_edges([(b - mean) / (s2 * c) for b in gp], cutoff)
        for a, b in zip(edges, edges[1:]):
            v, m, k = _panel_sum(lambda z2: g(mean + s2 * c * z2), a, b, degree)
            value, magnitude, count = value + v, magnitude + m, count + k
        return value, magnitude, count

    def level(piece, degree):
        make = mp.make_mpf
        nodes, weights = _panel(piece.a._mpf_, piece.b._mpf_, degree, mp.prec)
        total, magnitude, count = [], [], 0
        for z1, w1 in zip(map(make, nodes), map(make, weights)):
            fz = f(s1 * z1)
            v, m, k = inner(z1, degree)
            total.append(w1 * fz * v)
            magnitude.append(w1 * abs(fz) * m)
            count += k
        return [mp.fsum(total)], [mp.fsum(magnitude)], count

    edges = _panel_edges(outer, cutoff)
    pieces = [_Interval(a, b, 1) for a, b in zip(edges, edges[1:])]
    result = _refine(level, pieces, 1, dps, PANEL_DEGREES)
    return result.values[0], result.errors[0]


def _mpf(value):
    """An mpf of the active context; SymPy numbers are evaluated to its precision, mpf keep all
    their bits (but join the active context, whose precision then governs their arithmetic)."""
    if isinstance(value, REAL):
        return current().make_mpf(value._mpf_)
    if hasattr(value, "evalf"):
        return mp.mpf(value.evalf(mp.dps + 5))
    return mp.mpf(value)
