"""Affine relations between activations: is ``psi(x) = c*phi(a*x + b) + d``?

Candidates for ``(a, b)`` come from structure: the kinks of piecewise
activations (exact), otherwise the inflection points of smooth ones (found
numerically, then recognised as exact numbers), with the scale from the ratio
``psi'''/psi' = a**2 phi'''/phi'`` at a single feature point.  ``(c, d)``
follow from values at two points.  A candidate is accepted only when the
identity is PROVED: ``psi - c*phi(a*x + b) - d`` simplifies to zero on every
smooth piece (SymPy steps on expressions within ``symsig.limits.MAX_SYMBOLIC_NODES``
nodes only), and agrees with zero at 50 digits at
several points as a sanity check.

>>> from symsig.activations import get_activation
>>> r = relate(get_activation("tanh").expr, get_activation("sigmoid").expr)
>>> r.a, r.b, r.c, r.d
(1/2, 0, 1/2, 1/2)
"""

from dataclasses import dataclass

import sympy

from ..activations import get_activation, parse_expression, x
from ..bounded import attempt
from ..calculus import decompose, kinks
from ..errors import ConvergenceError
from ..precision import engine_call, lambdify_mpmath, mp, workdps
from ..roots import NoSignChange, refine_root

WINDOW = 12
SAMPLES = (sympy.Rational(-7, 3), sympy.Rational(-1, 2), sympy.Rational(1, 5), sympy.Rational(5, 4),
           sympy.Rational(13, 4))


@dataclass(frozen=True)
class Relation:
    """``psi(x) = c*phi(a*x + b) + d`` with exact constants, and how it was proved."""

    phi: object
    psi: object
    a: object
    b: object
    c: object
    d: object
    proof: str

    def __str__(self):
        return (f"psi(x) = c*phi(a*x + b) + d with a = {self.a}, b = {self.b}, c = {self.c}, d = {self.d}\n"
                f"  phi = {self.phi}\n  psi = {self.psi}\n  proof: {self.proof}")

    def constants(self):
        return {"a": self.a, "b": self.b, "c": self.c, "d": self.d}


@engine_call
def relate(phi, psi, dps=50):
    """The constants of ``psi = c*phi(a*x + b) + d`` (a, c != 0) as a :class:`Relation`, or None.

    ``phi`` and ``psi`` are anything :func:`~symsig.activations.get_activation` accepts
    (names, strings, SymPy expressions in x).
    """
    phi, psi = get_activation(phi).expr, get_activation(psi).expr
    for a, b in _scale_shift_candidates(phi, psi, dps):
        cd = _offset_and_gain(phi, psi, a, b, dps)
        if cd is None:
            continue
        proof = prove_relation(phi, psi, a, b, *cd)
        if proof:
            return Relation(phi, psi, a, b, cd[0], cd[1], proof)
    return None


@engine_call
def prove_relation(phi, psi, a, b, c, d, dps=50):
    """A sentence saying how the identity was proved, or None if it is not proved."""
    difference = psi - (c * phi.xreplace({x: a * x + b}) + d)
    if not _numerically_zero(difference, dps):
        return None
    pieces = attempt(decompose, difference)
    if pieces is None:
        return None
    for piece in pieces.pieces:
        if not _simplifies_to_zero(piece.expr):
            return None
    return (f"psi - (c*phi(a*x + b) + d) simplifies to 0 on each of its {len(pieces.pieces)} smooth "
            f"piece(s); checked at {len(SAMPLES)} points to {dps} digits")


def _exponential_normal_form(expr):
    """Hyperbolic functions as exponentials, then one rational function: 0 exactly when the
    expression is 0 as a rational function of exponentials (tanh(x/2)/2 + 1/2 - sigmoid)."""
    return sympy.cancel(sympy.together(sympy.expand(expr.rewrite(sympy.exp))))


def _simplifies_to_zero(expr):
    """Terminating normal forms first; ``simplify`` (seconds on hyperbolic input) only after."""
    if expr == 0:
        return True
    for transform in (sympy.expand, _exponential_normal_form, sympy.simplify,
                      lambda e: sympy.simplify(e.rewrite(sympy.exp))):
        if attempt(transform, expr) == 0:
            return True
    return False


def _numerically_zero(expr, dps):
    f = lambdify_mpmath(x, expr)
    with workdps(dps):
        for point in SAMPLES:
            try:
                value = f(mp.mpf(point.p) / point.q)
            except (ZeroDivisionError, ValueError, OverflowError):
                return False
            if abs(value) > mp.mpf(10) ** (-dps + 5):
                return False
    return True


def _offset_and_gain(phi, psi, a, b, dps):
    """(c, d) from psi at two sample points where phi(a*x + b) differs, recognised as exact numbers."""
    shifted = phi.xreplace({x: a * x + b})
    with workdps(dps):
        f, g = lambdify_mpmath(x, shifted), lambdify_mpmath(x, psi)
        pts = [mp.mpf(p.p) / p.q for p in SAMPLES]
        try:
            values = [(f(p), g(p)) for p in pts]
        except (ZeroDivisionError, ValueError, OverflowError):
            return None
        for (f1, g1), (f2, g2) in zip(values, values[1:]):
            if abs(f1 - f2) > mp.mpf(10) ** (-dps // 2):
                c = (g1 - g2) / (f1 - f2)
                d = g1 - c * f1
                # psi = c*f + d must hold at every sample before PSLQ (seconds when it fails) is tried
                tolerance = mp.mpf(10) ** (-dps // 2)
                if any(abs(gv - c * fv - d) > tolerance * max(1, abs(gv)) for fv, gv in values):
                    return None
                exact = [_recognise(v, dps) for v in (c, d)]
                return None if None in exact or exact[0] == 0 else tuple(exact)
    return None


def _recognise(value, dps):
    """An exact number equal to ``value`` to about dps - 10 digits (rationals, square roots, pi, log 2).

    Call inside ``workdps(dps)``."""
    if abs(value) < mp.mpf(10) ** (-dps + 10):
        return sympy.Integer(0)
    # constants as values: given as names, identify would eval them
    found = mp.identify(value, {"pi": mp.pi, "log(2)": mp.log(2)}, tol=mp.mpf(10) ** (-dps + 10))
    if found is None:
        return None
    return parse_expression(found, {}, what="the recognised constant")  # exact already


def _scale_shift_candidates(phi, psi, dps):
    seen = set()
    for pair in [*_kink_candidates(phi, psi), *_feature_candidates(phi, psi, dps), (1, 0), (-1, 0)]:
        if pair is not None and pair not in seen and pair[0] != 0:
            seen.add(pair)
            yield pair


def _kink_candidates(phi, psi):
    kp, kq = attempt(kinks, phi), attempt(kinks, psi)
    if not kp or not kq or len(kp) != len(kq):
        return []
    out = []
    for sign, order in ((1, kq), (-1, kq[::-1])):
        if len(kp) >= 2:
            a = (kp[1] - kp[0]) / (order[1] - order[0])
        else:
            a = sympy.Integer(sign)
        if (a > 0) == (sign > 0):
            out.append((sympy.nsimplify(a), sympy.nsimplify(kp[0] - a * order[0])))
    return out


def _feature_points(expr, dps):
    """Inflection points of expr in [-WINDOW, WINDOW]: sign changes of expr'' on a grid of
    step 1/8, each refined to dps digits by :func:`symsig.roots.refine_root`."""
    second = lambdify_mpmath(x, sympy.diff(expr, x, 2))
    roots = []
    with workdps(dps):
        grid = [mp.mpf(k) / 8 for k in range(-8 * WINDOW, 8 * WINDOW + 1)]
        try:
            values = [second(p) for p in grid]
        except (ZeroDivisionError, ValueError, OverflowError, TypeError, NameError):
            return []
        for (p, v), (q, w) in zip(zip(grid, values), zip(grid[1:], values[1:])):
            if v == 0:
                roots.append(p)
            elif v * w < 0:
                try:
                    roots.append(refine_root(second, p, q, dps))
                except (NoSignChange, ConvergenceError, ValueError, ZeroDivisionError):
                    continue
    return roots


def _feature_candidates(phi, psi, dps):
    if any(e.has(sympy.Piecewise, sympy.Max, sympy.Min, sympy.Abs, sympy.Heaviside, sympy.sign)
           for e in (phi, psi)):
        return []
    fp, fq = _feature_points(phi, dps), _feature_points(psi, dps)
    if not fp or len(fp) != len(fq):
        return []
    out = []
    with workdps(dps):
        if len(fp) >= 2:
            for order in (fq, fq[::-1]):
                a = (fp[-1] - fp[0]) / (order[-1] - order[0])
                out.append((a, fp[0] - a * order[0]))
        else:
            ratio_p, ratio_q = _derivative_ratio(phi, fp[0]), _derivative_ratio(psi, fq[0])
            if ratio_p and ratio_q and ratio_q / ratio_p > 0:
                scale = mp.sqrt(ratio_q / ratio_p)
                out += [(s * scale, fp[0] - s * scale * fq[0]) for s in (1, -1)]
        exact = [(_recognise(a, dps), _recognise(b, dps)) for a, b in out]
    return [pair for pair in exact if None not in pair]


def _derivative_ratio(expr, point):
    """phi'''(p)/phi'(p) at a feature point (scales as a**2 under x -> a*x + b)."""
    first = lambdify_mpmath(x, sympy.diff(expr, x))(point)
    third = lambdify_mpmath(x, sympy.diff(expr, x, 3))(point)
    return third / first if first != 0 and abs(third) > mp.eps ** 0.5 else None


@engine_call
def carry_signature(relation, names=("m1", "g1", "g2", "m2", "eta", "alpha_plus", "alpha_minus", "TV", "C"),
                    sigma=1, mu=0, dps=30):
    """psi's components carried from phi's through the laws, each checked against a direct computation.

    Returns ``{name: LawCheck}``; ``check.via_law`` is the carried value (exact where phi's is).
    """
    from . import affine_law
    return {name: affine_law(name).verify(relation.phi, sigma=sigma, mu=mu, dps=dps, **relation.constants())
            for name in names}
