"""Structural limits at +-oo: limit arithmetic over compositions of functions with known ends.

The first tier of every limit at infinity (slopes, tails, growth): it reads the
expression tree and never runs an open-ended algorithm, so it answers in time
linear in the size of the expression or says None (an indeterminate form).
:mod:`symsig.calculus` and :mod:`symsig.singularities` both build on it.

:func:`periodic_split` separates the periodic parts (trigonometric polynomials with
commensurable frequencies) from the rest, with exact Fourier coefficients, so that an
oscillation at infinity is proved rather than read off the (possibly loose) bounds that
limit arithmetic gives sin(x)**2 + cos(x)**2.
"""

from dataclasses import dataclass

import sympy
from sympy import oo
from sympy.functions.elementary.trigonometric import TrigonometricFunction

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
    return _checked(value)


def add_limits(parts):
    """The limit of a sum whose terms tend to ``parts`` (numbers, +-oo, ``AccumBounds``) by limit
    arithmetic, or None where that is indeterminate (oo - oo).

    >>> add_limits([sympy.Integer(1), sympy.Integer(0)]), add_limits([oo, -oo]) is None
    (1, True)
    """
    try:
        value = _combine(parts, True)
    except (TypeError, ValueError, ArithmeticError):
        return None
    return _checked(value)


def _checked(value):
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


# ------------------------------------------------- periodic parts at infinity

_PERIODIC = (sympy.sin, sympy.cos)
#: largest degree (in exp(i frequency x)) of a trigonometric polynomial that is expanded:
#: (1 + sin x)**10000 is a small expression with 10001 Fourier modes
MAX_TRIG_DEGREE = 64  # (1 + sin x)**64 takes about a second


def _linear_argument(arg):
    """``(a, b)`` with arg = a x + b, a a nonzero real constant and b real, else None."""
    a, b = arg.diff(x), arg.subs(x, 0)
    if a.has(x) or not (a.is_extended_real and a.is_nonzero and b.is_extended_real):
        return None
    return a, b


@dataclass(frozen=True)
class PeriodicSplit:
    """``expr = sum_k x**k powers[k] + sum_j m_j(x) Q_j(x) + rest`` (``modulated`` holds the
    pairs ``(m_j, Q_j)``): ``powers[k]`` and ``Q_j`` are trigonometric polynomials (polynomials
    in sin and cos of ``a_i x + b_i``), all with the period ``2 pi / frequency`` because every
    ``a_i`` is an integer multiple of ``frequency``; ``m_j`` and ``rest`` have no sin or cos of x.
    ``harmonics`` maps each sin/cos atom to that integer multiple.
    """

    frequency: sympy.Expr
    harmonics: dict
    powers: dict
    modulated: tuple
    rest: sympy.Expr

    @property
    def period(self):
        return 2 * sympy.pi / self.frequency

    def fourier(self, trig):
        """``{n: c_n}`` with trig = sum_n c_n exp(i n frequency x), zero coefficients dropped
        (None above :data:`MAX_TRIG_DEGREE`).

        The c_n are exact: sin and cos are rewritten through exp(i (a x + b)) and the
        polynomial is expanded in z = exp(i frequency x); ``c_0`` is the mean over a period.
        """
        markers = {atom: sympy.Dummy() for atom in self.harmonics}
        poly = sympy.Poly(trig.xreplace(markers), *markers.values())
        if poly.total_degree() * max(map(abs, self.harmonics.values())) > MAX_TRIG_DEGREE:
            return None
        z = sympy.Dummy("z")

        def rewrite(atom):
            arg = atom.args[0]
            shift, n = sympy.exp(sympy.I * arg.subs(x, 0)), self.harmonics[atom]
            up, down = shift * z**n, z**-n / shift
            return (up - down) / (2 * sympy.I) if atom.func == sympy.sin else (up + down) / 2
        expanded = sympy.expand(trig.xreplace({atom: rewrite(atom) for atom in self.harmonics}))
        coefficients = {}
        for term in sympy.Add.make_args(expanded):
            c, n = term.as_coeff_exponent(z)
            coefficients[n] = coefficients.get(n, 0) + c
        coefficients = {n: sympy.expand(c) for n, c in coefficients.items()}
        return {n: c for n, c in coefficients.items() if c != 0}


def periodic_split(expr):
    """The :class:`PeriodicSplit` of ``expr``, or None.

    None when expr has no sin/cos of x, a trigonometric function other than sin and cos
    (tan has poles), an argument that is not linear in x, frequencies with an irrational
    ratio (sin x + sin(sqrt(2) x) is not periodic), or a term whose x-dependence mixes a
    sin/cos with something that is not a power of x in a way this split does not separate.

    >>> s = periodic_split(x + x * sympy.sin(x) + sympy.sin(x / 2)**2)
    >>> s.period, s.powers[1], s.powers[0]
    (4*pi, sin(x) + 1, sin(x/2)**2)
    >>> sorted(s.fourier(s.powers[0]).items())  # z = exp(i x/2): sin(x/2)**2 = 1/2 - (z**2 + z**-2)/4
    [(-2, -1/4), (0, 1/2), (2, -1/4)]
    """
    atoms = [f for f in expr.atoms(TrigonometricFunction) if f.has(x)]
    if not atoms or any(not isinstance(f, _PERIODIC) for f in atoms):
        return None
    linear = [_linear_argument(f.args[0]) for f in atoms]
    if None in linear:
        return None
    ratios = [a / linear[0][0] for a, _ in linear]
    if not all(r.is_Rational for r in ratios):
        return None
    frequency = abs(linear[0][0]) / sympy.ilcm(1, *[r.q for r in ratios])
    harmonics = {f: int(a / frequency) for f, (a, _) in zip(atoms, linear)}
    if any(p.exp.is_Integer and abs(p.exp) > MAX_TRIG_DEGREE for p in expr.atoms(sympy.Pow)):
        return None  # too many terms to expand
    markers = {f: sympy.Dummy() for f in atoms}
    powers, modulated, rest = {}, [], sympy.Integer(0)
    for term in sympy.Add.make_args(sympy.expand(expr)):
        k, trig, other = 0, sympy.Integer(1), sympy.Integer(1)
        for factor in sympy.Mul.make_args(term):
            base, exponent = factor.as_base_exp()
            if base == x and exponent.is_Integer and exponent > 0:
                k += int(exponent)
            elif factor.has(*atoms) and _trig_polynomial(factor, markers):
                trig *= factor
            elif factor.has(*atoms):
                return None  # exp(sin(x)), sin(x)**-1: not a trigonometric polynomial
            else:
                other *= factor
        if other.has(x):
            if trig == 1:
                rest += term
            else:
                modulated.append((x**k * other, trig))
        else:
            powers[k] = powers.get(k, 0) + other * trig
    return PeriodicSplit(frequency, harmonics, powers, tuple(modulated), rest)


def _trig_polynomial(factor, markers):
    replaced = factor.xreplace(markers)
    return not replaced.has(x) and replaced.is_polynomial(*markers.values())
