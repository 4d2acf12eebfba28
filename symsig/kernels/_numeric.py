"""Kink-split Gaussian quadrature in one and two dimensions.

An activation is handled as its smooth pieces (:func:`symsig.calculus.decompose`),
each compiled once to an mpmath function.  Every Gaussian integral is split at
the kinks mapped into the standard-normal variable, truncated where the
Gaussian tail is below the target, and integrated by composite Gauss-Legendre
panels, which converge geometrically on each smooth panel.  The error estimate is
extrapolated from the differences of successive rules (6, 12, 24, ... nodes
per panel) and reported for the finest one; the truncation is set by the
working precision so that it stays below that estimate.  It is an estimate,
not a bound.

The two-dimensional expectation ``E[f(U) g(V)]`` is reduced to nested
one-dimensional integrals: conditional on ``U``, ``V`` is Gaussian, and its
kinks move with ``U``, so the inner splits are recomputed at every outer node.
"""

from bisect import bisect_right
from functools import lru_cache

import sympy
from mpmath.calculus.quadrature import GaussLegendre

from ..activations import x
from ..calculus import decompose
from ..errors import ConvergenceError, UndefinedError
from ..normal import pdf as npdf
from ..precision import current, lambdify_mpmath, mp, short_str
from .closed import elementary_form

PANEL_WIDTH = 2  # in standard deviations; poles of tanh-like pieces at ~pi/2 need <= 24 nodes


class CompiledPieces:
    """A piecewise-smooth function as mpmath callables between sorted breakpoints."""

    def __init__(self, pieces):
        self.symbolic = pieces
        self.breakpoints_exact = pieces.breakpoints
        self._funcs = [lambdify_mpmath(x, elementary_form(p.expr, division_free=True)) for p in pieces.pieces]

    def breakpoints(self):
        return [mp.mpf(sympy.N(b, mp.dps + 5)) for b in self.breakpoints_exact]

    def __call__(self, value, points):
        return self._funcs[bisect_right(points, value)](value)


@lru_cache(maxsize=128)
def compiled(phi, derivative=False):
    """The compiled pieces of ``phi`` (or of its classical derivative)."""
    pieces = decompose(phi)
    if derivative:
        jumps = pieces.jumps()
        if jumps:
            raise UndefinedError(
                f"phi jumps at x = {sorted(jumps, key=float)}, so phi' carries a Dirac mass: "
                "E[phi'(U) phi'(V)] then depends on how the mass is counted (autograd counts 0); "
                "use a continuous activation")
        pieces = pieces.diff()
    return CompiledPieces(pieces)


@lru_cache(maxsize=16)
def _legendre(degree, prec):
    """Gauss-Legendre ``(node, weight)`` pairs on [-1, 1] as raw ``_mpf_`` tuples.

    Cached numbers must not be mpf objects: those belong to the context of the
    call that computed them, and as left operands they would round later
    arithmetic at that (stale, possibly changed) context's precision.
    """
    with mp.workprec(prec):
        return tuple((t._mpf_, w._mpf_) for t, w in GaussLegendre(current()).calc_nodes(degree, prec))


def tail():
    """Half-width in standard deviations beyond which the Gaussian mass is negligible.

    Set by the WORKING precision, not the requested one, so that truncation
    stays below the rounding level that the error estimate already covers
    (truncating at the requested dps left 6e-29 of a 2e-31 claim at dps = 20).
    """
    return mp.sqrt(2 * mp.log(10) * (mp.dps + 4)) + 1


def panel_rule(splits, cutoff, degree):
    """Nodes and weights of ``integral g(z) npdf(z) dz`` over [-cutoff, cutoff], split at ``splits``.

    Panels of width PANEL_WIDTH from -cutoff; a panel holding a split is cut
    there.  Uncut panels recur at every outer node of a 2-D integral, so their
    weighted rules are cached.
    """
    edges = {-cutoff, cutoff}
    step = -cutoff
    while step < cutoff:
        edges.add(step)
        step += PANEL_WIDTH
    edges.update(s for s in splits if -cutoff < s < cutoff)
    edges = sorted(set(map(mp.convert, edges)))  # splits may be numbers of another context
    nodes, weights = [], []
    make = mp.make_mpf
    for a, b in zip(edges, edges[1:]):
        panel_nodes, panel_weights = _panel(a._mpf_, b._mpf_, degree, mp.prec)
        nodes.extend(map(make, panel_nodes))
        weights.extend(map(make, panel_weights))
    return nodes, weights


@lru_cache(maxsize=4096)
def _panel(a, b, degree, prec):
    """Nodes and npdf-weighted weights of one panel, as raw ``_mpf_`` tuples (see :func:`_legendre`)."""
    make = mp.make_mpf
    a, b = make(a), make(b)
    half, mid = (b - a) / 2, (b + a) / 2
    rule = [(make(t), make(w)) for t, w in _legendre(degree, prec)]
    nodes = [mid + half * t for t, _ in rule]
    weights = [half * w * npdf(z) for (_, w), z in zip(rule, nodes)]
    return tuple(z._mpf_ for z in nodes), tuple(w._mpf_ for w in weights)


def _with_estimate(rule_sum, dps, what="Gaussian integral"):
    """Evaluate ``rule_sum(degree)`` at increasing degree until the estimated error meets ``dps``.

    With d1, d2 the last two differences of successive rules (node counts
    doubling), the error of the finest rule is ``min(d1, 100 d1^2/d2)``: under
    geometric convergence ``d1^2/d2`` tracks it (a safety factor of 100 on top),
    under slow convergence ``d1`` is kept.  This saves the last, most expensive
    doubling that a plain ``d1`` needs to certify an already converged rule.
    """
    target = mp.mpf(10) ** (-dps)
    values = [rule_sum(2), rule_sum(3)]
    for degree in range(4, 9):
        values.append(rule_sum(degree))
        d2, d1 = abs(values[-2] - values[-3]), abs(values[-1] - values[-2])
        scale = max(1, abs(values[-1]))
        estimate = d1 if d1 == 0 or d1 >= d2 else min(d1, 100 * d1**2 / d2)
        error = estimate + 10 * mp.eps * scale
        if error <= target * scale:
            return values[-1], error
    raise ConvergenceError(f"the {what} did not reach {dps} digits (last two rules differ by "
                           f"{short_str(d1 / scale, 3)} relative); lower dps or check the activation")


def expect_1d(func, sigma, dps, mu=0, kinks=(), widen=1):
    """``(E[func(mu + sigma Z)], error)``; call inside ``workdps``.  ``kinks`` are in x."""
    sigma, mu = mp.mpf(sigma), mp.mpf(mu)
    splits = [(k - mu) / sigma for k in kinks]
    if sigma > 1:  # features of phi on the x-scale 1 shrink to 1/sigma in z: panel them in x
        splits += [(k - mu) / sigma for k in range(-24, 25)]
    cutoff = tail() * widen

    def rule_sum(degree):
        nodes, weights = panel_rule(splits, cutoff, degree)
        return mp.fsum(w * func(mu + sigma * z) for z, w in zip(nodes, weights))

    return _with_estimate(rule_sum, dps)


def expect_2d(f, g, q1, q2, q12, dps, widen=1):
    """``(E[f(U) g(V)], error)`` for centred Gaussians with Var U = q1, Var V = q2, Cov = q12.

    ``f`` and ``g`` are :class:`CompiledPieces`; call inside ``workdps``.  ``widen``
    scales the tail cutoff for integrands that grow like exp(c x**2).
    """
    s1, s2 = mp.sqrt(q1), mp.sqrt(q2)
    rho = max(-1, min(1, q12 / (s1 * s2)))
    c = mp.sqrt(1 - rho * rho)
    fp, gp = f.breakpoints(), g.breakpoints()
    cutoff = tail() * widen
    if c == 0:
        return expect_1d(lambda u: f(u, fp) * g(rho * s2 / s1 * u, gp), s1, dps, kinks=fp + gp if rho == 0
                         else fp + [b * s1 / (s2 * rho) for b in gp], widen=widen)
    outer = [b / s1 for b in fp]
    if rho != 0:
        # V's kinks cross z2 = 0 at these z1; the conditional mean there varies on scale c/|rho|
        for b in gp:
            centre = b / (s2 * rho)
            outer += [centre + k * c / abs(rho) for k in (-4, -1, 0, 1, 4)]

    def rule_sum(degree):
        nodes, weights = panel_rule(outer, cutoff, degree)
        total = []
        for z1, w1 in zip(nodes, weights):
            mean = s2 * rho * z1
            inner_nodes, inner_weights = panel_rule([(b - mean) / (s2 * c) for b in gp], cutoff, degree)
            inner = mp.fsum(w2 * g(mean + s2 * c * z2, gp) for z2, w2 in zip(inner_nodes, inner_weights))
            total.append(w1 * f(s1 * z1, fp) * inner)
        return mp.fsum(total)

    return _with_estimate(rule_sum, dps, what="two-dimensional Gaussian integral")
