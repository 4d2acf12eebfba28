"""``truncated_expectation``: E[g(X); a < X < b] for X ~ N(mu, sigma**2), by the table."""

from functools import lru_cache

import sympy
from sympy import exp, oo, pi, sqrt

from ..bounded import attempt
from ..precision import engine_call
from .gaussian import normal_integral
from .result import ExactResult
from .terms import split_terms
from .tidy import tidy


@engine_call
def truncated_expectation(g, x, a, b, sigma, mu=0):
    """``E[g(X) 1{a < X < b}]`` for ``X ~ N(mu, sigma**2)`` in closed form, or None (no rule).

    g must be smooth on (a, b) (the caller splits at kinks first).  Each term of
    the expanded g must belong to a family of the table: polynomial times
    ``exp(quadratic)`` times at most two ``Phi``/``erf`` factors of linear
    arguments, or ``sin``/``cos`` (whole line only).  If any term has no
    rule the answer is None, quickly.

    >>> from sympy import Symbol, erf, sqrt, oo
    >>> x = Symbol('x', real=True); sigma = Symbol('sigma', positive=True)
    >>> truncated_expectation(erf(x)**2, x, -oo, oo, sigma, 0).expr
    2*asin(2*sigma**2/(2*sigma**2 + 1))/pi
    >>> truncated_expectation(x, x, 0, oo, sigma, 0).expr
    sqrt(2)*sigma/(2*sqrt(pi))
    >>> truncated_expectation(sympy.tanh(x)**2, x, -oo, oo, sigma, 0) is None
    True
    """
    args = [sympy.sympify(v, strict=True) for v in (g, a, b, sigma, mu)]
    return _cached(args[0], x, *args[1:])


@lru_cache(maxsize=1024)
def _cached(g, x, a, b, sigma, mu):
    return attempt(_compute, g, x, a, b, sigma, mu)


def _compute(g, x, a, b, sigma, mu):
    terms = split_terms(g, x)
    if terms is None:
        return None
    whole_line = a is -oo and b is oo
    total, rules = sympy.Integer(0), set()
    for term in terms:
        oscillating = term.A.has(sympy.I) or term.B.has(sympy.I)
        if oscillating and (term.phis or not whole_line):
            return None
        A = term.A - 1 / (2 * sigma**2)
        B = term.B + mu / sigma**2
        part = normal_integral(term.k, A, B, term.phis, a, b)
        if part is None:
            return None
        total += term.coeff * part[0]
        rules |= part[1]
        if oscillating:
            rules.add("sin/cos as exp(i w x)")
    weight = exp(-mu**2 / (2 * sigma**2)) / (sigma * sqrt(2 * pi))
    return ExactResult.from_rules(tidy(weight * total), rules)
