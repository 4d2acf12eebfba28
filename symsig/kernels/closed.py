"""Closed-form dual activations ``E[phi(U) phi(V)]`` as SymPy expressions in Q1, Q2, Q12.

``(U, V)`` is a centred Gaussian pair with variances ``Q1``, ``Q2`` and covariance
``Q12``; ``theta = acos(Q12 / sqrt(Q1 Q2))``.

* Polynomials: Gaussian product moments (Isserlis), a polynomial in Q1, Q2, Q12.
* Piecewise polynomials whose only breakpoint is 0 (ReLU, leaky ReLU, abs,
  ReLU^k, step, sign): whiten ``(U, V)`` and integrate in polar
  coordinates.  The radial integral is a Gamma function, the angular one a
  trigonometric polynomial over the arc where both signs are fixed: exact
  arc-cosine kernels of every order and their mixed generalisations.  The
  symbolic work grows like degree^5, so it is attempted up to
  :data:`MAX_WEDGE_WORK` (a pure function of phi, never a time budget).
* ``A erf(B x) + C`` (Williams), ``A sin(B x + C)`` / cosine, ``A exp(B x)``,
  and the exact GELU ``x Phi(x)`` (Tsuchida et al.).

The derivative dual ``E[phi'(U) phi'(V)]`` is the dual of ``phi'`` for the
piecewise polynomials and ``d/dQ12`` of the dual (Price's theorem) otherwise,
so every closed form gives both.
"""

from functools import lru_cache

import sympy
from sympy import Rational, binomial, cos, factorial, gamma, pi, sin, sqrt

from .. import limits
from ..activations import get_activation, x
from ..bounded import attempt, small
from ..calculus import decompose
from ..errors import InputError, LimitError
from ..precision import engine_call

#: Cap on the wedge integrals' symbolic work, the sum over coefficient pairs
#: (m, n) and sign wedges of (m + 1)(n + 1)(m + n + 2): angular terms times their
#: multiple-angle order.  ReLU^20 (18522) takes ~2 s, ReLU^40 (137842) about
#: a minute; beyond the cap the dual is computed numerically.
MAX_WEDGE_WORK = 20_000

Q1, Q2 = sympy.symbols("Q1 Q2", positive=True)
Q12 = sympy.Symbol("Q12", real=True)  # a covariance: may be negative
THETA = sympy.Symbol("theta", real=True)
_ARCS = {  # angular arcs (start, end) of the whitened angle t where sign(U), sign(V) are fixed
    (1, 1): (THETA - pi / 2, pi / 2),
    (1, -1): (-pi / 2, THETA - pi / 2),
    (-1, 1): (pi / 2, THETA + pi / 2),
    (-1, -1): (THETA + pi / 2, 3 * pi / 2),
}


def elementary_form(expr, division_free=False):
    """``expr`` with each function that only has a Python numeric implementation (``_imp_``,
    e.g. a Mittag-Leffler function) replaced by its elementary form, where it has one.

    Closed forms are recognised on the elementary form.  Numerically, a 2-D kernel
    evaluates phi ~10^5 times and ``E_{2,1}(x**2)`` costs 10x ``cosh(x)``; with
    ``division_free`` forms that divide by an x-dependent term (``sinh(w)/w``,
    ``(exp(z) - 1)/z``) are kept: they are 0/0 or cancel near the zero.

    >>> from symsig.activations import get_activation
    >>> elementary_form(get_activation("MittagLeffler(2, 1, x**2) * MittagLeffler(2, 2, x**2)").expr, True)
    cosh(x)*MittagLeffler(2, 2, x**2)
    """
    swaps = {}
    for f in expr.atoms(sympy.Function):
        if hasattr(f, "_imp_") and f.has(x):
            form = f.rewrite("elementary")
            if form != f and not (division_free and any(p.exp.is_negative and p.base.has(x)
                                                        for p in form.atoms(sympy.Pow))):
                swaps[f] = form
    return expr.xreplace(swaps) if swaps else expr


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


def _wedge_work(sides):
    return sum((m + 1) * (n + 1) * (m + n + 2) for cu in sides.values() for cv in sides.values()
               for m, a in enumerate(cu) if a != 0 for n, b in enumerate(cv) if b != 0)


def isserlis_moment(m, n):
    """``E[U^m V^n]`` for a centred Gaussian pair (Isserlis / Wick pairings).

    >>> isserlis_moment(2, 2)
    Q1*Q2 + 2*Q12**2
    """
    total = sympy.Integer(0)
    for k in range(m % 2, min(m, n) + 1, 2):
        if (n - k) % 2 == 0:
            a, b = (m - k) // 2, (n - k) // 2
            total += (factorial(m) * factorial(n) / (factorial(k) * factorial(a) * factorial(b) * 2 ** (a + b))
                      * Q12**k * Q1**a * Q2**b)
    return total


def piecewise_polynomial_dual(phi, of=""):
    """``(dual, method)`` of a piecewise polynomial with its only breakpoint at 0, or None.

    None also when the wedge integrals would exceed :data:`MAX_WEDGE_WORK`.
    ``of`` names the function in the method (" of phi'").
    """
    sides = _half_line_coefficients(phi)
    if sides is None:
        return None
    if sides[1] == sides[-1]:  # one polynomial on the whole line
        coeffs = sides[1]
        return (sympy.expand(sum(a * b * isserlis_moment(m, n) for m, a in enumerate(coeffs) if a != 0
                                 for n, b in enumerate(coeffs) if b != 0)),
                f"Gaussian product moments{of} (Isserlis, exact)")
    if _wedge_work(sides) > MAX_WEDGE_WORK:
        return None
    total = sympy.Integer(0)
    for su, cu in sides.items():
        for sv, cv in sides.items():
            for m, a in enumerate(cu):
                for n, b in enumerate(cv):
                    if a != 0 and b != 0:
                        total += a * b * Q1 ** Rational(m, 2) * Q2 ** Rational(n, 2) * wedge_moment(m, n, su, sv)
    return _in_q(total), f"wedge integrals{of} (arc-cosine family, exact)"


def arccos_J(n):
    """Cho and Saul's ``J_n(theta) = (-1)^n sin^(2n+1) ((1/sin) d/dtheta)^n ((pi - theta)/sin)``.

    >>> sympy.simplify(arccos_J(1) - (sin(THETA) + (pi - THETA) * cos(THETA)))
    0
    """
    expr = (pi - THETA) / sin(THETA)
    for _ in range(n):
        expr = sympy.diff(expr, THETA) / sin(THETA)
    return sympy.simplify((-1) ** n * sin(THETA) ** (2 * n + 1) * expr)


#: Largest order of :func:`arccos_kernel`: simplifying J_n takes 3 s at n = 5, 50 s at n = 7.
MAX_ARCCOS_ORDER = 5


@engine_call
def arccos_kernel(n):
    """``E[U^n 1{U>0} V^n 1{V>0}] = (Q1 Q2)^(n/2) J_n(theta) / (2 pi)`` (Cho and Saul 2009).

    Orders above :data:`MAX_ARCCOS_ORDER` raise LimitError; ``closed_form_dual("relu_pow(k=n)")``
    gives the same kernel by the wedge integrals.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise InputError(f"n must be a non-negative integer, got {n!r}")
    if n > MAX_ARCCOS_ORDER:
        raise LimitError(f"arccos_kernel({n}): n exceeds MAX_ARCCOS_ORDER = {MAX_ARCCOS_ORDER} "
                         "(symsig.kernels.closed); use closed_form_dual(\"relu_pow(k=n)\")")
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
    if sympy.expand((phi - x * (1 + sympy.erf(x / sqrt(2))) / 2).rewrite(sympy.erf)) == 0:
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


@engine_call
def closed_form_dual(phi, derivative=False):
    """``(expression in Q1, Q2, Q12, method)`` or None when no closed form is known.

    ``phi`` is anything :func:`~symsig.activations.get_activation` accepts (a
    name, a string in x, a SymPy expression).  ``derivative=True`` gives
    ``E[phi'(U) phi'(V)]``: for piecewise polynomials the dual of ``phi'``
    itself (again piecewise polynomial), otherwise ``d/dQ12`` of the dual
    (Price's theorem).

    >>> closed_form_dual("erf(x)")[0]
    2*asin(2*Q12/(sqrt(2*Q1 + 1)*sqrt(2*Q2 + 1)))/pi

    The search is bounded by the size of phi, never by time; a "not found" is
    a pure function of phi and is cached (:func:`closed_form_limit` says which
    limit stopped it, if any).
    """
    return _closed_form_dual(elementary_form(get_activation(phi).expr), bool(derivative))


@lru_cache(maxsize=128)
def _closed_form_dual(phi, derivative):
    if derivative:
        derivative_pieces = _derivative_without_jumps(phi)
        if derivative_pieces is not None:
            own = attempt(piecewise_polynomial_dual, derivative_pieces, " of phi'")
            if own is not None:
                return own
    found = attempt(_find, phi)
    if found is None:
        return None
    expr, method = found
    if derivative:
        expr = sympy.diff(expr, Q12)
        method += ", d/dQ12 (Price)"
    return expr, method


def _derivative_without_jumps(phi):
    pieces = decompose(phi)
    return None if pieces.jumps() else pieces.diff().as_expr()


def _find(phi):
    return piecewise_polynomial_dual(phi) or special_dual(phi)


@engine_call
def closed_form_limit(phi, derivative=False):
    """Which deterministic limit kept :func:`closed_form_dual` from a closed form, or None.

    >>> closed_form_limit("Max(0, x)**40")
    'wedge closed form not attempted: work 137842 > MAX_WEDGE_WORK = 20000 (symsig.kernels.closed)'
    """
    phi = elementary_form(get_activation(phi).expr)
    candidates = [phi]
    if derivative and _derivative_without_jumps(phi) is not None:
        candidates.insert(0, _derivative_without_jumps(phi))
    for f in candidates:
        if not small(f):
            return (f"closed-form search not attempted: more than {limits.MAX_SYMBOLIC_NODES} nodes "
                    "(symsig.limits.MAX_SYMBOLIC_NODES)")
        sides = _half_line_coefficients(f)
        if sides is not None and sides[1] != sides[-1] and _wedge_work(sides) > MAX_WEDGE_WORK:
            return (f"wedge closed form not attempted: work {_wedge_work(sides)} > MAX_WEDGE_WORK = "
                    f"{MAX_WEDGE_WORK} (symsig.kernels.closed)")
    return None
