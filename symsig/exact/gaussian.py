"""The table of normal integrals, one rule per family (after Owen, 1980).

Two functions, each returning ``(expr, rules)`` or None ("no rule"):

* :func:`normal_integral` ``(k, A, B, phis, a, b)`` = ``int_a^b x**k exp(A x**2 + B x)
  prod Phi(c + d x) dx`` for ``A < 0``: completing the square turns it into a
  Gaussian expectation, which the substitution ``x = m + s t`` reduces to
* :func:`standard_integral` ``(j, phis, alpha, beta)`` = ``int_alpha^beta t**j phi(t)
  prod Phi(c + d t) dt`` (``phi`` the standard normal density), given by

  - truncated moments, ``M_j = (j-1) M_{j-2} - [t**(j-1) phi(t)]``, ``M_0 = Phi(beta) - Phi(alpha)``;
  - integration by parts (Stein) against a Phi factor, whose derivative
    ``d phi(c + d t)`` merges into the Gaussian weight: one Phi factor fewer;
  - ``E[Phi(c + d Z)] = Phi(c / sqrt(1 + d**2))``;
  - ``E[Phi(d1 Z) Phi(d2 Z)] = 1/4 + asin(rho)/(2 pi)``, ``rho = d1 d2 / sqrt((1+d1**2)(1+d2**2))``
    (Sheppard's orthant probability);
  - ``int_0^oo phi(t) Phi(d t) dt = 1/4 + atan(d)/(2 pi)`` (Owen's T at h = 0).

Anything else (Owen's T at h != 0, three Phi factors, ...) has no rule.
"""

from functools import lru_cache

import sympy
from sympy import Integer, Rational, asin, atan, binomial, exp, gamma, oo, pi, sqrt

from .terms import Phi, density

MAX_PHIS = 2


def normal_integral(k, A, B, phis, a, b):
    """``int_a^b x**k exp(A x**2 + B x) prod Phi(c + d x) dx`` as ``(expr, rules)``, A < 0."""
    if not sympy.sympify(A, strict=True).is_negative:
        return None
    s = 1 / sqrt(-2 * A)
    m = B * s**2
    scale = exp(B**2 * s**2 / 2) * s * sqrt(2 * pi)
    moment = gaussian_moment(k, m, s, phis, a, b)
    if moment is None:
        return None
    expr, rules = moment
    return scale * expr, rules | {"completing the square"}


def gaussian_moment(k, m, s, phis, a, b):
    """``E[X**k prod Phi(c + d X); a < X < b]`` for ``X ~ N(m, s**2)`` as ``(expr, rules)``."""
    alpha = _standardise(a, m, s)
    beta = _standardise(b, m, s)
    shifted = tuple((sympy.expand(c + d * m), sympy.expand(d * s)) for c, d in phis)
    total, rules = Integer(0), frozenset()
    # at m = 0 only j = k survives: skipping the others keeps relu(x)**1000 linear in k
    for j in (range(k + 1) if not m.is_zero else (k,)):
        part = standard_integral(j, shifted, alpha, beta)
        if part is None:
            return None
        total += binomial(k, j) * m**(k - j) * s**j * part[0]
        rules |= part[1]
    return total, rules


def _standardise(endpoint, m, s):
    if endpoint.is_infinite:
        return endpoint
    return sympy.expand((endpoint - m) / s)


@lru_cache(maxsize=4096)
def standard_integral(j, phis, alpha, beta):
    """``int_alpha^beta t**j phi(t) prod Phi(c + d t) dt`` as ``(expr, rules)`` or None."""
    constant = Integer(1)
    moving = []
    for c, d in phis:
        if d.is_zero:
            constant *= Phi(c)
        else:
            moving.append((c, d))
    if len(moving) > MAX_PHIS:
        return None
    if not moving:
        return constant * _truncated_moment(j, alpha, beta), frozenset({"truncated normal moments"})
    result = _with_phis(j, tuple(moving), alpha, beta)
    if result is None:
        return None
    return constant * result[0], result[1]


def _truncated_moment(j, alpha, beta):
    """``M_j = (j-1) M_{j-2} - [t**(j-1) phi(t)]``, iterated upwards (no recursion depth in j)."""
    if (alpha, beta) in ((0, oo), (-oo, 0)):
        # the half-line moment in closed form: 2**(j/2 - 1) Gamma((j + 1)/2) / sqrt(pi)
        return (-1 if beta == 0 and j % 2 else 1) * 2**Rational(j - 2, 2) * gamma(Rational(j + 1, 2)) / sqrt(pi)
    moment = Phi(beta) - Phi(alpha) if j % 2 == 0 else Integer(0)
    for i in range(2 - j % 2, j + 1, 2):
        boundary = _at(lambda t: t**(i - 1) * density(t), beta) - _at(lambda t: t**(i - 1) * density(t), alpha)
        moment = (i - 1) * moment - boundary
    return moment


def _at(f, t):
    """f at an endpoint; every integrand here carries phi(t), so it is 0 at +-oo."""
    return Integer(0) if t.is_infinite else f(t)


def _with_phis(j, phis, alpha, beta):
    if j == 0:
        return _base(phis, alpha, beta)
    rules = {"Stein integration by parts"}

    def boundary(t):
        value = t**(j - 1) * density(t)
        for c, d in phis:
            value *= Phi(c + d * t)
        return value

    total = _at(boundary, alpha) - _at(boundary, beta)
    if j >= 2:
        lower = _with_phis(j - 2, phis, alpha, beta)
        if lower is None:
            return None
        total += (j - 1) * lower[0]
        rules |= lower[1]
    for i, (c, d) in enumerate(phis):
        # phi(t) phi(c + d t) = exp(-(1 + d^2) t^2/2 - c d t - c^2/2) / (2 pi)
        others = phis[:i] + phis[i + 1:]
        merged = normal_integral(j - 1, -(1 + d**2) / 2, -c * d, others, alpha, beta)
        if merged is None:
            return None
        total += d * exp(-c**2 / 2) / (2 * pi) * merged[0]
        rules |= merged[1]
    return total, frozenset(rules)


def _base(phis, alpha, beta):
    whole_line = alpha is -oo and beta is oo
    if len(phis) == 1:
        (c, d), = phis
        if whole_line:
            return Phi(c / sqrt(1 + d**2)), frozenset({"E[Phi(c + d Z)]"})
        if c.is_zero and {alpha, beta} in ({0, oo}, {-oo, 0}):
            sign = 1 if beta is oo else -1
            return Integer(1) / 4 + sign * atan(d) / (2 * pi), frozenset({"Owen's T at h = 0 (arctan)"})
        return None
    (c1, d1), (c2, d2) = phis
    if whole_line and c1.is_zero and c2.is_zero:
        rho = d1 * d2 / sqrt((1 + d1**2) * (1 + d2**2))
        return Integer(1) / 4 + asin(rho) / (2 * pi), frozenset({"Sheppard orthant (arcsin)"})
    return None
