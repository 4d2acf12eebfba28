"""Normal form of an integrand: a sum of ``c * x**k * exp(A x**2 + B x) * prod Phi(c_i + d_i x)``.

Every rule of the table works on one such term.  :func:`split_terms` rewrites
``erf``/``erfc`` through the standard normal CDF ``Phi``, ``sin``/``cos``/
``sinh``/``cosh`` through ``exp``, expands, and reads each term's factors; a
factor it cannot read means "no rule" (None), never a guess.
"""

from collections import namedtuple

import sympy
from sympy import Integer, exp, sqrt

_SQRT2 = sqrt(2)


class Phi(sympy.Function):
    """The standard normal CDF, ``Phi(z) = (1 + erf(z/sqrt(2)))/2``.

    >>> from sympy import Symbol, oo
    >>> z = Symbol('z')
    >>> Phi(0), Phi(oo), Phi(-oo)
    (1/2, 1, 0)
    >>> Phi(z).rewrite(sympy.erf)
    erf(sqrt(2)*z/2)/2 + 1/2
    """

    @classmethod
    def eval(cls, z):
        if z.is_zero:
            return sympy.S.Half
        if z is sympy.oo:
            return Integer(1)
        if z is sympy.S.NegativeInfinity:
            return Integer(0)
        return None

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise sympy.ArgumentIndexError(self, argindex)
        return density(self.args[0])

    def _eval_rewrite_as_erf(self, z, **kwargs):
        return (1 + sympy.erf(z / _SQRT2)) / 2


def density(z):
    """Standard normal density ``exp(-z**2/2)/sqrt(2 pi)`` (0 at +-oo)."""
    if z.is_infinite:
        return Integer(0)
    return exp(-z**2 / 2) / sqrt(2 * sympy.pi)


Term = namedtuple("Term", "coeff k A B phis")
Term.__doc__ = "coeff * x**k * exp(A x**2 + B x) * prod(Phi(c + d x) for c, d in phis)"


def to_phi(g):
    """Rewrite erf, erfc and the trigonometric/hyperbolic functions so :func:`split_terms` can read g."""
    g = g.replace(sympy.erf, lambda u: 2 * Phi(_SQRT2 * u) - 1)
    g = g.replace(sympy.erfc, lambda u: 2 * Phi(-_SQRT2 * u))
    return g.rewrite((sympy.sin, sympy.cos, sympy.sinh, sympy.cosh), sympy.exp)


def split_terms(g, x):
    """Return the list of :class:`Term` whose sum is g, or None if a factor has no rule.

    Terms with equal (k, A, B, phis) are merged and zero terms dropped.

    >>> from sympy import Symbol, erf, exp, sqrt
    >>> x = Symbol('x', real=True)
    >>> split_terms(x * (1 + erf(x / sqrt(2))) / 2, x)
    [Term(coeff=1, k=1, A=0, B=0, phis=((0, 1),))]
    >>> split_terms(exp(x) * x**2 - 3, x)
    [Term(coeff=-3, k=0, A=0, B=0, phis=()), Term(coeff=1, k=2, A=0, B=1, phis=())]
    >>> split_terms(sympy.tanh(x), x) is None
    True
    """
    expanded = sympy.expand(to_phi(g), power_base=False, log=False, multinomial=True)
    merged = {}
    for addend in sympy.Add.make_args(expanded):
        term = _read_term(addend, x)
        if term is None:
            return None
        key = term[1:]
        merged[key] = merged.get(key, 0) + term.coeff
    terms = [Term(sympy.expand(c), *key) for key, c in merged.items()]
    return sorted((t for t in terms if t.coeff != 0), key=lambda t: sympy.default_sort_key(t[1:]))


def _read_term(addend, x):
    coeff, k, A, B, phis = Integer(1), 0, Integer(0), Integer(0), []
    for factor, power in _factors(addend):
        if not factor.has(x):
            coeff *= factor**power
        elif factor == x and power.is_Integer and power >= 0:
            k += int(power)
        elif isinstance(factor, sympy.exp):
            quad = _polynomial_coeffs(factor.args[0] * power, x, 2)
            if quad is None:
                return None
            coeff *= exp(quad[0])
            B += quad[1]
            A += quad[2]
        elif isinstance(factor, Phi) and power.is_Integer and power > 0:
            line = _polynomial_coeffs(factor.args[0], x, 1)
            if line is None:
                return None
            phis.extend([tuple(line)] * int(power))
        else:
            return None
    phis = tuple(sorted(phis, key=sympy.default_sort_key))
    return Term(coeff, k, sympy.expand(A), sympy.expand(B), phis)


def _factors(term):
    for factor in sympy.Mul.make_args(term):
        if factor.is_Pow and factor.base != sympy.E:
            yield factor.base, factor.exp
        else:
            yield factor, Integer(1)


def _polynomial_coeffs(expr, x, degree):
    """[c0, c1, ...] if expr is a polynomial of at most the given degree in x, else None."""
    expr = sympy.expand(expr)
    coeffs, rest = [], expr
    for n in range(degree, 0, -1):
        c = rest.coeff(x, n)
        if c.has(x):
            return None
        coeffs.append(c)
        rest = sympy.expand(rest - c * x**n)
    if rest.has(x):
        return None
    return [rest] + coeffs[::-1]
