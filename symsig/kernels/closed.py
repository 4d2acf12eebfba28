"""Closed-form dual activations ``E[phi(U) phi(V)]`` as SymPy expressions in Q1, Q2, Q12.

``(U, V)`` is a centred Gaussian pair with variances ``Q1``, ``Q2`` and covariance
``Q12``; ``theta = acos(Q12 / sqrt(Q1 Q2))``.

* Piecewise polynomials whose only breakpoint is 0 (ReLU, leaky ReLU, abs,
  ReLU^k, step, sign, polynomials): whiten ``(U, V)`` and integrate in polar
  coordinates.  The radial integral is a Gamma function, the angular one a
  trigonometric polynomial over the arc where both signs are fixed: exact
  arc-cosine kernels of every order and their mixed generalisations.
* ``A erf(B x) + C`` (Williams), ``A sin(B x + C)`` / cosine, ``A exp(B x)``,
  and the exact GELU ``x Phi(x)`` (Tsuchida et al.).

The derivative dual ``E[phi'(U) phi'(V)]`` is the dual of ``phi'`` for the
piecewise polynomials and ``d/dQ12`` of the dual (Price's theorem) otherwise,
so every closed form gives both.
"""

from functools import lru_cache

import sympy
from sympy import Rational, binomial, cos, gamma, pi, sin, sqrt

from ..activations import get_activation, x
from ..budget import attempt
from ..calculus import decompose

Q1, Q2 = sympy.symbols("Q1 Q2", positive=True)
Q12 = sympy.Symbol("Q12", real=True)  # a covariance: may be negative
THETA = sympy.Symbol("theta", real=True)
_ARCS = {  # angular arcs (start, end) of the whitened angle t where sign(U), sign(V) are fixed
    (1, 1): (THETA - pi / 2, pi / 2),
    (1, -1): (-pi / 2, THETA - pi / 2),
    (-1, 1): (pi / 2, THETA + pi / 2),
    (-1, -1): (THETA + pi / 2, 3 * pi / 2),
}


def rho_expr():
    return Q12 / sqrt(Q1 * Q2)


def _angular(m, n, arc):
    """``integral over arc of cos(t)^m cos(t - theta)^n dt`` (exact, in theta)."""
    lo, hi = arc
    total = sympy.Integer(0)
    for a in range(m + 1):
        for b in range(n + 1):
            k, j = 2 * a - m + 2 * b - n, 2 * b - n
            if k == 0:
                term = (hi - lo) * cos(j * THETA)
            else:
                term = (sin(k * hi - j * THETA) - sin(k * lo - j * THETA)) / k
            total += binomial(m, a) * binomial(n, b) * term
    return total / 2 ** (m + n)


@lru_cache(maxsize=256)
def wedge_moment(m, n, sign_u, sign_v):
    """``E[Z1^m W^n 1{sign_u Z1 > 0} 1{sign_v W > 0}]`` for unit normals with angle theta.

    >>> sympy.simplify(wedge_moment(1, 1, 1, 1) * 2 * pi)
    (pi - theta)*cos(theta) + sin(theta)
    """
    radial = 2 ** Rational(m + n, 2) * gamma(Rational(m + n, 2) + 1) / (2 * pi)
    return sympy.expand_trig(radial * _angular(m, n, _ARCS[(sign_u, sign_v)]))


def _half_line_coefficients(phi):
    """``{+1: [c0, c1, ...], -1: [...]}`` if phi is a polynomial on each side of 0, else None."""
    pieces = decompose(phi).pieces
    if any(p.lo not in (-sympy.oo, 0) or p.hi not in (0, sympy.oo) for p in pieces):
        return None
    sides = {}
    for p in pieces:
        if not p.expr.is_polynomial(x):
            return None
        coeffs = sympy.Poly(p.expr, x).all_coeffs()[::-1]
        for sign in (1, -1):
            if (sign == 1 and p.hi == sympy.oo) or (sign == -1 and p.lo == -sympy.oo):
                sides[sign] = coeffs
    return sides


def _in_q(expr_theta):
    """Replace theta by the moments through ``D = Q1 Q2 - Q12^2`` only.

    ``sin(theta) = sqrt(D/(Q1 Q2))`` and ``theta = atan2(sqrt D, Q12)`` share one
    rounded D, so their square-root sensitivities at rho = +-1 cancel; the
    textbook ``acos(Q12/sqrt(Q1 Q2))`` with ``sqrt(1 - rho^2)`` rounds rho twice
    and loses half the digits there (1e-31 at 60 digits on the diagonal).
    """
    root = sqrt(Q1 * Q2 - Q12**2)
    expr = expr_theta.subs({cos(THETA): rho_expr(), sin(THETA): root / sqrt(Q1 * Q2)})
    return expr.subs(THETA, sympy.atan2(root, Q12))


def piecewise_polynomial_dual(phi):
    """The dual of a piecewise polynomial with its only breakpoint at 0, or None."""
    sides = _half_line_coefficients(phi)
    if sides is None:
        return None
    total = sympy.Integer(0)
    for su, cu in sides.items():
        for sv, cv in sides.items():
            for m, a in enumerate(cu):
                for n, b in enumerate(cv):
                    if a != 0 and b != 0:
                        total += a * b * Q1 ** Rational(m, 2) * Q2 ** Rational(n, 2) * wedge_moment(m, n, su, sv)
    return _in_q(total)


def arccos_J(n):
    """Cho and Saul's ``J_n(theta) = (-1)^n sin^(2n+1) ((1/sin) d/dtheta)^n ((pi - theta)/sin)``.

    >>> sympy.simplify(arccos_J(1) - (sin(THETA) + (pi - THETA) * cos(THETA)))
    0
    """
    expr = (pi - THETA) / sin(THETA)
    for _ in range(n):
        expr = sympy.diff(expr, THETA) / sin(THETA)
    return sympy.simplify((-1) ** n * sin(THETA) ** (2 * n + 1) * expr)


def arccos_kernel(n):
    """``E[U^n 1{U>0} V^n 1{V>0}] = (Q1 Q2)^(n/2) J_n(theta) / (2 pi)`` (Cho and Saul 2009)."""
    return _in_q((Q1 * Q2) ** Rational(n, 2) * arccos_J(n) / (2 * pi))


def _match(expr, pattern, wilds):
    found = expr.match(pattern)
    if found is None or any(found.get(w) is None or found[w].has(x) for w in wilds):
        return None
    return found


def special_dual(phi):
    """``(dual, name)`` for erf, sine/cosine, exponential and exact GELU; None otherwise."""
    A, B, C = (sympy.Wild(n, exclude=[x]) for n in "ABC")
    phi = sympy.expand(phi)
    if sympy.expand(phi - x * (1 + sympy.erf(x / sqrt(2))) / 2) == 0:
        d = sqrt((1 + Q1) * (1 + Q2) - Q12**2)
        return (Q12 / 4 + ((Q12**2 + Q1 * Q2 * d**2) / ((1 + Q1) * (1 + Q2) * d)
                           + Q12 * sympy.atan(Q12 / d)) / (2 * pi)), "GELU closed form (Tsuchida et al.)"
    found = _match(phi, A * sympy.erf(B * x) + C, (A, B, C))
    if found and found[B] != 0:
        a, b, c = found[A], found[B], found[C]
        arg = 2 * b**2 * Q12 / sqrt((1 + 2 * b**2 * Q1) * (1 + 2 * b**2 * Q2))
        return a**2 * 2 / pi * sympy.asin(arg) + c**2, "erf closed form (Williams)"
    for func, shift in ((sympy.sin, 0), (sympy.cos, pi / 2)):
        found = _match(phi, A * func(B * x + C), (A, B, C))
        if found and found[B] != 0:
            a, b, c = found[A], found[B], found[C] + shift
            minus = sympy.exp(-b**2 * (Q1 + Q2 - 2 * Q12) / 2)
            plus = sympy.exp(-b**2 * (Q1 + Q2 + 2 * Q12) / 2)
            return a**2 / 2 * (minus - cos(2 * c) * plus), "trigonometric closed form"
    found = _match(phi, A * sympy.exp(B * x), (A, B))
    if found:
        a, b = found[A], found[B]
        return a**2 * sympy.exp(b**2 * (Q1 + Q2 + 2 * Q12) / 2), "exponential closed form"
    return None


def closed_form_dual(phi, derivative=False):
    """``(expression in Q1, Q2, Q12, method)`` or None when no closed form is known.

    ``phi`` is anything :func:`~symsig.activations.get_activation` accepts (a
    name, a string in x, a SymPy expression).  ``derivative=True`` gives
    ``E[phi'(U) phi'(V)]``: for piecewise polynomials the dual of ``phi'``
    itself (again piecewise polynomial), otherwise ``d/dQ12`` of the dual
    (Price's theorem).

    >>> closed_form_dual("erf(x)")[0]
    2*asin(2*Q12/(sqrt(2*Q1 + 1)*sqrt(2*Q2 + 1)))/pi
    """
    return _closed_form_dual(get_activation(phi).expr, bool(derivative))


@lru_cache(maxsize=128)
def _closed_form_dual(phi, derivative):
    if derivative:
        pieces = decompose(phi)
        if not pieces.jumps():
            own = attempt(piecewise_polynomial_dual, pieces.diff().as_expr(), seconds=10.0,
                          what="closed-form dual")
            if own is not None:
                return own, "wedge integrals of phi' (arc-cosine family, exact)"
    found = attempt(_find, phi, seconds=10.0, what="closed-form dual")
    if found is None:
        return None
    expr, method = found
    if derivative:
        expr = sympy.diff(expr, Q12)
        method += ", d/dQ12 (Price)"
    return expr, method


def _find(phi):
    expr = piecewise_polynomial_dual(phi)
    if expr is not None:
        return expr, "wedge integrals (arc-cosine family, exact)"
    return special_dual(phi)
