"""Gaussian expectations of Mittag-Leffler activations, term by term.

If ``f(x) = sum c_n x^n`` is entire of growth order below 2, then
``E[f(mu + sigma Z)] = sum c_n E[X^n]`` converges super-geometrically, with the
moments from ``E[X^n] = mu E[X^(n-1)] + (n-1) sigma^2 E[X^(n-2)]``
(``E[X^(2k)] = sigma^(2k) (2k-1)!!`` at mu = 0).  :func:`series_expectation`
takes that path for sums and products of polynomials, ``exp(u)``,
``MittagLeffler(a, b, u)`` and ``Prabhakar(g, a, b, u)`` with polynomial ``u``,
``u(0) = 0`` (``exp`` allows a constant), and order ``deg(u)/a < 2``; anything
else returns None so the caller can fall back to quadrature.

>>> import mpmath, sympy
>>> from symsig.mittag_leffler import MittagLeffler, x
>>> r = series_expectation(MittagLeffler(1, 1, x), x, 1, dps=20)
>>> mpmath.nstr(r.value, 20)  # E[exp(Z)] = exp(1/2) = 1.64872127070012814684865...
'1.6487212707001281468'
>>> r.exact
Sum(factorial2(2*k - 1)/gamma(2*k + 1), (k, 0, oo))
>>> series_expectation(sympy.tanh(x), x, 1) is None
True
"""

import math
from dataclasses import dataclass

import sympy

from ..errors import DomainError, InputError
from ..precision import at_digits, check_dps, engine_call, exact_number, GUARD_DIGITS, mp, to_mpmath
from .functions import MittagLeffler, Prabhakar, _exact

MAX_TERMS = 1024  # beyond this the O(n^2) products cost more than quadrature


@dataclass(frozen=True)
class SeriesExpectation:
    """``E[f(mu + sigma Z)]``: value (mpf), estimated absolute error, method, terms used.

    ``exact`` is a SymPy ``Sum`` in sigma for a single Mittag-Leffler atom at
    mu = 0, else None.
    """

    value: object
    error: object
    method: str
    terms: int
    exact: object = None


class _NotApplicable(Exception):
    """The expression is outside the class the series path handles."""


@engine_call
def series_expectation(f, x, sigma, mu=0, dps=30):
    """``E[f(mu + sigma Z)]`` by term-by-term Gaussian moments, or None if that path does not apply."""
    dps = check_dps(dps)
    sigma, mu = exact_number(sigma, "sigma"), exact_number(mu, "mu")
    if not sigma.is_positive:
        raise DomainError(f"sigma is a standard deviation and must be > 0, got {sigma}")
    f = _exact(_read(f, x))
    try:
        if _order(f, x) >= 2:
            return None
    except _NotApplicable:
        return None
    terms = 64
    with at_digits(dps + GUARD_DIGITS):  # one private context; _try only changes its precision
        while terms <= MAX_TERMS:
            found = _try(f, x, sigma, mu, dps, terms)
            if isinstance(found, tuple):
                return SeriesExpectation(found[0], found[1], f"series (term-by-term Gaussian moments, "
                                         f"{terms} terms)", terms, _exact_series(f, x, sigma, mu))
            terms = max(2 * terms, found)
    return None


def _read(f, x):
    """``f`` as a SymPy expression: strings through the safe parser, in the variable ``x``."""
    if isinstance(f, str):
        from ..activations import parse_expression
        if not isinstance(x, sympy.Symbol):
            raise InputError(f"the variable must be a SymPy Symbol, got {x!r}")
        return parse_expression(f, {x.name: x}, what="the series integrand")
    if isinstance(f, sympy.Basic):
        return f
    return exact_number(f, "f")


def _try(f, x, sigma, mu, dps, terms):
    """(value, error) with `terms` Taylor terms, or, if the terms have not died out, a prediction
    of how many terms would be needed (:func:`_terms_needed`)."""
    lost = 0
    for _ in range(3):
        wp = dps + GUARD_DIGITS + lost + int(math.log10(terms)) + 2
        with mp.workdps(wp):
            coefficients = _coefficients(f, x, terms)
            moments = _moments(to_mpmath(mu), to_mpmath(sigma), terms)
            parts = [c * m for c, m in zip(coefficients, moments)]
            total = mp.fsum(parts)
            biggest = max(abs(p) for p in parts)
            last = max(abs(p) for p in parts[3 * terms // 4:])
            before = max(abs(p) for p in parts[terms // 2: 3 * terms // 4])
            tail = last * terms  # the last quarter still adds at most this much
            if last >= before or tail > biggest * mp.mpf(10) ** (-wp + 2):
                return _terms_needed(parts)
            error = tail + biggest * mp.mpf(10) ** (-wp + 2) * terms
            if total and error <= abs(total) * mp.mpf(10) ** (-dps - 1):
                return total, error
            if total:
                lost = int(float(mp.log10(biggest / abs(total)))) + 5
            else:
                return total, error  # an exact zero (odd f at mu = 0): error is absolute
    return 2 * terms


def _terms_needed(parts):
    """Terms a series whose last ``parts`` still matter would need, predicted from their growth.

    For an entire function of order 1 and type tau the parts c_k E[X^k] behave like
    (tau sigma)^k / sqrt(k!) (every other one may vanish), so |part_k / part_(k-2)| is about
    (tau sigma)^2 / k: the parts peak near k = k * ratio and have died out by about twice that.
    A prediction beyond MAX_TERMS sends the expectation to quadrature without the doomed
    attempts in between.
    """
    k = len(parts) - 1
    while k >= 2 and not (parts[k] and parts[k - 2]):
        k -= 1
    if k < 2:
        return 2 * len(parts)
    return max(2 * len(parts), int(2 * k * min(abs(parts[k] / parts[k - 2]), 10 ** 6)))


def _moments(mu, sigma, count):
    """E[X^n], X = mu + sigma Z, for n < count."""
    out = [mp.mpf(1), mu]
    for n in range(2, count):
        out.append(mu * out[n - 1] + (n - 1) * sigma ** 2 * out[n - 2])
    return out[:count]


def _polynomial(expr, x):
    try:
        poly = sympy.Poly(expr, x)
    except sympy.PolynomialError:
        raise _NotApplicable from None
    if any(not c.is_number for c in poly.all_coeffs()):
        raise _NotApplicable
    return poly


def _order(expr, x):
    """Growth order of the entire function expr(x); raises _NotApplicable outside the class."""
    if not expr.has(x):
        return 0
    if expr == x:
        return 0
    if expr.is_Add or expr.is_Mul:
        return max(_order(arg, x) for arg in expr.args)
    if expr.is_Pow:
        if not (expr.exp.is_Integer and expr.exp >= 0):
            raise _NotApplicable
        return _order(expr.base, x)
    if isinstance(expr, sympy.exp):
        return _polynomial(expr.args[0], x).degree()
    if isinstance(expr, (MittagLeffler, Prabhakar)):
        *params, u = expr.args
        a = params[-2]
        if any(p.has(x) or not p.is_number for p in params) or not a.is_positive:
            raise _NotApplicable
        poly = _polynomial(u, x)
        if poly.eval(0) != 0:
            raise _NotApplicable
        return float(poly.degree() / a)
    raise _NotApplicable


def _coefficients(expr, x, n):
    """First n Taylor coefficients at 0, at the current precision."""
    if not expr.has(x):
        return [to_mpmath(expr)] + [mp.mpf(0)] * (n - 1)
    if expr.is_Add:
        columns = [_coefficients(arg, x, n) for arg in expr.args]
        return [mp.fsum(col) for col in zip(*columns)]
    if expr.is_Mul:
        out = None
        for arg in expr.args:
            series = _coefficients(arg, x, n)
            out = series if out is None else _product(out, series, n)
        return out
    if expr.is_Pow:
        base = _coefficients(expr.base, x, n)
        out = [mp.mpf(1)] + [mp.mpf(0)] * (n - 1)
        for _ in range(int(expr.exp)):
            out = _product(out, base, n)
        return out
    if expr == x:
        return [mp.mpf(0), mp.mpf(1)] + [mp.mpf(0)] * (n - 2)
    if isinstance(expr, sympy.exp):
        poly = _polynomial(expr.args[0], x)
        shift = poly.eval(0)
        rest = poly.as_expr() - shift
        weights = [mp.rgamma(k + 1) for k in range(n)]
        return [to_mpmath(sympy.exp(shift)) * c for c in _compose(rest, x, weights, n)]
    g, a, b, u = expr.args if isinstance(expr, Prabhakar) else (sympy.S.One, *expr.args)
    gg, aa, bb = to_mpmath(g), to_mpmath(a), to_mpmath(b)
    weights = [mp.rf(gg, k) * mp.rgamma(k + 1) * mp.rgamma(aa * k + bb) for k in range(n)]
    return _compose(u, x, weights, n)


def _compose(u, x, weights, n):
    """Coefficients of sum_k weights[k] u(x)^k for a polynomial u with u(0) = 0."""
    coeffs = _polynomial(u, x).all_coeffs()[::-1]
    inner = [to_mpmath(c) for c in coeffs] + [mp.mpf(0)] * max(0, n - len(coeffs))
    inner = inner[:n]
    low = next(i for i, c in enumerate(inner) if c)
    out = [mp.mpf(0)] * n
    power = [mp.mpf(1)] + [mp.mpf(0)] * (n - 1)
    for k in range(n):
        if k * low >= n:
            break
        for i in range(k * low, n):
            out[i] += weights[k] * power[i]
        power = _product(power, inner, n)
    return out


def _product(p, q, n):
    """Truncated Cauchy product, skipping zero coefficients."""
    out = [mp.mpf(0)] * n
    nonzero = [(j, c) for j, c in enumerate(q) if c]
    for i, a in enumerate(p):
        if a:
            for j, c in nonzero:
                if i + j >= n:
                    break
                out[i + j] += a * c
    return out


def _exact_series(f, x, sigma, mu):
    """``Sum`` in sigma for ``K * MittagLeffler(a, b, c x^m)``, m in {1, 2}, at mu = 0."""
    if mu != 0:
        return None
    factor, atom = f.as_independent(x, as_Add=False)
    if not isinstance(atom, MittagLeffler):
        return None
    a, b, u = atom.args
    coeff, power = u.as_coeff_exponent(x)
    if coeff.has(x) or power not in (1, 2):
        return None
    k = sympy.Symbol("k", integer=True, nonnegative=True)
    if power == 1:  # odd moments vanish: keep z^(2k)
        term = coeff ** (2 * k) * sigma ** (2 * k) * sympy.factorial2(2 * k - 1) / sympy.gamma(2 * a * k + b)
    else:
        term = coeff ** k * sigma ** (2 * k) * sympy.factorial2(2 * k - 1) / sympy.gamma(a * k + b)
    return sympy.Sum(sympy.powsimp(factor * term), (k, 0, sympy.oo))
