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
from ..bounded import is_zero
from ..calculus import decompose
from ..precision import check_dps, engine_call
from ..quantity import EXACT, INFINITE, NUMERIC
from .ball import Ball, Infinite, KEPT_DIGITS, NotCertified, _flint, _real, _refine
from .decay import decay_bound
from .translate import certified_value, translate

#: subintervals examined per piece before root isolation gives up
MAX_INTERVALS = 10000
#: split at this fraction of an interval, not its middle: a zero of phi'' at a dyadic
#: point (x = 0 for an odd phi) would otherwise sit on a split point at every level
SPLIT = sympy.Rational(29, 64)


def _from_quantity(q, what, dps):
    """The exact tier: a Ball or Infinite from a non-certified Quantity, None when it is numeric."""
    if q.status == EXACT:
        ball = certified_value(q.exact, dps)
        return Ball(ball.mid, ball.rad, f"exact: {q.method}, closed form in Arb ball arithmetic")
    if q.status == INFINITE:
        if not q.proved:
            raise NotCertified(f"{what} = oo was seen numerically ({q.method}), not proved")
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

    dps = check_dps(dps)
    expr = get_activation(phi).expr
    q = facts(expr).total_variation(dps)
    result = _from_quantity(q, "TV", dps)
    if result is not None:
        return result
    return _isolated_tv(expr, dps)


@engine_call
def certified_c(phi, dps=30):
    """``C(phi) = integral |phi - l|`` from a closed form, else certified quadrature between the
    isolated zeros of ``phi - l`` plus proven tail bounds; or Infinite; else NotCertified."""
    from ..facts import facts

    dps = check_dps(dps)
    expr = get_activation(phi).expr
    result = _from_quantity(facts(expr).areas(dps)[0], "C", dps)
    if result is not None:
        return result
    plus, minus = facts(expr).slopes(dps)
    if plus.status != EXACT or minus.status != EXACT:
        raise NotCertified("C: a slope has no closed form, so the asymptote l is not exact")
    return _isolated_c(expr, plus.exact, minus.exact, dps)


def _isolated_c(expr, plus, minus, dps):
    """integral |phi - l| on [-T, T] split at 0, the breakpoints and the isolated zeros of
    phi - l (acb.integral of phi - l between them, its absolute value summed), plus the tails
    ``[0, B]`` from a proven decay bound of phi - l."""
    pieces = decompose(expr)
    for b in pieces.breakpoints:
        if not (b.is_Rational and sympy.Integer(b.q) & (b.q - 1) == 0):
            raise NotCertified(f"C: the breakpoint {b} is not a binary fraction, so it cannot be a segment end")
    zero, work = sympy.Integer(0), []
    for piece in pieces.pieces:
        for lo, hi, slope, side in ((piece.lo, sympy.Min(piece.hi, zero), minus, -1),
                                    (sympy.Max(piece.lo, zero), piece.hi, plus, 1)):
            if not lo < hi:
                continue
            g, decay = piece.expr - slope * x, None
            if (lo if side < 0 else hi).is_infinite:
                decay = _tail_decay((g,), side, f"C: phi - l = {g}")
                g = decay.evaluation_form()  # phi - alpha x without the cancellation far out
            work.append((lo, hi, side, decay, translate(g, x), translate(sympy.diff(g, x), x)))
    reach = _reach(pieces)
    flint = _flint()
    acb, arb = flint.acb, flint.arb

    def evaluate():
        total, tol = arb(0), arb(2) ** -flint.ctx.prec
        for lo, hi, side, decay, f, df in work:
            if decay is not None:
                T, bound = _cut(decay, reach)
                lo, hi = (lo, sympy.Integer(T)) if side > 0 else (sympy.Integer(-T), hi)
                total += arb(0, bound.upper())  # integral of |phi - l| over the tail
            a, b = (_at(translate(end), arb(0), f"the segment end {end}") for end in (lo, hi))
            # a zero r in a box: splitting at the box's centre m instead of r changes each adjacent
            # integral by at most |r - m| sup_box |f| <= rad(box) sup_box |f|; a flat box [c, d]
            # (|f| <= 2^(16-prec) there) adds [0, (d - c) sup |f|] and ends a chain of segments
            chains, points = [], [(a, arb(0))]
            for box, simple in _zero_boxes(a, b, f, df, f"phi - l on [{lo}, {hi}]", flat=tol * 2 ** 16):
                sup = abs(_at(f, box, "phi - l"))
                if simple is None:
                    low, high = box.lower(), box.upper()
                    chains.append(points + [(low, arb(0))])
                    points = [(high, arb(0))]
                    total += arb(0, ((high - low) * sup).upper())
                    continue
                box = _newton(box, f, df) if simple else box
                points.append((box.mid(), (box.rad() * sup).upper()))
            chains.append(points + [(b, arb(0))])
            for chain in chains:
                for (p, ep), (q, eq) in zip(chain, chain[1:]):
                    if not p < q:
                        continue  # adjacent flat boxes
                    part = _real(acb.integral(lambda z, an: f(z, an), acb(p), acb(q), rel_tol=tol, abs_tol=tol),
                                 "the integral of phi - l")
                    total += abs(part + arb(0, (ep + eq).upper()))
        return total

    ball = _refine(evaluate, dps, "C by certified quadrature")
    return Ball.from_arb(ball, dps + KEPT_DIGITS,
                         "quadrature: acb.integral of phi - l between its isolated zeros on [-T, T], "
                         "tails [0, B] from a proven decay bound |phi - l| <= P(|x|) exp(-c |x|)")


# ------------------------------------------------------------- root isolation

def _tail_decay(candidates, side, what):
    """The first proven :class:`~symsig.certified.decay.Decay` among equal forms of one function."""
    reasons = []
    for g in candidates:
        try:
            return decay_bound(g, side)
        except NotCertified as exc:
            reasons.append(str(exc))
    raise NotCertified(f"{what}: {reasons[0]}")


def _segments(pieces):
    """``(lo, hi, expr, side)`` per piece, a piece over all of R split at 0 (each half is then
    evaluated in the form rewritten for its tail); ``side`` is that of an infinite end, else 0."""
    out, zero = [], sympy.Integer(0)
    for piece in pieces.pieces:
        lo, hi = piece.lo, piece.hi
        if not (lo.is_finite or hi.is_finite):
            out += [(lo, zero, piece.expr, -1), (zero, hi, piece.expr, 1)]
        else:
            out.append((lo, hi, piece.expr, 0 if hi.is_finite and lo.is_finite else (1 if lo.is_finite else -1)))
    return out


def _cut(decay, reach):
    """``(T, B)``: the tail start and the proven bound of the tail integral, below ``2^-prec``."""
    flint = _flint()
    return decay.cut(reach, flint.arb(2) ** -flint.ctx.prec)


def _reach(pieces):
    """The smallest tail start beyond every breakpoint."""
    return int(max([abs(b) for b in pieces.breakpoints], default=0)) + 2


def _isolated_tv(expr, dps):
    pieces = decompose(expr)
    if pieces.jumps():  # the exact tier saw no jump; kept as a guard for the sum below
        raise NotCertified("phi jumps")
    work = []
    for lo, hi, phi, side in _segments(pieces):
        slope = sympy.diff(phi, x)
        curvature = sympy.diff(slope, x)
        if is_zero(curvature):
            continue  # phi' constant on the piece
        decay = None
        if side:
            # an infinite end: |phi''| <= P(t) exp(-c t) proved on the tail, its integral bounds
            # the variation there; the rewritten form keeps phi'' accurate far out (no 1 - tanh^2)
            decay = _tail_decay((sympy.diff(slope, x), curvature), side, f"TV: phi'' = {curvature}")
            curvature = decay.evaluation_form()
        work.append((lo, hi, side, decay, translate(slope, x), translate(curvature, x),
                     translate(sympy.diff(curvature, x), x)))
    jumps = [translate(j) for j in pieces.diff().jumps().values()]
    reach = _reach(pieces)
    acb, arb = _flint().acb, _flint().arb
    cuts = set()

    def evaluate():
        total = arb(0)
        for j in jumps:
            total += abs(_real(j(acb(0), False), "a jump of phi'"))
        for lo, hi, side, decay, d1, d2, d3 in work:
            if decay is not None:
                T, bound = _cut(decay, reach)
                lo, hi = (lo, sympy.Integer(T)) if side > 0 else (sympy.Integer(-T), hi)
                total += arb(0, bound.upper())  # the variation on the tail lies in [0, bound]
                cuts.add(side * T)
            total += _piece_variation(lo, hi, d1, d2, d3)
        return total

    ball = _refine(evaluate, dps, "TV by root isolation")
    method = ("root isolation: zeros of phi'' isolated in Arb (ball sign tests, phi''' ball "
              "excluding 0, interval Newton), TV = sum |phi'(p_(i+1)) - phi'(p_i)| + |jumps of phi'|")
    if cuts:
        method += ("; on the tails a proven decay bound |phi''| <= P(|x|) exp(-c |x|), integrated "
                   "exactly, enters as [0, bound]")
    return Ball.from_arb(ball, dps + KEPT_DIGITS, method)


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
    points = [_at(d1, a, "phi' at a piece end")]
    for box, simple in _zero_boxes(a, b, d2, d3, f"phi'' on [{lo}, {hi}]"):
        points.append(_mean_value(_newton(box, d2, d3) if simple else box, d1, d2))
    points.append(_at(d1, b, "phi' at a piece end"))
    return sum((abs(q - p) for p, q in zip(points, points[1:])), flint.arb(0))


def _zero_boxes(a, b, f, df, what, flat=None):
    """Boxes covering every zero of f on [a, b] (arb ends), in order: ``(box, True)`` holds exactly
    one simple zero (f' excludes 0, proven opposite end signs); ``(box, False)`` is narrower than
    ``2^-(prec/2)``, f' excludes 0 there and it holds at most one zero (one on a piece end);
    with ``flat``, ``(box, None)``: the f ball lies in ``[-flat, flat]`` (f below the working
    precision far out on a tail, where its sign is not decided and need not be)."""
    flint = _flint()
    split = flint.arb(flint.fmpq(int(SPLIT.p), int(SPLIT.q)))
    stack, seen, boxes = [(a, b)], 0, []
    tiny = flint.arb(2) ** -(flint.ctx.prec // 2 + 8)
    while stack:
        left, right = stack.pop()
        seen += 1
        if seen > MAX_INTERVALS:
            raise NotCertified(f"the zeros of {what} were not isolated within {MAX_INTERVALS} "
                               "subintervals (a multiple zero, a singularity or too little precision)")
        whole = _interval(left, right)
        value = f(flint.acb(whole), False).real
        if _excludes_zero(value):
            continue
        if flat is not None and value.is_finite() and abs(value) <= flat:
            boxes.append((whole, None))
            continue
        if _excludes_zero(df(flint.acb(whole), False).real):
            s_left, s_right = (_at(f, end, what) for end in (left, right))
            if _excludes_zero(s_left) and _excludes_zero(s_right):
                if (s_left > 0) != (s_right > 0):
                    boxes.append((whole, True))
                continue
            if whole.rad() < tiny:  # at most one zero, maybe on an end (a zero at a piece end)
                boxes.append((whole, False))
                continue
        cut = (left.mid() + (right.mid() - left.mid()) * split).mid()
        stack += [(cut, right), (left, cut)]  # left first off the stack: roots in order
    return boxes


def _newton(box, f, df):
    """The one zero of f in ``box`` (f' excludes 0 there), narrowed by interval Newton
    ``box & (m - f(m) / f'(box))``."""
    for _ in range(200):
        m = box.mid()
        newton = m - _at(f, m, "the isolated function") / _at(df, box, "its derivative")
        if not newton.overlaps(box):
            raise NotCertified("interval Newton lost the zero it had proved")
        narrower = box.intersection(newton)
        if not narrower.rad() < box.rad():
            break
        box = narrower
    return box


def _mean_value(box, d1, d2):
    """A ball containing phi' on ``box``; tight (radius ~ rad^2) where phi'' vanishes in the box."""
    m = box.mid()
    return _at(d1, m, "phi'") + _at(d2, box, "phi''") * (box - m)
