"""Exact Hermite coefficients of piecewise-smooth activations, and their decay.

With ``h_n = He_n / sqrt(n!)`` and ``a_n = E[phi(Z) h_n(Z)]``, iterated Stein
(``E[phi He_n] = E[phi^(n)]``, derivatives in the sense of distributions) gives

    a_n = ( sum_c npdf(c) sum_{j<n} J_j(c) He_{n-1-j}(c) + E[phi_cl^(n)(Z)] ) / sqrt(n!)

where ``J_j(c)`` is the jump of ``phi^(j)`` at the breakpoint ``c`` and
``phi_cl^(n)`` the classical n-th derivative on the pieces.  Pieces that are
polynomials times exponentials of x give exact truncated Gaussian moments;
other pieces fall back to quadrature.

The dual ``E[phi(U) phi(V)] = sum b_n rho^n`` has ``b_n = a_n^2``.  The
largest jump term dominates: with k the smoothness degree (first jumping
derivative) and a single kink at 0,

    b_n ~ J_k^2 n^-(k + 3/2) / (sqrt(2) pi^(3/2))   on n = k + 1 (mod 2),

and summing this tail gives the endpoint singularity ``c (1 - rho)^(k + 1/2)``
of the dual with ``c = J_k^2 Gamma(-k - 1/2) / (2 sqrt(2) pi^(3/2))``
(ReLU: ``sqrt(2)/(3 pi)``).

>>> hermite_coefficient("relu", 2).exact
1/(2*sqrt(pi))
"""

from functools import lru_cache

import sympy
from sympy import Rational, exp, factorial, gamma, oo, pi, sqrt

from ..activations import get_activation, x
from ..errors import InputError
from ..facts import facts
from ..precision import engine_call, mp, workdps
from ..quadrature import gaussian_quadrature
from ..quantity import Quantity
from ._numeric import compiled


def _npdf(c):
    return exp(-c**2 / 2) / sqrt(2 * pi)


def _ncdf(c):
    if c == oo:
        return sympy.Integer(1)
    if c == -oo:
        return sympy.Integer(0)
    return (1 + sympy.erf(c / sqrt(2))) / 2


@lru_cache(maxsize=4096)
def he_at(m, c):
    """Probabilists' Hermite polynomial ``He_m(c)`` (exact)."""
    if c == 0:
        return sympy.Integer(0) if m % 2 else (-1) ** (m // 2) * sympy.factorial2(m - 1)
    return sympy.expand(sympy.hermite_prob(m, c))


def _truncated_moments(k, lo, hi):
    """``[integral_lo^hi y^i npdf(y) dy for i <= k]`` (exact; lo, hi may be infinite)."""
    def boundary(i, t):
        return sympy.Integer(0) if t in (oo, -oo) else t ** i * _npdf(t)
    moments = [_ncdf(hi) - _ncdf(lo), boundary(0, lo) - boundary(0, hi)]
    for i in range(2, k + 1):
        moments.append((i - 1) * moments[i - 2] + boundary(i - 1, lo) - boundary(i - 1, hi))
    return moments[:k + 1]


def _exp_polynomial_terms(expr):
    """``[(coeff, power, rate)]`` with ``expr = sum coeff x^power exp(rate x)``, or None."""
    terms = []
    for term in sympy.Add.make_args(sympy.expand(sympy.powsimp(expr))):
        rate, rest = sympy.Integer(0), sympy.Integer(1)
        for factor in sympy.Mul.make_args(term):
            if isinstance(factor, sympy.exp) or (factor.is_Pow and factor.base == sympy.E):
                arg = factor.exp if factor.is_Pow else factor.args[0]
                poly = sympy.Poly(arg, x) if arg.is_polynomial(x) else None
                if poly is None or poly.degree() > 1:
                    return None
                rate += poly.coeff_monomial(x)
                rest *= exp(poly.coeff_monomial(1))
            else:
                rest *= factor
        if not rest.is_polynomial(x):
            return None
        for (power,), coeff in sympy.Poly(rest, x).terms():
            terms.append((coeff, power, rate))
    return terms


def _piece_expectation(expr, lo, hi):
    """Exact ``integral_lo^hi expr(z) npdf(z) dz`` for exponential-polynomial pieces, else None."""
    terms = _exp_polynomial_terms(expr)
    if terms is None:
        return None
    total = sympy.Integer(0)
    for coeff, power, rate in terms:
        shift = lambda t: t - rate if t not in (oo, -oo) else t
        moments = _truncated_moments(power, shift(lo), shift(hi))
        inner = sum(sympy.binomial(power, i) * rate ** (power - i) * moments[i] for i in range(power + 1))
        total += coeff * exp(rate**2 / 2) * inner
    return total


class _Derivatives:
    """The classical derivatives of each piece, computed once and extended on demand."""

    def __init__(self, phi):
        self.pieces = facts(phi).pieces
        self.orders = [[p.expr] for p in self.pieces.pieces]

    def of(self, index, order):
        chain = self.orders[index]
        while len(chain) <= order:
            chain.append(sympy.diff(chain[-1], x))
        return chain[order]

    def jump(self, bp_index, order, point):
        left = self.of(bp_index, order).subs(x, point)
        right = self.of(bp_index + 1, order).subs(x, point)
        if not (left.is_finite and right.is_finite):
            raise InputError(f"a derivative of order {order} is infinite at x = {point}; "
                             "the jump formula needs one-sided derivatives")
        return sympy.nsimplify(right - left) if (right - left).has(sympy.Float) else right - left


@lru_cache(maxsize=64)
def _derivatives(phi):
    return _Derivatives(phi)


@engine_call
def hermite_coefficient(phi, n, dps=30):
    """``a_n = E[phi(Z) He_n(Z)] / sqrt(n!)`` by the jump formula (exact where the pieces allow)."""
    phi = get_activation(phi).expr
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise InputError(f"n must be a non-negative integer, got {n!r}")
    ders = _derivatives(phi)
    points = ders.pieces.breakpoints
    jump_part = sympy.Integer(0)
    for i, c in enumerate(points):
        jump_part += _npdf(c) * sum(ders.jump(i, j, c) * he_at(n - 1 - j, c) for j in range(n))
    classical = [_piece_expectation(ders.of(i, n), p.lo, p.hi) for i, p in enumerate(ders.pieces.pieces)]
    if all(c is not None for c in classical):
        return Quantity.from_exact((jump_part + sum(classical)) / sqrt(factorial(n)),
                                   "Stein jump formula, exact truncated Gaussian moments", dps)
    return _by_quadrature(phi, n, points, dps)


def _kinks_mp(points):
    return [mp.mpf(sympy.N(p, mp.dps)) for p in points]


def _numeric_probe(phi, n):
    f = compiled(phi)
    points = f.breakpoints()
    norm = 1 / mp.sqrt(mp.factorial(n))
    return lambda z: f(z, points) * mp.hermite(n, z / mp.sqrt(2)) * mp.mpf(2) ** (-mp.mpf(n) / 2) * norm


@engine_call
def hermite_by_quadrature(phi, n, dps=30):
    """``a_n`` by direct kink-split quadrature: an independent second method."""
    phi = get_activation(phi).expr
    return _by_quadrature(phi, n, facts(phi).breakpoints, dps)


def _by_quadrature(phi, n, points, dps):
    with workdps(dps):
        probe = _numeric_probe(phi, n)
        result = gaussian_quadrature(lambda z: [probe(z)], 1, 1, 0, dps, _kinks_mp(points))
        return Quantity.numeric(result.values[0], result.errors[0],
                                "quadrature of E[phi(Z) h_n(Z)], kink-split (tanh-sinh)", dps)


@engine_call
def smoothness(phi, d=2):
    """Smoothness degree k, leading jump J_k, and the predicted kernel spaces and decay rates.

    Predictions (Holzmueller and Schoelpple, arXiv 2506.22429, as reconstructed in
    the notes) hold for activations whose only non-smoothness is at 0 and finite k >= 1.

    >>> s = smoothness("relu")
    >>> s["k"], s["J_k"], s["nngp_sobolev"], s["ntk_sobolev"], s["b_n_exponent"]
    (1, 1, 2, 1, -5/2)
    >>> s["endpoint_coefficient"]
    sqrt(2)/(3*pi)
    """
    phi = get_activation(phi).expr
    d = sympy.Integer(d)
    k = facts(phi).smoothness_degree
    points = facts(phi).breakpoints
    report = {"k": k, "d": d, "kinks": points, "J_k": None, "covered": False, "reason": None}
    if k == oo:
        report["reason"] = "phi is C-infinity: outside the finite-smoothness theorem (decay is faster than any power)"
        return report
    ders = _derivatives(phi)
    jumping = [c for i, c in enumerate(points) if ders.jump(i, k, c) != 0]
    if jumping != [0]:
        report["reason"] = f"non-smooth at {jumping}: the theorem covers a single kink at 0"
        return report
    j_k = ders.jump(points.index(0), k, sympy.Integer(0))
    report.update(J_k=j_k, covered=k >= 1, parity=(k + 1) % 2)
    report.update(
        nngp_sobolev=d / 2 + k, ntk_sobolev=d / 2 + k - 1,
        nngp_eigen_exponent=-(d + 2 * k), ntk_eigen_exponent=-(d + 2 * k - 2),
        b_n_exponent=-(k + Rational(3, 2)), b_n_constant=j_k**2 / (sqrt(2) * pi ** Rational(3, 2)),
        endpoint_exponent=k + Rational(1, 2),
        endpoint_coefficient=sympy.simplify(j_k**2 * gamma(-k - Rational(1, 2)) / (2 * sqrt(2) * pi ** Rational(3, 2))))
    if k == 0:
        report["reason"] = "k = 0 (phi jumps): NNGP as the order-0 arc-cosine kernel, NTK degenerate"
    return report


@engine_call
def decay_check(phi, n, dps=20):
    """Computed ``b_n = a_n^2`` against the predicted ``J_k^2 n^-(k+3/2)/(sqrt 2 pi^1.5)``.

    Returns ``(ratio, local_exponent)`` as mpmath numbers; the local exponent is
    ``log(b_{n+2}/b_n) / log((n+2)/n)`` (same parity).
    """
    report = smoothness(phi)
    if not report.get("covered") and report["k"] != 0:
        raise InputError(f"no decay prediction: {report['reason']}")
    if n % 2 != report["parity"]:
        raise InputError(f"n must have the dominant parity n = k + 1 (mod 2), i.e. n % 2 == {report['parity']}")
    with workdps(dps):
        # each Quantity holds its value in its own context: convert before arithmetic
        b = [mp.convert(hermite_coefficient(phi, m, dps).value) ** 2 for m in (n, n + 2)]
        predicted = mp.mpf(sympy.N(report["b_n_constant"], mp.dps)) * mp.mpf(n) ** (
            mp.mpf(sympy.N(report["b_n_exponent"], mp.dps)))
        return +(b[0] / predicted), +(mp.log(b[1] / b[0]) / mp.log(mp.mpf(n + 2) / n))
