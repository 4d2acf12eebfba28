"""Certified slopes alpha+-, TV(phi') and C(phi): a Ball, a proven infinity, or a refusal.

* **exact tier**: where symsig's exact engine has a closed form (limits for the slopes,
  exact critical points for TV, exact areas for C), it is evaluated in Arb
  (:func:`~symsig.certified.translate.certified_value`); an infinity decided symbolically
  (phi jumps, a limit +-oo, the oscillation and tail theorems of :mod:`symsig.regularity`)
  is returned as :class:`Infinite`.
* **root-isolation tier** for TV(phi') without a closed form: on each bounded piece the
  zeros of phi'' are isolated in ball arithmetic (a subinterval where the phi'' ball
  excludes 0 has none; where the phi''' ball excludes 0, phi'' is strictly monotone, so
  opposite proven signs at the ends mean exactly one simple zero, refined by interval
  Newton); phi' is monotone between consecutive zeros, so TV on the piece is
  ``sum |phi'(p_(i+1)) - phi'(p_i)|`` over the piece ends and the zeros, plus the exact
  jumps of phi' at the kinks.  A box narrower than ``2^-(prec/2)`` with at most one zero
  whose end signs are not proven (a zero at a piece end) enters as the mean-value ball
  ``P = phi'(m) + phi''(box) (box - m)`` containing phi' on the box: the true variation
  there is ``|p - phi'(lo)| + |phi'(hi) - p|`` for some p in P.  A piece on an infinite interval must have phi'' = 0
  exactly: no bound of |phi''| on a tail is proved yet, so such a TV refuses.

>>> import sympy
>>> from symsig.activations import x
>>> str(certified_total_variation(sympy.tanh(x), dps=20))
'[2 +/- 0]'
>>> str(certified_c(sympy.tanh(x), dps=20))
'+oo (proved: tail analysis: phi - l is not integrable)'
"""

import sympy

from ..activations import get_activation, x
from ..calculus import decompose
from ..precision import check_dps, engine_call
from ..quantity import EXACT, INFINITE, NUMERIC
from .ball import Ball, Infinite, KEPT_DIGITS, NotCertified, _flint, _real, _refine
from .translate import certified_value, translate

#: subintervals examined per piece before root isolation gives up
MAX_INTERVALS = 10000
#: split at this fraction of an interval, not its middle: a zero of phi'' at a dyadic
#: point (x = 0 for an odd phi) would otherwise sit on a split point at every level
SPLIT = sympy.Rational(29, 64)
#: methods of the non-certified functionals whose infinite verdict is a symbolic proof
SYMBOLIC_INFINITY = ("symbolic limit", "phi jumps", "singularity analysis", "oscillation analysis",
                     "tail analysis")


def _from_quantity(q, what, dps):
    """The exact tier: a Ball or Infinite from a non-certified Quantity, None when it is numeric."""
    if q.status == EXACT:
        ball = certified_value(q.exact, dps)
        return Ball(ball.mid, ball.rad, f"exact: {q.method}, closed form in Arb ball arithmetic")
    if q.status == INFINITE:
        if not q.method.startswith(SYMBOLIC_INFINITY):
            raise NotCertified(f"{what} = oo was decided numerically ({q.method}), not proved")
        return Infinite(1 if q.value > 0 else -1, q.reason or q.method, q.method)
    if q.status == NUMERIC:
        return None
    raise NotCertified(f"{what} is undefined: {q.reason or q.method}")


@engine_call
def certified_slope(phi, side, dps=30):
    """``alpha_plus`` (``side = 1``) or ``alpha_minus`` (``side = -1``): Ball or Infinite."""
    from ..facts import facts

    dps = check_dps(dps)
    plus, minus = facts(get_activation(phi).expr).slopes(dps)
    what = "alpha_plus" if side > 0 else "alpha_minus"
    result = _from_quantity(plus if side > 0 else minus, what, dps)
    if result is None:
        raise NotCertified(f"{what} has no closed form (a numeric limit is not a proof)")
    return result


def certified_slopes(phi, dps=30):
    """``(alpha_plus, alpha_minus)``, each a Ball or Infinite (NotCertified if either refuses)."""
    return certified_slope(phi, 1, dps), certified_slope(phi, -1, dps)


@engine_call
def certified_total_variation(phi, dps=30):
    """``TV(phi')`` as a Ball (closed form, else root isolation in Arb) or Infinite."""
    from ..facts import facts
    from ..regularity import slope_values

    dps = check_dps(dps)
    expr = get_activation(phi).expr
    q = facts(expr).total_variation(dps)
    if q.status == INFINITE and q.method == "phi' is unbounded" and slope_values(expr, dps)[1]:
        return Infinite(1, "phi' is unbounded: a limit of phi' at an end, found exactly, is infinite", q.method)
    result = _from_quantity(q, "TV", dps)
    if result is not None:
        return result
    return _isolated_tv(expr, dps)


@engine_call
def certified_c(phi, dps=30):
    """``C(phi) = integral |phi - l|`` from a closed form, or Infinite; else NotCertified."""
    from ..facts import facts

    dps = check_dps(dps)
    result = _from_quantity(facts(get_activation(phi).expr).areas(dps)[0], "C", dps)
    if result is None:
        raise NotCertified("C has no closed form here; a certified quadrature of |phi - l| would need "
                           "a proven decay bound of phi - l on the tails, which is not implemented")
    return result


# ------------------------------------------------------------- root isolation

def _isolated_tv(expr, dps):
    pieces = decompose(expr)
    if pieces.jumps():  # the exact tier saw no jump; kept as a guard for the sum below
        raise NotCertified("phi jumps")
    work = []
    for piece in pieces.pieces:
        slope = sympy.diff(piece.expr, x)
        curvature = sympy.simplify(sympy.diff(slope, x))
        if curvature == 0:
            continue  # phi' constant on the piece
        if not (piece.lo.is_finite and piece.hi.is_finite):
            raise NotCertified(f"TV: phi'' = {curvature} is not 0 on the infinite piece ({piece.lo}, {piece.hi}); "
                               "no bound of |phi''| on a tail is proved, so its variation is not certified")
        work.append((piece.lo, piece.hi, translate(slope, x), translate(curvature, x),
                     translate(sympy.diff(curvature, x), x)))
    jumps = [translate(j) for j in pieces.diff().jumps().values()]
    acb = _flint().acb

    def evaluate():
        total = _flint().arb(0)
        for j in jumps:
            total += abs(_real(j(acb(0), False), "a jump of phi'"))
        for lo, hi, d1, d2, d3 in work:
            total += _piece_variation(lo, hi, d1, d2, d3)
        return total

    ball = _refine(evaluate, dps, "TV by root isolation")
    return Ball.from_arb(ball, dps + KEPT_DIGITS,
                         "root isolation: zeros of phi'' isolated in Arb (ball sign tests, phi''' ball "
                         "excluding 0, interval Newton), TV = sum |phi'(p_(i+1)) - phi'(p_i)| + |jumps of phi'|")


def _at(func, ball, what):
    return _real(func(_flint().acb(ball), False), what)


def _interval(lo, hi):
    """The smallest ball containing the balls lo and hi (lo left of hi)."""
    flint = _flint()
    low, high = lo.lower(), hi.upper()
    return flint.arb((low + high).mid() / 2, ((high - low) / 2).upper())


def _excludes_zero(ball):
    return ball.is_finite() and not ball.contains(0)


def _piece_variation(lo, hi, d1, d2, d3):
    """TV of phi' on [lo, hi]: its zeros of phi'' isolated, then the monotone sum."""
    flint = _flint()
    a, b = (_at(translate(end), flint.arb(0), f"the piece end {end}") for end in (lo, hi))
    split = flint.arb(flint.fmpq(int(SPLIT.p), int(SPLIT.q)))
    points = [_at(d1, a, "phi' at a piece end")]
    stack, seen = [(a, b)], 0
    tiny = flint.arb(2) ** -(flint.ctx.prec // 2 + 8)
    while stack:
        left, right = stack.pop()
        seen += 1
        if seen > MAX_INTERVALS:
            raise NotCertified(f"TV: the zeros of phi'' on [{lo}, {hi}] were not isolated within "
                               f"{MAX_INTERVALS} subintervals (a multiple zero, a singularity or too "
                               "little precision)")
        whole = _interval(left, right)
        if _excludes_zero(d2(flint.acb(whole), False).real):
            continue
        if _excludes_zero(d3(flint.acb(whole), False).real):
            s_left, s_right = (_at(d2, end, "phi''") for end in (left, right))
            if _excludes_zero(s_left) and _excludes_zero(s_right):
                if (s_left > 0) != (s_right > 0):
                    points.append(_slope_at_root(whole, d1, d2, d3))
                continue
            if whole.rad() < tiny:  # at most one zero, maybe on an end (a zero at a piece end)
                points.append(_mean_value(whole, d1, d2))
                continue
        cut = (left.mid() + (right.mid() - left.mid()) * split).mid()
        stack += [(cut, right), (left, cut)]  # left first off the stack: roots in order
    points.append(_at(d1, b, "phi' at a piece end"))
    return sum((abs(q - p) for p, q in zip(points, points[1:])), flint.arb(0))


def _slope_at_root(box, d1, d2, d3):
    """phi' at the one zero r of phi'' in ``box`` (phi''' excludes 0 there): interval Newton
    ``box & (m - phi''(m) / phi'''(box))`` narrows the box; then the mean-value form
    encloses phi'(r)."""
    for _ in range(200):
        m = box.mid()
        newton = m - _at(d2, m, "phi''") / _at(d3, box, "phi'''")
        if not newton.overlaps(box):
            raise NotCertified("TV: interval Newton lost the zero of phi'' it had proved")
        narrower = box.intersection(newton)
        if not narrower.rad() < box.rad():
            break
        box = narrower
    return _mean_value(box, d1, d2)


def _mean_value(box, d1, d2):
    """A ball containing phi' on ``box``; tight (radius ~ rad^2) where phi'' vanishes in the box."""
    m = box.mid()
    return _at(d1, m, "phi'") + _at(d2, box, "phi''") * (box - m)
