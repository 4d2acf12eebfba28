"""Regularity functionals on the whole line: TV(phi'), Lip(phi), C(phi), B(phi).

* ``TV(phi')``: on each smooth piece, phi' is monotone between the sign changes
  of phi'', so the variation is a finite sum of |phi'(r_{j+1}) - phi'(r_j)| over
  the critical points of phi' (plus the piece ends and the limits at +-oo),
  plus |jump of phi'| at every kink; ``+oo`` when phi itself jumps.  No
  integral of |phi''| is needed, and a root error only enters to second order.
  ``+oo`` also, by theorem, when phi' is unbounded or has no limit at an infinite end
  (sin x), or phi'' oscillates there no faster than 1/x (sin(x)/x).
* ``Lip(phi) = sup |phi'|``: the largest |phi'| at the same points.
* ``C = integral |phi - l|`` and ``B = integral (phi - l)``, ``l`` the asymptotic
  lines through the origin; finiteness is decided from the tails (limits, and for
  an oscillating phi - l Barbalat's lemma and the mean over a period), not from a
  quadrature that happens to stop.

Roots are exact when SymPy finds them (a polynomial in x, or in one function of x)
and they account for every sign change seen numerically; else they are bracketed
by :func:`bracket_scan` (signs decided at working precision) and refined by
:func:`symsig.roots.refine_root`.

>>> from symsig.activations import x
>>> import sympy
>>> tv = total_variation(sympy.tanh(x), dps=20)
>>> tv.exact, tv.method
(2, 'critical points of phi (exact)')
"""

import math
from functools import lru_cache

import sympy
from sympy import oo

from .activations import x
from .bounded import attempt, simplify
from .calculus import (MAX_EXTRA_DIGITS, decide_nonzero, decompose, leading_oscillation, numeric_limit,
                       oscillation, stable_value, symbolic_limit)
from .errors import ConvergenceError
from .exact import definite_integral
from .precision import engine_call, lambdify_mpmath, mp, REAL, workdps
from .quadrature import integrate
from .quantity import Quantity, without_cancellation
from .singularities import SingularityUnknown, singular_divergences, unbounded_near
from .roots import NoSignChange, refine_root

GRID_HALF_WIDTH = 40  # roots of phi'' / phi - l are bracketed on [-40, 40] ...
GRID_POINTS_PER_UNIT = 8  # ... at this density, and on a geometric grid beyond
SCAN_DIGITS = 15
CHECK_DIGITS = 20  # a sign is decided when evaluations this many digits apart agree on it


@lru_cache(maxsize=1024)
def _limit(expr, point):
    value = symbolic_limit(expr, point)
    return None if isinstance(value, sympy.AccumBounds) else value


def _grid(lo, hi, samples=None):
    """Sample points (mpf) in the open interval (lo, hi): fine near 0, geometric far out;
    ``samples`` equal steps instead (for one period of a periodic function)."""
    if samples is not None:
        lo, hi = _to_mpf(lo), _to_mpf(hi)
        return [lo + (hi - lo) * k / samples for k in range(1, samples)]
    step = mp.mpf(1) / GRID_POINTS_PER_UNIT
    near = [k * step for k in range(-GRID_HALF_WIDTH * GRID_POINTS_PER_UNIT,
                                    GRID_HALF_WIDTH * GRID_POINTS_PER_UNIT + 1)]
    far = [mp.ldexp(1, k) for k in range(6, 11)]  # exp(exp(t)) is still representable
    points = [-p for p in reversed(far)] + near + far
    lo, hi = _to_mpf(lo), _to_mpf(hi)
    return [p for p in points if lo < p < hi]


def bracket_scan(points, sign_at):
    """Brackets ``(a, b)`` of neighbouring samples whose signs are decided and opposite.

    The one sign-change scan of symsig's root finding: ``sign_at(t)`` is +1 or -1 when
    the sign of f(t) is decided at working precision, 0 when it is not (f(t) is 0,
    below its own rounding or quadrature error, or not computable).  Undecided
    samples are skipped, so a sign seen only in rounding noise never makes a bracket;
    each bracket is then refined by :func:`~symsig.roots.refine_root`.

    >>> bracket_scan([-2, -1, 0, 1, 2], lambda t: (t > 0) - (t < 0))
    [(-1, 1)]
    """
    brackets, previous = [], None
    for t in points:
        sign = sign_at(t)
        if sign == 0:
            continue
        if previous is not None and previous[1] != sign:
            brackets.append((previous[0], t))
        previous = (t, sign)
    return brackets


def _sign_at(func, t, working):
    """The sign of func(t) when two evaluations about ``CHECK_DIGITS`` apart agree on it, else 0.

    Tried in double precision against SCAN_DIGITS + CHECK_DIGITS digits first (a sign
    needs few digits, and a double costs a fraction of an mpf evaluation), then at the
    ``working`` digits against CHECK_DIGITS more; call inside the working context, whose
    precision is changed temporarily.
    """
    for digits in (None, working):
        try:
            if digits is None:
                low = _double(func, t)
                if low is None:
                    continue
                digits = SCAN_DIGITS
            else:
                with mp.workdps(digits):
                    low = mp.mpf(func(t))
            with mp.workdps(digits + CHECK_DIGITS):
                high = mp.mpf(func(t))
        except (ZeroDivisionError, ValueError, OverflowError, TypeError, ConvergenceError):
            # TypeError: a complex value (outside the real domain of an ML series);
            # ConvergenceError: an ML value with no digits (E_{1/2,0}(0) = 1/Gamma(0) = 0)
            return 0
        if high != 0 and abs(high - low) < abs(high) / 2:
            return 1 if high > 0 else -1
    return 0


def _double(func, t):
    """func(t) as a finite real float, or None (overflow, a complex value, no float code)."""
    try:
        value = func.in_floats(t)
    except Exception:  # any failure of the double-precision look only sends t to the mpf attempt
        return None
    return value if isinstance(value, float) and math.isfinite(value) else None


def _sign_changes(expr, lo, hi, dps, samples=None):
    """Numeric roots (mpf) of a smooth expr in (lo, hi) where it changes sign.

    A run of samples whose sign is not decided even at the working precision has
    ``|expr|`` below its rounding error there; a root pair hidden in it moves an
    integral of ``expr`` (the variation of phi' when expr = phi'') by no more than
    that error times the run's length.
    """
    if expr == 0:
        return []
    func = lambdify_mpmath(x, without_cancellation(expr))
    roots = []
    with workdps(dps) as ctx:
        digits = ctx.dps
        for a, b in bracket_scan(_grid(lo, hi, samples), lambda t: _sign_at(func, t, digits)):
            try:
                roots.append(refine_root(func, a, b, digits))
            except (NoSignChange, ZeroDivisionError, ValueError, OverflowError):
                raise ConvergenceError(f"the sign change of {expr} in ({mp.nstr(a, 8)}, {mp.nstr(b, 8)}) "
                                       "could not be refined") from None
    return roots


#: functions that take each value at most once, with their inverse and range: a polynomial
#: in one of them, of a linear argument, has exactly the roots read off through the inverse
#: (unlike sin, whose roots repeat)
_INVERSES = {
    sympy.exp: (sympy.log, lambda u: u > 0),
    sympy.tanh: (sympy.atanh, lambda u: abs(u) < 1),
    sympy.erf: (sympy.erfinv, lambda u: abs(u) < 1),
    sympy.erfc: (sympy.erfcinv, lambda u: 0 < u < 2),
    sympy.atan: (sympy.tan, lambda u: abs(u) < sympy.pi / 2),
    sympy.sinh: (sympy.asinh, lambda u: True),
    sympy.asinh: (sympy.sinh, lambda u: True),
}


@lru_cache(maxsize=1024)
def _exact_roots(expr, lo, hi):
    """Real roots of expr in (lo, hi) from its factors: ``(roots, complete)``, or None when
    a factor resists.  ``complete`` says that no other root exists.

    Factors of fixed sign have none; a polynomial in x goes to ``real_roots``; a
    polynomial in one injective function of a linear argument (``tanh(x)**2 - 1/4``,
    ``exp(-x) - 1``) to ``real_roots`` in that function and its inverse (all roots); a
    polynomial in another function (sin x) to ``solve`` (some roots).  A factor that mixes x with transcendental functions (Swish's
    ``x*exp(-x) + ...``) has no closed-form roots worth a search, so ``solve``, whose
    running time has no bound there, is not attempted.
    """
    roots, complete = set(), True
    for factor in sympy.Mul.make_args(sympy.factor_terms(sympy.together(expr))):
        base = factor.base if factor.is_Pow and factor.exp.is_positive else factor
        if not base.has(x) or base.is_positive or base.is_negative:
            continue
        poly = attempt(sympy.Poly, base)
        if poly is None or len(poly.gens) != 1:
            return None
        gen = poly.gens[0]
        found = (attempt(sympy.real_roots, poly) if gen == x else
                 _through_inverse(gen, poly) if gen.func in _INVERSES else None)
        if found is None and gen != x:
            found = attempt(sympy.solve, base, x)
            complete = False
        if found is None:
            return None
        roots.update(r for r in found if r.is_real)
    return sorted((r for r in roots if lo < r < hi), key=float), complete


def _linear(expr):
    return expr.is_polynomial(x) and sympy.degree(expr, x) == 1


def _through_inverse(gen, poly):
    """Real x with g(v(x)) = u for the real roots u of a polynomial in g = ``gen``
    (``real_roots`` in u, then g's inverse: exact, where ``solve`` spends minutes on the
    radicals of a cubic).  None when SymPy cannot isolate the roots, or when v is not
    linear and some u is in g's range; no x at all when none is (tanh(log(1 + e^x)) - 1)."""
    inverse, in_range = _INVERSES[gen.func]
    roots = attempt(sympy.real_roots, sympy.Poly(poly.all_coeffs(), sympy.Dummy("u")))
    if roots is None:
        return None
    reached = [u for u in roots if in_range(u)]
    if not reached:
        return []
    if not _linear(gen.args[0]):
        return None
    (a, b) = sympy.Poly(gen.args[0], x).all_coeffs()
    return [(inverse(u) - b) / a for u in reached]


def _between(roots, lo, hi):
    """One exact point in each gap of (lo, hi) left by the sorted ``roots``."""
    ends = [lo, *roots, hi]
    points = []
    for a, b in zip(ends, ends[1:]):
        if a == -oo:
            points.append(sympy.floor(b) - 1 if b != oo else sympy.Integer(0))
        elif b == oo:
            points.append(sympy.ceiling(a) + 1)
        else:
            points.append((a + b) / 2)
    return points


def _changes_at(expr, roots, lo, hi, dps):
    """The roots where expr changes sign, read from its signs between them (all roots
    known), or None when a sign is not decided."""
    func = lambdify_mpmath(x, without_cancellation(expr))
    with workdps(dps) as ctx:
        signs = [_sign_at(func, mp.mpf(sympy.N(t, ctx.dps)), ctx.dps) for t in _between(roots, lo, hi)]
    if 0 in signs:
        return None
    return tuple(r for r, left, right in zip(roots, signs, signs[1:]) if left != right)


@lru_cache(maxsize=512)
def _critical_points(expr, lo, hi, dps, samples=None):
    """Sign changes of ``expr`` in (lo, hi): ``(points, exact)`` with exact SymPy points if possible."""
    exact = _exact_roots(expr, lo, hi)
    if exact is not None and exact[1]:
        # every root is known: the signs between them decide, no scan needed
        changes = _changes_at(expr, exact[0], lo, hi, dps)
        if changes is not None:
            return changes, True
    numeric = _sign_changes(expr, lo, hi, dps, samples)
    if exact is not None:
        # a root of even multiplicity is no sign change: keep the exact roots that match
        with workdps(dps):
            kept = [e for e in exact[0] if any(
                abs(mp.mpf(sympy.N(e, mp.dps)) - n) < mp.mpf(10) ** (-dps // 2) for n in numeric)]
            matched = len(kept) == len(numeric) and all(
                abs(mp.mpf(sympy.N(e, mp.dps)) - n) < mp.mpf(10) ** (-dps // 2)
                for e, n in zip(kept, numeric))
        if matched:
            return tuple(kept), True
    return tuple(numeric), False


@engine_call
@lru_cache(maxsize=256)
def slope_values(phi, dps=30, one_period=False):
    """Values of phi' along R at the points where its monotonicity may change.

    Returns ``(values, exact, reason)``: values is the list of phi' at -oo,
    piece ends, critical points and +oo in order (SymPy numbers, ``oo``/``-oo``
    where phi' is unbounded at an end), with kink jumps included as consecutive
    entries; ``exact`` says whether all of them are exact; ``values`` is None with
    the ``reason`` when phi' has no limit at an end.  phi' is monotone between
    neighbours, so TV(phi'), sup |phi'| and the range of phi' all read from this one
    list (call it for phi without jumps and with phi' bounded near finite points).

    ``one_period``: where phi' is periodic on an infinite end piece (cos x), that piece
    contributes one period instead of a limit; the values then still span the range of
    phi' (its sup and inf), but no longer its variation.

    >>> import sympy
    >>> from symsig.activations import x
    >>> slope_values(sympy.tanh(x), dps=15)
    ([0, 1, 0], True, None)
    >>> slope_values(sympy.sin(x), dps=15, one_period=True)
    ([1, -1, 1], True, None)
    """
    pieces = decompose(phi)
    values, exact = [], True
    for index, piece in enumerate(pieces.pieces):
        slope_expr = sympy.diff(piece.expr, x)
        lo, hi, samples = _one_period(slope_expr, piece.lo, piece.hi) if one_period else (piece.lo, piece.hi, None)
        roots, roots_exact = _critical_points(sympy.diff(slope_expr, x), lo, hi, dps, samples)
        exact &= roots_exact
        ends = []
        for end in (lo, hi):
            if end not in (piece.lo, piece.hi):  # the end of one period: phi' is continuous there
                ends.append(slope_expr.subs(x, end))
            elif end in (oo, -oo):
                limit = _limit(slope_expr, end)
                if limit is None:
                    exact = False
                    limit = _numeric_end(slope_expr, end, dps)
                ends.append(limit)
            else:
                ends.append(pieces.diff().one_sided(index, end))
        if None in ends:
            return None, False, "phi' has no limit at an end of a piece"
        values.append(ends[0])
        for r in roots:
            values.append(slope_expr.subs(x, r) if roots_exact else
                          _eval_at(slope_expr, r, dps))
        values.append(ends[1])
    return values, exact, None


SAMPLES_PER_HARMONIC = 32  # one period of a trigonometric polynomial of degree M is scanned at 32 M points


def _one_period(slope_expr, lo, hi):
    """``(lo, hi, samples)``: an infinite end of the piece (lo, hi) on which ``slope_expr`` is
    periodic replaced by one period from the other end (from 0 on the whole line), with
    the number of scan points; ``(lo, hi, None)`` when no end is."""
    for end in (hi, lo):
        osc = oscillation(slope_expr, 1 if end == oo else -1) if end in (oo, -oo) else None
        if osc is not None and osc.degree == 0 and osc.exact_periodic and not osc.constant:
            # a trigonometric polynomial of degree M has at most 2 M zeros in a period
            samples = SAMPLES_PER_HARMONIC * max(abs(n) for n in osc.fourier)
            start = 0 if (lo, hi) == (-oo, oo) else (lo if hi == oo else hi - osc.period)
            return start, start + osc.period, samples
    return lo, hi, None


def _numeric_end(expr, end, dps):
    value = numeric_limit(expr, 1 if end == oo else -1, dps)
    if value.status == "infinite":
        return oo if value.value > 0 else -oo
    return sympy.Float(value.value, dps + 10) if value.is_finite else None


def _eval_at(expr, point, dps):
    with workdps(dps):
        return sympy.Float(mp.mpf(lambdify_mpmath(x, expr)(point)), mp.dps)


def _from_slopes(phi, dps, reduce, variation):
    """A functional of the sequence of phi' values (see :func:`slope_values`): TV(phi') when
    ``variation``, else the range of phi' (one period of a periodic end suffices)."""
    if decompose(phi).jumps():
        return Quantity.infinite(1, "phi jumps: phi' carries a Dirac mass", dps)
    try:
        point = unbounded_near(decompose(phi).diff())
    except SingularityUnknown:
        point = None
    if point is not None:
        return Quantity.infinite(1, "singularity analysis", dps, reason=f"phi' is unbounded near x = {point}")
    decided = _oscillating_slope(phi, variation, dps)
    if decided is not None:
        return decided
    values, exact, reason = slope_values(phi, dps, one_period=not variation)
    if values is None:
        return Quantity.undefined(reason, "critical points of phi", dps)
    if any(v.is_infinite for v in values):  # proved when every value is (limits, exact roots)
        return Quantity.infinite(1, "phi' is unbounded", dps, proved=exact, reason=(
            "a limit of phi' at an end is infinite" + (", found exactly" if exact else " (numerically)")))
    if exact:
        return Quantity.from_exact(simplify(reduce(values)), "critical points of phi (exact)", dps)
    return _numeric_sum(reduce(values), "critical points of phi (numeric roots)", dps)


def _oscillating_slope(phi, variation, dps):
    """TV(phi') or sup |phi'| where phi' or phi'' oscillates at an infinite end, with the theorem;
    None where neither does (or this is undecided) and the critical points decide.

    * A function of bounded variation on a half-line [a, oo) is the difference of two bounded
      monotone functions, so it is bounded and has a limit at oo.  Contrapositive: TV(phi') =
      +oo when phi' has no limit at an infinite end or is unbounded there (and an unbounded
      phi' has sup |phi'| = +oo).
    * phi'' = x**-p (Q(x) + o(1)) with Q periodic and not constant: TV(phi') = integral |phi''|
      = +oo for p <= 1 (|Q| has a positive mean m and integral (m/2) x**-p dx diverges);
      for p >= 2 phi' has critical points accumulating at infinity, which no finite scan
      locates, so TV and sup |phi'| are not decided.
    The oscillations are proved by :func:`symsig.calculus.oscillation` (exact Fourier
    coefficients), not by sampling.
    """
    pieces = decompose(phi).pieces
    undecided = None  # an infinite answer at the other end still decides
    for piece, end in ((pieces[-1], oo), (pieces[0], -oo)):
        slope_expr = sympy.diff(piece.expr, x)
        direction, side = (1, "+oo") if end == oo else (-1, "-oo")
        if _limit(slope_expr, end) is None:
            osc = oscillation(slope_expr, direction)
            if osc is None:
                continue
            if osc.degree >= 1:
                return Quantity.infinite(1, "oscillation analysis", dps, reason=(
                    f"phi' is unbounded as x -> {side}: it is x**{osc.degree} times a periodic function that "
                    f"is not identically 0 ({osc.leading}), plus lower-order terms"))
            if variation and not osc.constant:
                return Quantity.infinite(1, "oscillation analysis", dps, reason=(
                    f"phi' has no limit as x -> {side} ({osc.no_limit_reason}); a function of bounded "
                    "variation on a half-line has a limit at its infinite end"))
            continue
        found = leading_oscillation(sympy.diff(slope_expr, x), direction, 3)
        if found is None or found[1].degree != 0 or found[1].constant:
            continue
        p, osc = found
        if variation and p <= 1:
            return Quantity.infinite(1, "oscillation analysis", dps, reason=(
                f"phi'' = x**-{p} (Q(x) + o(1)) as x -> {side} with Q = {osc.leading + osc.rest_limit} periodic "
                f"and not constant, so TV(phi') = integral |phi''| diverges"))
        undecided = undecided or Quantity.undefined(
            f"not decided: phi'' = x**-{p} (Q(x) + o(1)) as x -> {side} with Q = {osc.leading + osc.rest_limit} "
            "periodic and not constant, so the critical points of phi' may accumulate at infinity",
            "oscillation analysis", dps, cause=ConvergenceError)
    return undecided


@engine_call
@lru_cache(maxsize=256)
def total_variation(phi, dps=30):
    """``TV(phi')`` as a :class:`Quantity` (``+oo`` when phi jumps, or when phi' is unbounded or
    has no limit at an infinite end).

    >>> from symsig.activations import x
    >>> import sympy
    >>> total_variation(sympy.sin(x), dps=15).reason
    "phi' has no limit as x -> +oo (periodic with period 2*pi, not constant, ...
    """
    return _from_slopes(phi, dps, lambda v: sum((abs(b - a) for a, b in zip(v, v[1:])), sympy.Integer(0)),
                        variation=True)


@engine_call
@lru_cache(maxsize=256)
def lipschitz(phi, dps=30):
    """``Lip(phi) = sup |phi'|`` as a :class:`Quantity` (``+oo`` when phi jumps or phi' is unbounded).

    >>> from symsig.activations import x
    >>> import sympy
    >>> str(lipschitz(sympy.sin(30 * x), dps=15)), str(lipschitz(x * sympy.sin(x), dps=15))
    ('30.0000000000000', 'oo')
    """
    return _from_slopes(phi, dps, lambda v: sympy.Max(*[abs(b) for b in v]), variation=False)


def _numeric_sum(expr, method, dps):
    with workdps(dps):
        value = mp.mpf(sympy.N(expr, mp.dps))
        error = abs(value) * mp.mpf(10) ** (-dps - 3)
    return Quantity.numeric(value, error, method, dps)


# ----------------------------------------------------------- areas C and B

def _asymptote_residual(phi, alpha_plus, alpha_minus):
    """Pieces ``(lo, hi, h, alpha)`` of h = phi - l, l = alpha x with alpha = alpha+ for x > 0,
    alpha- for x < 0 (split at 0)."""
    pieces = decompose(phi)
    out = []
    for piece in pieces.pieces:
        for lo, hi, slope_ in ((piece.lo, sympy.Min(piece.hi, 0), alpha_minus),
                               (sympy.Max(piece.lo, 0), piece.hi, alpha_plus)):
            if lo < hi:
                out.append((lo, hi, piece.expr - slope_ * x, slope_))
    return out


def asymptote_offsets(phi, alpha_plus, alpha_minus):
    """``((c+, settles+), (c-, settles-))``: the limits c of phi - alpha x at +-oo (exact slopes
    given), and whether phi - alpha x - c is integrable on that tail; None where a limit is not
    finite or not decided.

    >>> from symsig.activations import x
    >>> asymptote_offsets(sympy.Piecewise((x, x > 0), (sympy.exp(x) - 1, True)), 1, 0)
    ((0, True), (-1, True))
    """
    parts = _asymptote_residual(phi, alpha_plus, alpha_minus)
    found = []
    for h, end in ((parts[-1][2], oo), (parts[0][2], -oo)):
        offset = _limit(h, end)
        if offset is None or not offset.is_finite:
            return None
        found.append((offset, _tail_verdict(h - offset, end)[0] == "integrable"))
    return tuple(found)


def _tail_verdict(h, end):
    """``(verdict, why_c, why_b)`` for the tail of integral h at ``end``.  The verdict is
    'integrable'; +1/-1, the sign of a divergent tail of integral h; 0 when integral |h|
    diverges while the partial integrals of h stay bounded without a limit; 'divergent' when
    integral |h| diverges and the signed tail is not decided; None when nothing is decided.
    ``why_c``/``why_b`` state the theorem behind a verdict on C/B where an oscillation decided it."""
    at_end = _limit(h, end)
    if at_end is None:
        return _oscillating_tail(h, end)
    if at_end != 0:
        return (1 if at_end > 0 else -1), None, None
    for power in (2, sympy.Rational(3, 2), sympy.Rational(5, 4)):
        scaled = _limit(abs(x) ** power * h, end)
        if scaled is not None and scaled.is_finite:
            return "integrable", None, None
    first = _limit(x * h, end)
    if first is not None and first != 0:
        direction = 1 if end == oo else -1
        return ((1 if first * direction > 0 else -1) if first.is_finite else None), None, None
    return _oscillating_tail(h, end)  # h -> 0 with a decaying oscillation (sin(x)/x)


def _oscillating_tail(h, end):
    """The tail verdict of :func:`_tail_verdict` for h = x**-p (Q(x) + R(x)), p = 0 or 1,
    Q periodic (a trigonometric polynomial, mean m over a period) and R -> 0
    (:func:`symsig.calculus.leading_oscillation`).

    * p = 0, Q not constant (h does not tend to 0): integral |h| = +oo, since h is uniformly
      continuous (Q is Lipschitz, R continuous with a limit), and by Barbalat's lemma an
      integrable, uniformly continuous function tends to 0.  The integral of h up to X is
      m X + (bounded) + o(X): it diverges with the sign of m when m != 0; when m = 0 it is
      a nonconstant periodic function plus integral R, so it has no limit when R is
      integrable and diverges with R otherwise.
    * p = 1, Q not constant: integral |h| >= integral (mean |Q| / 2) / |x| = +oo; the integral
      of h diverges like m log|x| when m != 0, and is not decided when m = 0.
    * Q constant (= m != 0; the bounds of limit arithmetic were loose): h ~ m x**-p.
    """
    direction, side = (1, "+oo") if end == oo else (-1, "-oo")
    found = leading_oscillation(h, direction, 1)
    if found is None or found[1].degree != 0:
        return None, None, None
    p, osc = found
    mean_nonzero = decide_nonzero(osc.mean)
    sign = (1 if osc.mean > 0 else -1) * direction**p if mean_nonzero else None
    if osc.constant:
        return sign, None, None
    wave = f"{osc.leading + osc.rest_limit}"
    if p == 0:
        why_c = (f"phi - l does not tend to 0 as x -> {side} ({osc.no_limit_reason}) but is uniformly "
                 "continuous there; Barbalat's lemma: an integrable, uniformly continuous function tends to 0")
    else:
        why_c = (f"phi - l = (Q(x) + o(1))/x as x -> {side} with Q = {wave} periodic and not constant, "
                 "and integral |Q(x)|/|x| dx diverges like log|x|")
    if mean_nonzero:
        return sign, why_c, (f"as x -> {side}, phi - l is a periodic function of mean {osc.mean} plus a term "
                             f"tending to 0, so its integral grows like {osc.mean}*|x|" if p == 0 else
                             f"as x -> {side}, phi - l = (Q(x) + o(1))/x with Q periodic of mean {osc.mean}, so its "
                             "integral diverges like log|x|")
    if mean_nonzero is None or p == 1:
        return "divergent", why_c, None
    residual = sympy.expand(h - osc.leading - osc.rest_limit)  # R: tends to 0
    rest = ("integrable",) if residual == 0 else _tail_verdict(residual, end)
    if rest[0] == "integrable":
        return 0, why_c, (f"the partial integrals of phi - l have no limit: as x -> {side} they are a "
                          "nonconstant periodic function (phi - l is periodic with mean 0) plus a convergent integral")
    if rest[0] in (1, -1):
        return rest[0], why_c, (f"as x -> {side}, phi - l is periodic with mean 0 plus a term whose "
                                "integral diverges")
    return "divergent", why_c, None


@engine_call
@lru_cache(maxsize=256)
def areas(phi, alpha_plus, alpha_minus, dps=30):
    """``(C, B)`` as :class:`Quantity` objects, given the slope Quantities.

    >>> from symsig.activations import x
    >>> from symsig.calculus import slopes
    >>> c, b = areas(sympy.sin(x), *slopes(sympy.sin(x), 15), 15)
    >>> str(c), "Barbalat" in c.reason, str(b), "no limit" in b.reason
    ('oo', True, 'undefined', True)
    """
    if not (alpha_plus.is_finite and alpha_minus.is_finite):
        reason = "a slope is infinite or undefined, so phi has no asymptotic lines"
        return (Quantity.undefined(reason, "tail analysis", dps),) * 2
    ap = alpha_plus.exact if alpha_plus.exact is not None else sympy.Float(alpha_plus.value, dps + 10)
    am = alpha_minus.exact if alpha_minus.exact is not None else sympy.Float(alpha_minus.value, dps + 10)
    parts = _asymptote_residual(phi, ap, am)
    singular = _singular_verdict(phi, parts, dps)
    if singular is not None:
        return singular
    tails = [_tail_verdict(parts[-1][2], oo), _tail_verdict(parts[0][2], -oo)]
    verdicts = [verdict for verdict, _, _ in tails]
    if None in verdicts:
        reason = "cannot decide whether phi approaches its asymptotic lines integrably"
        return (Quantity.undefined(reason, "tail analysis", dps),) * 2
    if all(v == "integrable" for v in verdicts):
        return _finite_areas(parts, dps)
    method = "tail analysis: phi - l is not integrable"
    ends = [end for end, verdict in zip(("+oo", "-oo"), verdicts) if verdict != "integrable"]
    why_c = next((why for _, why, _ in tails if why), None) or (
        f"phi - l is not integrable at {' and '.join(ends)} (it does not tend to 0, or tends to 0 like 1/|x| "
        "or slower)")
    c = Quantity.infinite(1, method, dps, reason=why_c)
    signs = {v for v in verdicts if v in (1, -1)}
    if "divergent" in verdicts:
        b = Quantity.undefined("not decided: phi - l is not absolutely integrable, and whether its signed "
                               "integral converges, or to which infinity it diverges, is not decided",
                               "tail analysis", dps, cause=ConvergenceError)
    elif len(signs) == 2:
        b = Quantity.undefined("the two tails of phi - l diverge with opposite signs", "tail analysis", dps)
    elif signs:  # a tail whose partial integrals stay bounded does not stop the divergence
        sign = signs.pop()
        b = Quantity.infinite(sign, method, dps, reason=next((w for v, _, w in tails if v == sign and w), None))
    else:
        b = Quantity.undefined(next(w for v, _, w in tails if v == 0), "tail analysis", dps)
    return c, b


def _singular_verdict(phi, parts, dps):
    """``(C, B)`` when phi - l is not integrable near a finite point, else None.

    C is then +oo; B is +-oo only when every divergent part (singular points
    and tails) has the same sign (a tail whose partial integrals stay bounded does not count).
    """
    try:
        found = singular_divergences(decompose(phi))
    except SingularityUnknown:
        return None
    if not found:
        return None
    signs = {sign for _, _, sign, _ in found}
    where = ", ".join(sorted({str(x0) for x0, _, _, _ in found}))
    reason = f"phi is not integrable near x = {where}"
    c = Quantity.infinite(1, "singularity analysis", dps, reason=reason)
    if len(signs) == 1:
        sign = signs.pop()
        tails = [_tail_verdict(parts[0][2], -oo)[0], _tail_verdict(parts[-1][2], oo)[0]]
        if all(t in ("integrable", 0, sign) for t in tails):
            return c, Quantity.infinite(sign, "singularity analysis", dps, reason=reason)
    return c, Quantity.undefined(f"{reason}, and the divergent parts of the signed area have both "
                                 "signs (or undecided ones)", "singularity analysis", dps)


def _finite_areas(parts, dps):
    signed_exact, abs_exact = [], []
    intervals = []
    for lo, hi, h, slope_ in parts:
        roots, roots_exact = _critical_points(h, lo, hi, dps)
        cuts = [lo, *roots, hi]
        for a, b in zip(cuts, cuts[1:]):
            intervals.append((a, b, h, slope_, roots_exact))
    exact_ok = True
    values = []
    for a, b, h, _, roots_exact in intervals:
        result = definite_integral(h, x, a, b) if (exact_ok and roots_exact) else None
        if result is None:
            exact_ok = False
        values.append(result.expr if result is not None else None)
    if exact_ok:
        signed_exact = simplify(sum(values))
        abs_exact = simplify(sum(abs(v) for v in values))
        return (Quantity.from_exact(abs_exact, "integral between sign changes (exact)", dps),
                Quantity.from_exact(signed_exact, "integral between sign changes (exact)", dps))
    return _numeric_areas(intervals, dps)


def _to_mpf(point):
    if isinstance(point, (int, REAL)):
        return mp.mpf(point)
    if point.is_infinite:
        return mp.inf if point > 0 else -mp.inf
    return mp.mpf(sympy.N(point, mp.dps))


def _finite_end(func, lo, hi, dps):
    """Replace an infinite end by X where |h| x^2 is below the target at X and 2X.

    Nodes near infinity would evaluate phi at astronomically large x (where
    tanh(exp(x)) exhausts memory, and GELU's x Phi(x) - x cancels to 10**-(x**2/4.6))
    only to add terms far below the target; an end with slower, algebraic decay
    is kept infinite.  ``func`` gives (value, error): the bound |value| + error counts.
    """
    eps = mp.mpf(10) ** (-dps - 5)
    ends = [lo, hi]

    def bound(t):
        value, error = func(t)
        return (abs(value) + error) * t * t

    for index, sign in ((0, -1), (1, 1)):
        if not mp.isinf(ends[index]):
            continue
        for k in range(3, 11):
            t = sign * mp.ldexp(1, k)
            if (t - lo) * (hi - t) <= 0:
                continue
            if bound(t) < eps and bound(2 * t) < eps:
                ends[index] = t
                break
    return ends


def _residual(h, slope_):
    """phi - l (``h``, with l = ``slope_`` x) as a function of mpf t giving ``(value, error)``,
    the value correct to the working precision relative to itself or absolutely below
    10**-work_digits times that (where no digit of the area depends on it).

    Far out phi - l is a small difference of large numbers: GELU's x Phi(x) - x loses
    about x**2 / 4.6 digits, computed as x E_{1/2,1}(x/sqrt 2)/E_{1,1}(x**2/2 + ln 2) - x.
    Known cancellations are rewritten away first (:func:`~symsig.quantity.without_cancellation`:
    Mish's x tanh(log(1 + e^x)) - x is evaluated as -2x/((e^x + 1)**2 + 1)); the loss
    that remains is measured at each point (:func:`symsig.calculus.stable_value`) and paid
    for in precision; a point that would need more than ``MAX_EXTRA_DIGITS`` raises.
    TeLU's x tanh(e^x) - x is 0 at every precision near x = 8: phi ~ l, so its error is
    a unit of |l(t)| + 1 at the precision reached.
    """
    func = lambdify_mpmath(x, without_cancellation(h))
    slope_ = sympy.N(abs(slope_), 20)

    def value(t):
        floor = mp.mpf(10) ** -mp.dps
        tolerance = lambda v: 2 * mp.eps * max(abs(v), floor)  # the value's own rounding is one eps
        result, error = stable_value(func, t, tolerance, scale=abs(t) * mp.mpf(slope_) + 1)
        if error > tolerance(result):
            raise ConvergenceError(f"phi - l = {h} cannot be evaluated at x = {mp.nstr(t, 8)} to the working "
                                   f"precision: its terms cancel by more than {MAX_EXTRA_DIGITS} digits")
        return result, error
    return value


def _numeric_areas(intervals, dps):
    with workdps(dps):
        signed, absolute, error = mp.mpf(0), mp.mpf(0), mp.mpf(0)
        for a, b, h, slope_, _ in intervals:
            if h == 0:  # phi is its asymptotic line there; no evaluation could measure a zero
                continue
            func = _residual(h, slope_)
            lo, hi = _finite_end(func, _to_mpf(a), _to_mpf(b), dps)
            try:
                result = integrate(lambda t, func=func: [func(t)[0]], 1, [(lo, hi)], dps)
            except ConvergenceError:
                raise ConvergenceError(f"the area of phi - l on ({a}, {b}) did not converge to "
                                       f"{dps} digits") from None
            signed += result.values[0]
            absolute += abs(result.values[0])
            error += result.errors[0]
        method = "quadrature between sign changes (tanh-sinh)"
        return (Quantity.numeric(absolute, error, method, dps), Quantity.numeric(signed, error, method, dps))
