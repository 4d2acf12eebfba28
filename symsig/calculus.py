"""Symbolic calculus of activations: pieces, kinks, jumps, derivatives, slopes, growth.

Every activation is decomposed once into smooth pieces on consecutive open
intervals (:func:`decompose`): Max, Min, Abs, Heaviside, sign and Piecewise are
rewritten, the boundaries of their conditions become breakpoints, and on each
interval the active branch is selected.  Derivatives, jumps, smoothness
and the asymptotic slopes are then read off the pieces.

>>> from symsig.activations import x
>>> p = decompose(sympy.Min(sympy.Max(x, 0), 6))
>>> [(piece.lo, piece.hi, piece.expr) for piece in p.pieces]
[(-oo, 0, 0), (0, 6, x), (6, oo, 6)]
>>> p.diff().jumps()
{0: 1, 6: -1}
>>> smoothness_degree(sympy.Max(x, 0))
1
"""

from dataclasses import dataclass, replace
import math
from functools import lru_cache
from math import prod

import sympy
from sympy import Piecewise, oo

from . import limits
from .activations import x
from .asymptotics import add_limits, limit_at_infinity, periodic_split
from .bounded import CANNOT, attempt, is_zero, nesting, simplify, small
from .errors import InputError, SymsigError
from .precision import lambdify_mpmath, mp, workdps
from .quantity import Quantity, explicit_ends
from .singularities import SingularityUnknown, growth, leading_term, poles_accumulate

_KINK_FUNCTIONS = (sympy.Max, sympy.Min, sympy.Abs, sympy.Heaviside, sympy.sign)


@dataclass(frozen=True)
class Piece:
    """``expr`` is the activation on the open interval (``lo``, ``hi``)."""

    lo: sympy.Expr
    hi: sympy.Expr
    expr: sympy.Expr


@dataclass(frozen=True)
class PiecewiseSmooth:
    """A function given by smooth pieces on consecutive intervals covering R."""

    pieces: tuple

    @property
    def breakpoints(self):
        return [piece.lo for piece in self.pieces[1:]]

    def map(self, func):
        """Apply ``func`` to every piece (e.g. squaring); breakpoints stay."""
        return PiecewiseSmooth(tuple(Piece(p.lo, p.hi, func(p.expr)) for p in self.pieces))

    def diff(self):
        """The classical derivative on each piece (jumps are reported by :meth:`jumps`)."""
        return self.map(lambda e: sympy.diff(e, x))

    def one_sided(self, index, point):
        """Value of piece ``index`` at its endpoint ``point`` (a limit where needed)."""
        side = "+" if point == self.pieces[index].lo else "-"
        return _one_sided(self.pieces[index].expr, point, side)

    def jumps(self):
        """``{point: right limit - left limit}`` at each breakpoint where the function jumps."""
        result = {}
        for i, point in enumerate(self.breakpoints):
            left, right = self.one_sided(i, point), self.one_sided(i + 1, point)
            if left is None or right is None:
                raise InputError(f"cannot decide the one-sided limits at x = {point}")
            if not (left.is_finite and right.is_finite):
                continue  # a singular point (log|x| at 0), not a jump: the singularity analysis owns it
            jump = right - left
            if not is_zero(jump):
                jump = simplify(jump)
                result[point] = jump
        return result

    def as_expr(self):
        """One SymPy Piecewise (or the single smooth expression)."""
        if len(self.pieces) == 1:
            return self.pieces[0].expr
        branches = [(p.expr, x < p.hi) for p in self.pieces[:-1]]
        return Piecewise(*branches, (self.pieces[-1].expr, True))

    def piece_at(self, point):
        """The piece whose open interval contains ``point``."""
        for piece in self.pieces:
            if piece.lo < point < piece.hi:
                return piece
        return None


def _rewrite_kinks(expr):
    return expr.replace(lambda e: isinstance(e, _KINK_FUNCTIONS), lambda e: e.rewrite(Piecewise))


def _condition_boundaries(expr):
    points = set()
    for pw in expr.atoms(Piecewise):
        for _, cond in pw.args:
            for rel in cond.atoms(sympy.Rel):
                # a condition changes where its two sides cross, or where one has a pole (1/x > 0)
                numerator, denominator = sympy.fraction(sympy.together(rel.lhs - rel.rhs))
                for side in (numerator, denominator):
                    if not side.has(x):
                        continue
                    if _periodic_at_infinity(side, 1) or _periodic_at_infinity(side, -1):
                        # solve lists one period's roots of sin(x) (0, pi): the others would be lost
                        raise InputError(f"the condition {rel} changes at infinitely many points; "
                                         "symsig handles finitely many breakpoints")
                    roots = attempt(sympy.solve, side, x)
                    if roots is None:
                        raise InputError(f"cannot locate the breakpoint of the condition {rel}; "
                                         "write conditions linear in x")
                    points.update(r for r in roots if r.is_real)
    return sorted(points, key=lambda p: float(p))


def _select_branches(expr, point):
    """Replace every Piecewise by its branch that is active at x = point."""
    def active(pw):
        for branch, cond in pw.args:
            truth = cond.subs(x, point)
            if truth == sympy.true:
                return branch
            if truth != sympy.false:
                raise InputError(f"cannot decide the condition {cond} at x = {point}")
        raise InputError(f"the Piecewise {pw} is undefined at x = {point}; add a default branch")
    return expr.replace(lambda e: isinstance(e, Piecewise), active)


def _probe_point(lo, hi):
    if lo == -oo and hi == oo:
        return sympy.Integer(0)
    if lo == -oo:
        return hi - 1
    if hi == oo:
        return lo + 1
    return (lo + hi) / 2


@lru_cache(maxsize=512)
def decompose(phi):
    """The smooth pieces of ``phi`` between its breakpoints (see the module doc)."""
    expr = sympy.piecewise_fold(_rewrite_kinks(sympy.sympify(phi, strict=True)))
    if not expr.has(Piecewise):
        return PiecewiseSmooth((Piece(-oo, oo, expr),))
    bounds = [-oo, *_condition_boundaries(expr), oo]
    pieces = []
    for lo, hi in zip(bounds, bounds[1:]):
        branch = _select_branches(expr, _probe_point(lo, hi))
        if pieces and is_zero(pieces[-1].expr - branch):
            pieces[-1] = Piece(pieces[-1].lo, hi, pieces[-1].expr)
        else:
            pieces.append(Piece(lo, hi, branch))
    return PiecewiseSmooth(tuple(pieces))


def kinks(phi):
    """Breakpoints where ``phi`` or one of its derivatives (up to order 8) jumps."""
    pieces = decompose(phi)
    found = []
    for i, point in enumerate(pieces.breakpoints):
        if _jump_order(pieces, i, point) is not None:
            found.append(point)
    return found


def _one_sided(expr, point, side):
    """``expr`` at ``point`` approached from ``side`` ("+" or "-"), a limit where needed."""
    value = expr.subs(x, point)
    if value.has(sympy.nan, sympy.zoo) or not value.is_finite:
        value = symbolic_limit(expr, point, side)
    return sympy.nsimplify(value) if value is not None and value.has(sympy.Float) else value


def _jump_order(pieces, index, point, max_order=8):
    left, right = pieces.pieces[index].expr, pieces.pieces[index + 1].expr
    for order in range(max_order + 1):
        lv, rv = _one_sided(left, point, "-"), _one_sided(right, point, "+")
        if lv is None or rv is None or not (lv.is_finite and rv.is_finite) or not is_zero(rv - lv):
            return order
        left, right = sympy.diff(left, x), sympy.diff(right, x)
    return None


def smoothness_degree(phi):
    """Order of the first derivative of ``phi`` that jumps (0: phi itself jumps; oo: smooth)."""
    pieces = decompose(phi)
    orders = [_jump_order(pieces, i, p) for i, p in enumerate(pieces.breakpoints)]
    orders = [o for o in orders if o is not None]
    return min(orders) if orders else oo


def distributional_derivative(phi):
    """``(classical, jumps)``: phi' = classical + sum of jump * delta(x - point)."""
    pieces = decompose(phi)
    return pieces.diff(), pieces.jumps()


# ------------------------------------------------------------------ slopes

@lru_cache(maxsize=1024)
def symbolic_limit(expr, point, side="+"):
    """The exact limit of ``expr`` at ``point`` from ``side``, or None when it is not decided.

    Structural tiers first: at +-oo limit arithmetic (:func:`limit_at_infinity`), term by
    term with the size reading for 0 * oo terms (:func:`_limit_by_terms`), the size reading
    of the whole (:func:`_limit_from_growth`); at a finite point the leading term of the
    expansion.  SymPy's ``limit`` (Gruntz), whose running time has no bound, runs only on
    what :func:`limit_refusal` admits, so the answer is a function of ``expr`` alone and
    safe to cache.

    >>> symbolic_limit(sympy.sin(x) / x, 0), symbolic_limit(1 / x, 0, "-")
    (1, -oo)
    >>> symbolic_limit(sympy.tanh(x) - 1, sympy.oo)
    0
    """
    if point in (oo, -oo):
        direction = 1 if point == oo else -1
        value = limit_at_infinity(expr, direction)
        if value is None:
            value = _limit_by_terms(expr, direction)
        if value is None:
            value = _limit_from_growth(expr, direction)
    else:
        value = _limit_from_leading_term(expr, point, 1 if side == "+" else -1)
    if value is not None or limit_refusal(expr) is not None or _misjudged_function(expr, point) is not None:
        return value
    value = attempt(_plain_limit, expr, point, side)
    if value is None or value.has(sympy.Limit):
        return None
    if point in (oo, -oo) and _contradicted(expr, 1 if point == oo else -1, value):
        return None
    return value


def _misjudged_function(expr, point):
    """A function in ``expr`` whose size SymPy's Gruntz limit would misjudge at ``point``, or None.

    Gruntz takes a function it cannot rewrite for one as slow as its argument.  SymPy's
    own functions carry their asymptotics; a symsig function (MittagLeffler, Prabhakar)
    says through ``asymptotics_known(end)`` whether it does for an argument tending to
    ``end * oo``.  Any other argument that diverges, or whose limit is not read off
    structurally, is refused too.
    """
    for function in expr.atoms(sympy.Function):
        known = getattr(function, "asymptotics_known", None)
        if known is None or not function.has(x):
            continue
        for arg in function.args:
            if not arg.has(x):
                continue
            if point in (oo, -oo):
                end = limit_at_infinity(arg, 1 if point == oo else -1)
            else:
                end = arg.subs(x, point)
            if end is None or isinstance(end, sympy.AccumBounds) or end.has(sympy.nan, sympy.zoo):
                return function
            if end.is_infinite and not known(1 if end.is_extended_positive else -1):
                return function
            if not (end.is_infinite or end.is_finite):
                return function
    return None


CHECK_DIGITS = 15
CHECK_SAMPLES = 8  # x = 16 .. 16^8 = 2^32: far enough to see a settled value, cheap enough


def _contradicted(expr, direction, value):
    """True when ``expr`` sampled at large x settles (or grows) visibly away from ``value``.

    SymPy's limit is a long algorithm with rewrites supplied by every function class,
    so its answer at +-oo is checked against samples: a limit that the samples
    contradict to their measured accuracy is not proved.  Samples that do not
    settle (slow convergence, oscillation) contradict nothing.
    """
    if isinstance(value, sympy.AccumBounds) or not value.is_extended_real:
        return False
    sampled = numeric_limit(expr, direction, CHECK_DIGITS, samples=CHECK_SAMPLES)
    if sampled.status == "infinite":
        return not (value.is_infinite and (value > 0) == (sampled.value > 0))
    if sampled.status != "numeric":
        return False
    if value.is_infinite:
        return True
    with workdps(CHECK_DIGITS):
        exact = mp.mpf(sympy.N(value, mp.dps))
        return abs(exact - sampled.value) > 2 * sampled.error + mp.mpf(10) ** -CHECK_DIGITS * max(1, abs(exact))


def limit_refusal(expr):
    """Why ``sympy.limit`` is not run on ``expr`` (the :mod:`symsig.limits` cap it exceeds), or None.

    >>> limit_refusal(sympy.tanh(sympy.tanh(sympy.tanh(sympy.tanh(x))))) is not None
    True
    """
    if not small(expr):
        return (f"sympy.limit not attempted: the expression has more than MAX_SYMBOLIC_NODES = "
                f"{limits.MAX_SYMBOLIC_NODES} nodes (symsig.limits)")
    depth = nesting(expr)
    if depth > limits.MAX_LIMIT_NESTING:
        return (f"sympy.limit not attempted: transcendental functions nest {depth} deep, more than "
                f"MAX_LIMIT_NESTING = {limits.MAX_LIMIT_NESTING} (symsig.limits)")
    return None


def _limit_by_terms(expr, direction):
    """The limit of a sum at direction*oo from the limits of its terms, each by limit arithmetic or
    else by :func:`_limit_from_growth`; None when a term is undecided or they add up to oo - oo.
    Derivatives such as swish' = x exp(-x)/(1 + exp(-x))**2 + 1/(1 + exp(-x)) put a 0 * oo
    term beside one with a finite limit, which the size reading of the whole cannot give.
    Terms without a finite limit are also read together by :func:`_limit_from_growth`.

    >>> _limit_by_terms(x * sympy.exp(-x) + sympy.tanh(x), 1)
    1
    >>> _limit_by_terms(x / (1 + sympy.exp(-x)) - x + sympy.tanh(x), 1)
    1
    """
    if not expr.is_Add:
        return None
    values = []
    for term in expr.args:
        value = limit_at_infinity(term, direction)
        values.append(_limit_from_growth(term, direction) if value is None else value)
    if None not in values:
        total = add_limits(values)
        if total is not None:
            return total
    # the terms without a finite limit may still be read together: x/(1 + exp(-x)) - x -> 0
    bounded = [v for v in values if v is not None and v not in (oo, -oo)]
    if len(bounded) in (0, len(values)):
        return None
    rest = _limit_from_growth(sympy.Add(*(t for t, v in zip(expr.args, values) if v is None or v in (oo, -oo))),
                              direction)
    return None if rest is None else add_limits([rest, *bounded])


def _limit_from_growth(expr, direction):
    """0 or +-oo when the size of ``expr`` at direction*oo decays or grows (read structurally by
    :func:`symsig.singularities.growth`), else None: the tails of GELU-like residuals
    ``x**k (erf(u) - 1)``, ``x**k (tanh(u) - 1)`` where limit arithmetic sees 0 * oo.

    >>> _limit_from_growth(x / (1 + sympy.exp(-x)) - x, 1)  # the terms tie; over one denominator -x/(exp(x) + 1)
    0
    """
    if not small(expr):
        return None
    # one product, with the decay hidden in erf(u) -+ 1 and tanh(u) -+ 1 made explicit
    form = explicit_ends(expr)
    value = _size_verdict(form, direction)
    if value is None:
        # terms of the same size may cancel: x/(1 + exp(-x)) - x = -x/(exp(x) + 1)
        combined = _over_common_denominator(form)
        if combined is not None and combined != form:
            value = _size_verdict(combined, direction)
    return value


def _size_verdict(form, direction):
    try:
        size = growth(form, direction)
    except SingularityUnknown:
        return None
    if size.zero:
        return sympy.Integer(0)
    lead = size.P[0][1] if size.P else size.a
    if lead.is_negative:
        return sympy.Integer(0)
    if lead.is_positive and size.tight == 2 and size.sign in (1, -1):
        return oo * size.sign
    return None


def _over_common_denominator(expr):
    """``expr`` as one fraction with the products in its numerator multiplied out (one level), or
    None when that is larger than MAX_SYMBOLIC_NODES (nodes, or terms after multiplying out)."""
    combined = attempt(sympy.together, expr)
    if combined is None or not small(combined):
        return None
    numerator, denominator = sympy.fraction(combined)
    terms = [sympy.Mul.make_args(term) for term in sympy.Add.make_args(numerator)]
    count = sum(prod(len(f.args) if f.is_Add else 1 for f in factors) for factors in terms)
    if count > limits.MAX_SYMBOLIC_NODES:
        return None
    return sympy.Add(*(sympy.expand_mul(sympy.Mul(*factors), deep=False) for factors in terms)) / denominator


def _limit_from_leading_term(expr, x0, side):
    """The limit at x0 read off the leading term c s**p log(s)**k (x = x0 + side*s), or None."""
    if not small(expr):  # the expansion is open-ended too
        return None
    try:
        c, p, k = leading_term(expr, x0, side)
    except SingularityUnknown:
        return None
    if c == 0 or p > 0 or (p == 0 and k < 0):
        return sympy.Integer(0)
    if p == 0 and k == 0:
        return c
    if not k.is_integer:
        return None
    # |c s**p log(s)**k| -> oo, with the sign of c (-1)**k since log s < 0
    return oo if (c > 0) == (k % 2 == 0) else -oo


def _plain_limit(expr, point, side):
    value = sympy.limit(expr, x, point, side)
    # only numbers (or oo, or bounds) count; a limit left in terms of functions is no answer
    if isinstance(value, sympy.AccumBounds) or value.is_number and not value.atoms(sympy.Function):
        return value
    return None


def slope(phi, direction, dps=30):
    """``lim phi(x)/x`` as x -> direction*oo, as a :class:`Quantity`.

    Exact through :func:`symbolic_limit` when it answers, else numeric from
    phi(t)/t at growing t, else undefined with the reason (naming the
    :mod:`symsig.limits` cap that kept ``sympy.limit`` from running, if one did).

    >>> str(slope(sympy.tanh(x), 1)), slope(x**2, -1).value
    ('0', mpf('-inf'))
    >>> slope(x * sympy.sin(x), 1).reason
    'phi(x)/x has no limit: it oscillates within AccumBounds(-1, 1) (periodic with period 2*pi, not constant, ...)'
    """
    end_piece = decompose(phi).pieces[-1 if direction > 0 else 0]
    end = end_piece.expr
    if poles_accumulate(end_piece.expr, end_piece.lo, end_piece.hi):
        return Quantity.undefined("phi has poles accumulating at infinity, so phi(x)/x has no limit",
                                  "singularity analysis", dps)
    limit = symbolic_limit(end / x, direction * oo)
    if limit is None or isinstance(limit, sympy.AccumBounds):
        # the bounds of limit arithmetic enclose the limit points but may be loose
        # (sin(x)**2 + cos(x)**2 gets AccumBounds(0, 2)): an oscillation is proved first
        osc = oscillation(end / x, direction)
        if osc is not None and osc.constant:
            return Quantity.from_exact(osc.mean, "oscillation analysis (the periodic part is constant)", dps)
        within = f" within {limit}" if limit is not None else ""
        if osc is not None and osc.no_limit_reason:
            return Quantity.undefined(f"phi(x)/x has no limit: it oscillates{within} ({osc.no_limit_reason})",
                                      "oscillation analysis", dps)
        if _single_wave(end / x, direction):
            return Quantity.undefined(f"phi(x)/x has no limit: it oscillates{within} (a + b sin(u) or a + b cos(u) "
                                      "with u -> oo sweeps [a - |b|, a + |b|] again and again)",
                                      "symbolic limit", dps)
        if limit is not None:
            return Quantity.undefined(f"phi(x)/x oscillates{within} by limit arithmetic, which bounds its limit "
                                      "points but does not decide whether it has a limit", "symbolic limit", dps)
    if limit is not None and limit.is_extended_real and not limit.has(sympy.Limit):
        if limit.is_finite:
            return Quantity.from_exact(limit, "symbolic limit", dps)
        return Quantity.infinite(1 if limit > 0 else -1, "symbolic limit", dps)
    if _periodic_at_infinity(end / x, direction):
        return Quantity.undefined("phi(x)/x has a factor oscillating with unbounded argument (sin, cos, ...) "
                                  "that the symbolic tiers did not resolve, and samples cannot see between "
                                  "their points", "symbolic limit", dps)
    numeric = numeric_limit(end / x, direction, dps)
    refusal = limit_refusal(end / x)
    if numeric.status == "undefined" and refusal is not None:
        return Quantity.undefined(f"{numeric.reason}; {refusal}", numeric.method, dps)
    return numeric


def _periodic_at_infinity(expr, direction):
    """True when expr contains a trigonometric function whose argument may be unbounded there."""
    return any(limit_at_infinity(f.args[0], direction) in (oo, -oo, None)
               for f in expr.atoms(sympy.sin, sympy.cos, sympy.tan, sympy.cot, sympy.sec, sympy.csc))


def _single_wave(expr, direction):
    """True when expr = a + b sin(u) or a + b cos(u), a and b constants, b != 0, u -> +-oo at
    direction*oo: by the intermediate value theorem sin(u(x)) takes every value in [-1, 1] on
    each interval where u moves by 2 pi, so expr has no limit."""
    a, rest = expr.as_independent(x, as_Add=True)
    b, wave = rest.as_independent(x, as_Mul=True)
    return (isinstance(wave, (sympy.sin, sympy.cos)) and b.is_extended_real and b.is_nonzero
            and a.is_extended_real and limit_at_infinity(wave.args[0], direction) in (oo, -oo))


@dataclass(frozen=True)
class Oscillation:
    """``expr = sum_{k <= degree} x**k P_k(x) + R(x)`` near ``direction * oo``, proved.

    The P_k are trigonometric polynomials with the common ``period`` T, ``leading`` =
    P_degree is not identically 0, and R tends to ``rest_limit`` L (terms m(x) Q(x) with
    m -> c are counted as c Q in P_0 plus a part of R tending to 0, Q being bounded).
    ``fourier`` holds the Fourier coefficients of P_degree (of P_0 + L when degree is 0).
    Along x = t + n T, expr = sum_k (t + n T)**k P_k(t) + R(t + n T), which decides:

    * ``degree >= 1``: expr is unbounded there (P_degree(t) != 0 for some t);
    * ``degree == 0``: expr - (P_0 + L) -> 0, so expr has a limit iff P_0 is constant, and
      ``lim sup``/``lim inf`` are the max/min of P_0 + L.
    ``exact_periodic``: R is constant and there are no modulated terms (degree 0: expr
    is a periodic function, equal to P_0 + L on the whole interval where it is this expression).
    """

    degree: int
    leading: sympy.Expr
    fourier: dict
    rest_limit: sympy.Expr
    period: sympy.Expr
    exact_periodic: bool
    no_limit_reason: str = None

    @property
    def constant(self):
        return self.degree == 0 and set(self.fourier) <= {0}

    @property
    def mean(self):
        """The mean of P_degree over a period (of P_0 + L when degree is 0)."""
        return sympy.re(self.fourier.get(0, sympy.Integer(0)))  # real: c_{-n} is the conjugate of c_n


def decide_nonzero(c):
    """True when the exact constant c is proved nonzero (SymPy's evalf tracks its error), False
    when it is proved 0, None when neither."""
    if c == 0:
        return False
    try:
        return c.evalf(30, strict=True) != 0
    except CANNOT:
        return None


@lru_cache(maxsize=256)
def oscillation(expr, direction):
    """The :class:`Oscillation` of ``expr`` at ``direction * oo``, or None when not decided.

    Decided for expressions that :func:`symsig.asymptotics.periodic_split` separates into
    powers of x times trigonometric polynomials, modulated trigonometric polynomials whose
    modulation has a finite limit, and a rest with a finite limit (all by :func:`symbolic_limit`);
    whether each P_k vanishes identically is read from its exact Fourier coefficients.

    >>> o = oscillation(sympy.sin(x)**2 + sympy.cos(x)**2, 1)  # AccumBounds(0, 2) to limit arithmetic
    >>> o.constant, o.mean
    (True, 1)
    >>> o = oscillation(x * sympy.cos(x) + sympy.sin(x), -1)
    >>> o.degree, o.leading, o.no_limit_reason is not None
    (1, cos(x), True)
    """
    split = periodic_split(expr) if small(expr) else None
    if split is None:
        return None
    powers = dict(split.powers)
    for modulation, trig in split.modulated:
        c = symbolic_limit(modulation, direction * oo)
        if c is None or isinstance(c, sympy.AccumBounds) or not c.is_finite:
            return None
        powers[0] = powers.get(0, 0) + c * trig
    rest = split.rest
    if rest.has(x):
        rest = symbolic_limit(rest, direction * oo)
        if rest is None or isinstance(rest, sympy.AccumBounds) or not rest.is_finite:
            return None
    degree, fourier = 0, {0: rest}
    for k in sorted(powers, reverse=True):
        coefficients = split.fourier(powers[k] + (rest if k == 0 else 0))
        if coefficients is None:
            return None
        # P_k != 0 (k >= 1), or P_0 nonconstant: one coefficient proved nonzero suffices
        nonzero = {decide_nonzero(c) for n, c in coefficients.items() if k > 0 or n != 0}
        if True not in nonzero and None in nonzero:
            return None
        if True in nonzero or k == 0:
            degree, fourier = k, coefficients
            break
    result = Oscillation(degree, powers.get(degree, sympy.Integer(0)), fourier, rest, split.period,
                         exact_periodic=not (split.modulated or split.rest.has(x)))
    return replace(result, no_limit_reason=_no_limit_reason(result, powers))


def leading_oscillation(expr, direction, max_power):
    """``(p, osc)``: the least p in 0 .. max_power for which x**p expr is not proved to tend
    to 0, with its :class:`Oscillation` ``osc``; None when undecided or when every
    x**p expr tends to 0.  For osc of degree 0: expr = x**-p (P(x) + o(1)), P periodic.

    >>> p, osc = leading_oscillation(sympy.sin(x) / x - 2 * sympy.cos(x) / x**2, 1, 2)
    >>> p, osc.leading
    (1, sin(x))
    """
    for p in range(max_power + 1):
        osc = oscillation(x**p * expr, direction)
        if osc is None:
            return None
        if not (osc.constant and decide_nonzero(osc.mean) is False):
            return p, osc
    return None


def _no_limit_reason(osc, powers):
    """Why ``expr`` has no limit (finite or infinite) at direction*oo, or None when not proved."""
    period = osc.period
    if osc.degree == 0:
        if osc.constant:
            return None
        return f"periodic with period {period}, not constant, plus a term with a limit"
    mean_nonzero = decide_nonzero(osc.mean)
    if mean_nonzero is False:
        return (f"x**{osc.degree} times a periodic function of mean 0, not identically 0, plus lower "
                "powers: oscillating to +oo and to -oo along two arithmetic progressions")
    # a point t where every P_k (k >= 1) vanishes: expr stays bounded along t + n T
    for j in range(12):
        t = period * j / 12
        if all(powers[k].subs(x, t) == 0 for k in powers if k >= 1):
            return (f"oscillating: bounded along x = {t} + n*{period}, where the periodic coefficients of "
                    "all powers of x vanish, and unbounded along other progressions")
    return None


#: how far above the working precision :func:`stable_value` may go to meet its tolerance
MAX_EXTRA_DIGITS = 1000
_MAX_EXTRA_BITS = MAX_EXTRA_DIGITS * 10 // 3


def stable_value(func, t, tolerance, scale=None):
    """``(value, error)``: ``func(t)`` with a measured bound on its rounding error.

    Evaluated at the active precision and 64 bits above it; the difference bounds the
    error of the coarser value (returned, rounded to the active precision), a measurement of the
    digits the evaluation actually lost (phi - x with phi ~ x, ratios of huge
    Mittag-Leffler values), not an assumption.  While the error exceeds
    ``tolerance(value)``, the precision is raised by the bits lost, up to
    :data:`MAX_EXTRA_DIGITS`; the caller decides what to do with a larger error.
    Two exact zeros measure nothing (cosh(x)**2 - sinh(x)**2 cancels completely at
    both precisions for x = 4096): their error is one unit of ``scale`` (the size of
    the terms that cancel, a number) at that precision, infinite when no scale is
    given.  Call inside a :func:`workdps` block; ``t`` keeps all its bits.
    """
    work = mp.prec
    quick = _against_double(func, t, work)
    if quick is not None and quick[1] <= tolerance(quick[0]):
        return quick
    extra = 0
    while True:
        with mp.workprec(work + extra):
            coarse = mp.mpf(func(t))
        with mp.workprec(work + extra + 64):
            fine = mp.mpf(func(t))
        if coarse or fine:  # plus the rounding of the value returned at the working precision
            error = abs(coarse - fine) + mp.ldexp(abs(fine), -work)
        else:
            error = mp.inf if scale is None else mp.ldexp(scale, -work - extra)
        goal = tolerance(fine)
        if extra >= _MAX_EXTRA_BITS or error <= goal:
            return +coarse, error
        if not (coarse or fine):
            extra = min(2 * extra + 64, _MAX_EXTRA_BITS)
        else:
            extra = min(extra + max(32, int(mp.mag(error) - mp.mag(goal)) + 16), _MAX_EXTRA_BITS)


#: a double-precision value within 2**-DOUBLE_AGREEMENT of the value 64 bits above the working
#: precision lost at most 53 - DOUBLE_AGREEMENT bits to cancellation, far fewer than 64
DOUBLE_AGREEMENT = 40


def _against_double(func, t, work):
    """``(value, error)`` of ``func(t)`` from one evaluation 64 bits above ``work``, its loss to
    cancellation measured against a double-precision evaluation (mpmath's ``fp``, a tenth of
    the cost): agreement to DOUBLE_AGREEMENT bits bounds the loss by 13 bits, which the 64
    guard bits absorb, so the error is the rounding to ``work`` bits.  None when the double
    is not available, not finite, 0, or disagrees (then :func:`stable_value` measures twice).
    A loss is a property of the expression, not of the precision, and a chance agreement of
    a double that lost more than 64 bits would need an error 2**-40 times its typical size.
    """
    try:
        double = func.in_floats(t)
    except Exception:  # any failure of the double-precision look only means measuring twice
        return None
    if not (isinstance(double, float) and math.isfinite(double) and double):
        return None
    with mp.workprec(work + 64):
        fine = mp.mpf(func(t))
        if not fine or abs(fine - double) > mp.ldexp(abs(fine), -DOUBLE_AGREEMENT):
            return None
    return +fine, mp.ldexp(abs(fine), 1 - work)


def numeric_limit(expr, direction, dps, samples=63):
    """``lim expr`` as x -> direction*oo from values at x = 16^k (k = 1 .. ``samples``).

    Every value carries its measured rounding error (:func:`stable_value`): the samples
    settle when successive ones agree to ``dps`` digits *and* are that accurate, and
    they grow only when each is far above its own error, so rounding noise (the huge
    cancelling terms of phi - x, or of a Mittag-Leffler ratio) is neither a limit nor growth.
    The first sample that cannot be computed to ``dps`` digits ends the sampling.
    """
    func = lambdify_mpmath(x, expr)
    values = []
    with workdps(dps):
        goal = mp.mpf(10) ** (-dps - 2)
        for k in range(1, samples + 1):
            t = direction * mp.ldexp(1, k * 4)
            try:
                value, error = stable_value(func, t, lambda v: goal * max(1, abs(v)))
            except (OverflowError, MemoryError, ValueError, TypeError, ZeroDivisionError, SymsigError):
                break
            if error > goal * max(1, abs(value)):
                return Quantity.undefined(
                    f"{expr} has no limit that can be given to {dps} digits: at x = {mp.nstr(t, 5)} its "
                    f"value {mp.nstr(value, 5)} is uncertain by {mp.nstr(error, 3)} (rounding)",
                    "numeric limit", dps)
            values.append(value)
            if len(values) >= 3:
                d1, d2 = abs(values[-1] - values[-2]), abs(values[-2] - values[-3])
                scale = max(1, abs(values[-1]))
                if d1 <= goal * scale and d2 >= d1:
                    return Quantity.numeric(values[-1], d1 + error + mp.eps * scale, "numeric limit", dps)
                if _grows(values[-GROWTH_RUN:]):
                    sign = 1 if values[-1] > 0 else -1
                    return Quantity.infinite(sign, "numeric limit (growing)", dps, proved=False)
    return Quantity.undefined(f"{expr} has no limit (it does not settle numerically)", "numeric limit", dps)


GROWTH_RUN = 8  # samples that must grow steadily: x sin(x) at x = 16^k grows, but with random signs


def _grows(run):
    """True when ``run`` keeps one sign, grows strictly in size, and by more than 10**8 overall."""
    return (len(run) == GROWTH_RUN and len({v > 0 for v in run}) == 1
            and all(abs(a) < abs(b) for a, b in zip(run, run[1:]))
            and abs(run[-1]) > mp.mpf(10) ** 8 * max(1, abs(run[0])))


@lru_cache(maxsize=256)
def slopes(phi, dps=30):
    """``(alpha_plus, alpha_minus)`` as :class:`Quantity` objects."""
    return slope(phi, 1, dps), slope(phi, -1, dps)


def is_bounded(phi):
    """True when phi has finite limits at both ends (pieces are continuous); None if unknown."""
    pieces = decompose(phi).pieces
    for expr, end in ((pieces[-1].expr, oo), (pieces[0].expr, -oo)):
        limit = symbolic_limit(expr, end)
        if isinstance(limit, sympy.AccumBounds):
            limit = limit.max if limit.min.is_finite else limit.min
        if limit is None:
            return None
        if not limit.is_finite:
            return False
    return True


def growth_class(phi, dps=30):
    """``"A0"`` bounded, ``"A1"`` linear growth, ``"A>1"`` superlinear, or ``"undefined"``.

    >>> growth_class(sympy.tanh(x)), growth_class(sympy.Max(x, 0)), growth_class(x**3)
    ('A0', 'A1', 'A>1')
    """
    plus, minus = slopes(phi, dps)
    if plus.status == "infinite" or minus.status == "infinite":
        return "A>1"
    if not (plus.is_finite and minus.is_finite):
        return "undefined"
    if plus.value == 0 and minus.value == 0 and is_bounded(phi):
        return "A0"
    return "A1"
