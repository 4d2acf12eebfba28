"""Structural limits at +-oo: limit arithmetic over compositions of functions with known ends.

The first tier of every limit at infinity (slopes, tails, growth): it reads the
expression tree and never runs an open-ended algorithm, so it answers in time
linear in the size of the expression or says None (an indeterminate form).
:mod:`symsig.calculus` and :mod:`symsig.singularities` both build on it.
"""

import sympy
from sympy import oo

from .activations import x


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
    0 * oo, a bounded oscillation times oo) gives None, and the caller goes on
    to its next tier.  The answer is a number, +-oo, or an
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
