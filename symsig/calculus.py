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

from dataclasses import dataclass
from functools import lru_cache

import mpmath
import sympy
from sympy import Piecewise, oo

from .activations import x
from .budget import attempt, is_zero, simplify
from .errors import InputError, SymsigError
from .precision import lambdify_mpmath, workdps
from .quantity import Quantity

_KINK_FUNCTIONS = (sympy.Max, sympy.Min, sympy.Abs, sympy.Heaviside, sympy.sign)
LIMIT_BUDGET = 3.0  # seconds per symbolic limit; beyond it the numeric path answers


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
                    roots = attempt(sympy.solve, side, x, seconds=LIMIT_BUDGET)
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
    """The limit of ``expr`` at ``point``: structural at +-oo, else ``sympy.limit``; None on failure.

    Cached: it does not depend on precision.
    """
    if point in (oo, -oo):
        value = limit_at_infinity(expr, 1 if point == oo else -1)
        if value is not None:
            return value
    value = attempt(_plain_limit, expr, point, side, seconds=LIMIT_BUDGET)
    return None if value is None or value.has(sympy.Limit) else value


# known limits at +oo and -oo of the continuous functions whose argument diverges
_AT_INFINITY = {
    sympy.tanh: (1, -1), sympy.erf: (1, -1), sympy.erfc: (0, 2), sympy.atan: (sympy.pi / 2, -sympy.pi / 2),
    sympy.exp: (oo, 0), sympy.sinh: (oo, -oo), sympy.cosh: (oo, oo), sympy.asinh: (oo, -oo),
    sympy.sin: (sympy.AccumBounds(-1, 1),) * 2, sympy.cos: (sympy.AccumBounds(-1, 1),) * 2,
}


def limit_at_infinity(expr, direction):
    """``lim expr`` as x -> direction*oo by limit arithmetic, or None where that is indeterminate.

    Compositions of continuous functions with known limits (tanh, erf, atan,
    exp, sin, ...), sums, products and powers; an indeterminate form (oo - oo,
    0 * oo, a bounded oscillation times oo) gives None, and the caller falls
    back to ``sympy.limit``.  The answer is a number, +-oo, or an
    ``AccumBounds`` for a bounded oscillation (sin x).

    >>> limit_at_infinity(sympy.tanh(sympy.tanh(sympy.tanh(x))), 1)
    tanh(tanh(1))
    >>> limit_at_infinity(1 / (1 + sympy.exp(-x)), -1), limit_at_infinity(x - x**2, 1) is None
    (0, True)
    """
    try:
        value = _limit_inf(expr, direction)
    except (TypeError, ValueError, ArithmeticError):  # AccumBounds arithmetic refuses some forms
        return None
    if value is None or value.has(sympy.nan, sympy.zoo) or not (value.is_extended_real or
                                                             isinstance(value, sympy.AccumBounds)):
        return None
    return value


def _limit_inf(expr, d):
    if not expr.has(x):
        return expr if expr.is_extended_real else None
    if expr == x:
        return d * oo
    if expr.is_Add or expr.is_Mul:
        parts = [_limit_inf(arg, d) for arg in expr.args]
        if None in parts:
            return None
        return _combine(parts, expr.is_Add)
    if expr.is_Pow:
        return _power(_limit_inf(expr.base, d), expr.exp)
    func = type(expr)
    if func == sympy.log:
        inner = _limit_inf(expr.args[0], d)
        if inner == oo or (inner is not None and not isinstance(inner, sympy.AccumBounds) and inner > 0):
            return sympy.log(inner)
        return None
    if func in _AT_INFINITY and len(expr.args) == 1:
        inner = _limit_inf(expr.args[0], d)
        if inner is None or isinstance(inner, sympy.AccumBounds) and func != sympy.exp:
            return None
        if inner in (oo, -oo):
            return sympy.S(_AT_INFINITY[func][0 if inner == oo else 1])
        return func(inner)  # continuous at a finite limit (entire functions and atan)
    return None


def _combine(parts, add):
    total = sympy.Integer(0 if add else 1)
    for part in parts:
        if add and {total, part} in ({oo, -oo},):
            return None
        if not add and _indeterminate_product(total, part):
            return None
        total = total + part if add else total * part
    if isinstance(total, sympy.AccumBounds) and total.min.is_infinite and total.max.is_infinite:
        return None
    return total


def _indeterminate_product(a, b):
    def zero_like(v):
        return v == 0 or isinstance(v, sympy.AccumBounds) and v.min <= 0 <= v.max
    infinite = lambda v: v in (oo, -oo)
    return (infinite(a) and zero_like(b)) or (infinite(b) and zero_like(a))


def _power(base, exponent):
    if base is None or exponent.has(x) or not exponent.is_extended_real:
        return None
    if isinstance(base, sympy.AccumBounds):
        return base**exponent if exponent.is_integer and exponent > 0 else None
    if base == 0:
        # 0**negative is +-oo with a sign the limit arithmetic does not see
        return sympy.Integer(0) if exponent > 0 else None
    if base in (oo, -oo):
        if exponent < 0:
            return sympy.Integer(0)
        return base**exponent if base == oo or exponent.is_integer else None
    if base.is_negative and not exponent.is_integer:
        return None
    return base**exponent


def _plain_limit(expr, point, side):
    value = sympy.limit(expr, x, point, side)
    # only numbers (or oo, or bounds) count; a limit left in terms of functions is no answer
    if isinstance(value, sympy.AccumBounds) or value.is_number and not value.atoms(sympy.Function):
        return value
    return None


def slope(phi, direction, dps=30):
    """``lim phi(x)/x`` as x -> direction*oo, as a :class:`Quantity`.

    Exact through a budgeted SymPy limit when it answers, else numeric from
    phi(t)/t at growing t, else undefined with the reason.

    >>> str(slope(sympy.tanh(x), 1)), slope(x**2, -1).value
    ('0', mpf('-inf'))
    >>> slope(x * sympy.sin(x), 1).reason
    'phi(x)/x has no limit: it oscillates within AccumBounds(-1, 1)'
    """
    end_piece = decompose(phi).pieces[-1 if direction > 0 else 0]
    end = end_piece.expr
    if _poles_accumulate(end_piece):
        return Quantity.undefined("phi has poles accumulating at infinity, so phi(x)/x has no limit",
                                  "singularity analysis", dps)
    limit = symbolic_limit(end / x, direction * oo)
    if isinstance(limit, sympy.AccumBounds):
        return Quantity.undefined(f"phi(x)/x has no limit: it oscillates within {limit}",
                                  "symbolic limit", dps)
    if limit is not None and limit.is_extended_real and not limit.has(sympy.Limit):
        if limit.is_finite:
            return Quantity.from_exact(limit, "symbolic limit", dps)
        return Quantity.infinite(1 if limit > 0 else -1, "symbolic limit", dps)
    return numeric_limit(end / x, direction, dps)


def _poles_accumulate(piece):
    from .singularities import Family, SingularityUnknown, _candidates

    try:
        return isinstance(_candidates(piece.expr, piece.lo, piece.hi)[1], Family)
    except SingularityUnknown:
        return False


def numeric_limit(expr, direction, dps):
    """``lim expr`` as x -> direction*oo from values at x = 16^k, as a numeric :class:`Quantity`."""
    func = lambdify_mpmath(x, expr)
    values = []
    with workdps(dps):
        for k in range(1, 64):
            t = direction * mpmath.mpf(2) ** (k * 4)
            try:
                values.append(mpmath.mpf(func(t)))
            except (OverflowError, MemoryError, ValueError, TypeError, ZeroDivisionError, SymsigError):
                break
            if len(values) >= 3:
                d1, d2 = abs(values[-1] - values[-2]), abs(values[-2] - values[-3])
                scale = max(1, abs(values[-1]))
                if d1 <= mpmath.mpf(10) ** (-dps - 2) * scale and d2 >= d1:
                    return Quantity.numeric(values[-1], d1 + mpmath.eps * scale, "numeric limit", dps)
                if abs(values[-1]) > mpmath.mpf(10) ** 8 * max(1, abs(values[0])) and d1 > d2:
                    sign = 1 if values[-1] > 0 else -1
                    return Quantity.infinite(sign, "numeric limit (growing)", dps)
    return Quantity.undefined(f"{expr} has no limit (it does not settle numerically)", "numeric limit", dps)


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
