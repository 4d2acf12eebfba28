"""The exact tier of Gaussian expectations ``E[f(mu + sigma Z)]``: a closed form in sigma
(and mu) from symmetry or from the rule-based engine of :mod:`symsig.exact`, piece by
piece between the kinks; plus the checks of (sigma, mu, dps) every tier shares.

A module of its own below :mod:`symsig.gaussian`, so that the certified tier
(:mod:`symsig.certified.expectation`) can use it while :mod:`symsig.gaussian` offers
``certified=True``.

>>> from symsig.activations import x
>>> exact_form(as_pieces(sympy.Max(x, 0)), 0)  # E[relu(sigma Z)] = sigma / sqrt(2 pi)
(sqrt(2)*sigma/(2*sqrt(pi)), 'completing the square + truncated normal moments')
"""

from functools import lru_cache

import sympy

from .activations import get_activation, x
from .bounded import is_zero
from .calculus import PiecewiseSmooth, decompose
from .components import SIGMA
from .errors import DomainError, InputError
from .exact import tidy, truncated_expectation
from .precision import check_dps, exact_number


MU = sympy.Symbol("mu", real=True)


def check_gaussian(sigma, mu, dps):
    """Validate and convert (sigma, mu, dps) to exact numbers."""
    sigma = exact_number(sigma, "sigma")
    mu = exact_number(mu, "mu")
    if not sigma.is_real or not sigma > 0:
        raise DomainError(f"sigma is a standard deviation and must be > 0, got {sigma}")
    if not mu.is_real:
        raise DomainError(f"mu must be real, got {mu}")
    return sigma, mu, check_dps(dps)


def as_pieces(f):
    """An integrand as pieces: anything :func:`~symsig.activations.get_activation` accepts
    (a catalogue name, a string, a SymPy expression in a real symbol named x), or pieces."""
    if isinstance(f, PiecewiseSmooth):
        return f
    if not isinstance(f, (str, sympy.Basic)):
        raise InputError(f"an integrand is a name, a string or a SymPy expression in x, got {f!r}")
    return decompose(get_activation(f).expr)


@lru_cache(maxsize=2048)
def exact_form(pieces, mu=MU):
    """``(expr, rule)``: E[f(mu + SIGMA Z)] in closed form, or None when no rule applies.

    ``mu`` is the symbol MU (a form valid for every bias) or a number; odd
    integrands give 0 at mu = 0 by symmetry.
    """
    if mu == 0:
        half = _symmetric_part(pieces)
        if half is not None:
            return half, "symmetry: f(x) + f(-x) is constant"
    terms, rules = [], []
    for piece in pieces.pieces:
        result = truncated_expectation(piece.expr, x, piece.lo, piece.hi, SIGMA, mu)
        if result is None:
            return None
        terms.append(result.expr)
        if result.rule and result.rule not in rules:
            rules.append(result.rule)
    return tidy(sympy.Add(*terms)), "; ".join(rules) or "zero"


def _symmetric_part(pieces):
    """K/2 when f(x) + f(-x) = K for all x (so E[f(sigma Z)] = K/2), else None.

    Covers odd integrands (K = 0), sigmoid (K = 1), swish' and gelu' (K = 1).
    """
    expr = pieces.as_expr()
    if expr == 0:
        return None
    both = expr + expr.subs(x, -x)
    for point in (0, 1):  # 0 may be an (integrable) singular point, as for |x|**(-1/2)
        constant = both.subs(x, point)
        if constant.is_number and not constant.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
            # piece by piece: simplify cannot see through a sum of two Piecewise
            smooth = all(is_zero(piece.expr - constant) for piece in decompose(both).pieces)
            return constant / 2 if smooth else None
    return None
