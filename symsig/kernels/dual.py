"""Dual activations and the NNGP / NTK recursions of deep fully connected networks.

:func:`dual_activation` returns ``E[phi(U) phi(V)]`` (or ``E[phi'(U) phi'(V)]``)
for a centred Gaussian pair with variances ``q1``, ``q2`` and covariance
``q12``: exact when a closed form is known (:mod:`symsig.kernels.closed`),
otherwise by kink-split two-dimensional quadrature
(:func:`symsig.quadrature.gaussian_expectation_2d`).

>>> k = dual_activation("relu", 1, 1, "0.5", dps=20)
>>> k.method, str(k)
('wedge integrals (arc-cosine family, exact)', '0.30449889052211467904')
>>> k.exact
(sqrt(3)/4 + pi/6)/pi
"""

from dataclasses import dataclass

import sympy
from sympy import oo

from .. import display
from ..activations import get_activation, x
from ..calculus import decompose
from ..errors import DivergenceError, DomainError, InputError
from ..facts import facts
from ..gaussian import expectation_verdict
from ..singularities import SingularityUnknown, Verdict, growth, singular_divergences
from ..precision import engine_call, exact_number, lambdify_mpmath, mp, workdps
from ..quadrature import gaussian_expectation_2d
from ..quantity import Quantity
from ._numeric import compiled
from .closed import Q1, Q12, Q2, closed_form_dual, closed_form_limit

NUMERIC_METHOD = ("kink-split nested Gauss-Legendre (conditional on U), error extrapolated from successive "
                  "rules, tail cut probed along the covariance's axes")


def _check_moments(q1, q2, q12):
    q1, q2, q12 = (exact_number(v, n) for v, n in ((q1, "q1"), (q2, "q2"), (q12, "q12")))
    if not (q1.is_real and q2.is_real and q12.is_real):
        raise DomainError("q1, q2, q12 must be real")
    if not (q1 > 0 and q2 > 0):
        raise DomainError(f"the variances q1, q2 must be positive, got {q1}, {q2}")
    if q12**2 > q1 * q2:
        raise DomainError(f"q12**2 must not exceed q1*q2 (a covariance), got q12 = {q12}")
    return q1, q2, q12


def _no_jump_for_derivative(phi, derivative):
    if derivative and facts(phi).jumps(0):
        compiled(phi, derivative=True)  # raises the explanatory UndefinedError


@engine_call
def dual_activation(phi, q1=1, q2=1, q12=0, derivative=False, dps=30, certified=False):
    """``E[phi(U) phi(V)]`` (``derivative=True``: ``E[phi'(U) phi'(V)]``) as a :class:`Quantity`.

    Numbers are read exactly (:func:`symsig.precision.exact_number`).  ``certified=True``
    (the ``certified`` extra) returns a :class:`symsig.certified.Ball`: the closed form
    evaluated in Arb ball arithmetic, whose radius is a proven bound; without a closed form
    (or with one that uses a function Arb is not given) it raises
    :class:`~symsig.certified.NotCertified` with the reason, as for an infinite dual.

    >>> str(dual_activation("erf(x)", 1, 1, "0.5", dps=15, certified=True))  # 2 asin(1/3) / pi
    '[0.216346895938785459658 +/- 2.9e-22]'
    """
    phi = get_activation(phi).expr
    q1, q2, q12 = _check_moments(q1, q2, q12)
    _no_jump_for_derivative(phi, derivative)
    verdict = _divergence_verdict(phi, derivative, q1, q2, q12)
    if certified:
        return _certified_dual(phi, derivative, q1, q2, q12, verdict, dps)
    if verdict is not None:
        return verdict.quantity(dps)
    closed = closed_form_dual(phi, derivative)
    if closed is not None:
        expr, method = closed
        value = expr.subs({Q1: q1, Q2: q2, Q12: q12})
        return Quantity.from_exact(value, method, dps)
    f = compiled(phi, derivative)
    with workdps(dps):
        value, error = numeric_dual(f, *(mp.mpf(sympy.N(v, mp.dps)) for v in (q1, q2, q12)), dps)
        return Quantity.numeric(+value, +error, _numeric_method(phi, derivative), dps)


def _certified_dual(phi, derivative, q1, q2, q12, verdict, dps):
    """The exact tier only: the 2-D quadrature has no proven error bound."""
    from dataclasses import replace

    from ..certified.ball import NotCertified  # lazy: certified is an optional extra
    from ..certified.translate import certified_value

    if verdict is not None:
        raise NotCertified(f"the dual is {verdict.status}, not a finite number: {verdict.reason}")
    closed = closed_form_dual(phi, derivative)
    if closed is None:
        limit = closed_form_limit(phi, derivative)
        raise NotCertified("no closed form of this dual is known" + (f" ({limit})" if limit else "")
                           + ", and its two-dimensional quadrature carries an error estimate, not a proven bound")
    expr, method = closed
    ball = certified_value(expr.subs({Q1: q1, Q2: q2, Q12: q12}), dps)
    return replace(ball, method=f"exact: {method}, in Arb ball arithmetic")


def numeric_dual(f, q1, q2, q12, dps):
    """``(E[f(U) f(V)], error)`` by quadrature for :class:`~symsig.kernels._numeric.CompiledPieces` ``f``.

    Call inside ``workdps``; ``q1``, ``q2``, ``q12`` are mpf.
    """
    points = f.breakpoints()
    return gaussian_expectation_2d(f.at(points), f.at(points), q1, q2, q12, dps, points, points)


def _numeric_method(phi, derivative):
    limit = closed_form_limit(phi, derivative)
    return NUMERIC_METHOD if limit is None else f"{NUMERIC_METHOD} ({limit})"


def _divergence_verdict(phi, derivative, q1, q2, q12):
    """A :class:`~symsig.singularities.Verdict` when E[f(U) f(V)] is not finite, else None.

    Cauchy-Schwarz: finite when E[f(U)**2] and E[f(V)**2] are.  At |rho| = 1 the
    pair is one Gaussian and the 1-D analysis decides.  Otherwise a tail with
    log|f| ~ c x**2 diverges against the bivariate density iff 2 c lambda_max > 1
    (lambda_max the larger eigenvalue of the covariance), faster growth always.
    """
    f = facts(phi).derivative(1 if derivative else 0)
    square = f.map(lambda e: e**2)
    if all(expectation_verdict(square, sympy.sqrt(q), 0) is None for q in (q1, q2)):
        return None
    if q12**2 == q1 * q2:
        ratio = q12 / q1
        product = f.as_expr() * f.as_expr().subs(x, ratio * x)
        return expectation_verdict(decompose(product), sympy.sqrt(q1), 0)
    lam = (q1 + q2 + sympy.sqrt((q1 - q2)**2 + 4 * q12**2)) / 2
    try:
        ends = [growth(f.pieces[0].expr, -1), growth(f.pieces[-1].expr, 1)]
    except SingularityUnknown:
        ends = None
    if ends:
        top = [dict(g.P).get(oo, 0) for g in ends]
        quad = [dict(g.P).get(sympy.Integer(2), 0) for g in ends]
        tails_light = all(t == 0 and max(g.P, default=(0,))[0] <= 2 for t, g in zip(top, ends)) \
            and all(2 * c * lam < 1 for c in quad)
        if tails_light and not _singular(f):
            return None  # the quadratic form of the integrand stays negative definite
    if ends and all(g.tight == 2 for g in ends):
        if any(t > 0 for t in top) or any(2 * c * lam > 1 for c in quad):
            signs = {g.sign for g in ends}
            if len(signs) == 1 and None not in signs:
                return Verdict("infinite", "phi(U) phi(V) grows faster than the bivariate Gaussian "
                               "density decays along its main axis", 1)
            return Verdict("undefined", "|phi(U) phi(V)| has infinite expectation, and phi takes both "
                           "signs where it grows")
    raise DivergenceError("E[phi(U)**2] is infinite here, and whether E[phi(U) phi(V)] is finite at this "
                          "covariance was not decided; use |q12| = sqrt(q1 q2) or a lighter-tailed phi")


def _singular(f):
    try:
        return bool(singular_divergences(f))
    except SingularityUnknown:
        return True


class DualKernel:
    """A numeric dual ``(q1, q2, q12, dps) -> (value, error)`` in the active precision context.

    Closed forms are compiled once to mpmath functions; otherwise quadrature.
    Call it inside :func:`symsig.precision.workdps`.
    """

    @engine_call
    def __init__(self, phi, derivative=False):
        phi = get_activation(phi).expr
        _no_jump_for_derivative(phi, derivative)
        closed = closed_form_dual(phi, derivative)
        self.method = closed[1] if closed else _numeric_method(phi, derivative)
        self._exact = closed[0] if closed else None
        self._func = lambdify_mpmath((Q1, Q2, Q12), closed[0]) if closed else None
        self._pieces = None if closed else compiled(phi, derivative)
        self._phi, self._derivative = phi, derivative

    @engine_call
    def __call__(self, q1, q2, q12, dps):
        q1, q2, q12 = map(mp.convert, (q1, q2, q12))  # numbers of another context would set the precision
        # an mpf is a binary rational: decide on its exact value
        exact = [sympy.Integer(v.man) * sympy.Integer(2)**v.exp for v in map(mp.mpf, (q1, q2, q12))]
        verdict = _divergence_verdict(self._phi, self._derivative, *exact)
        if verdict is not None:
            raise DivergenceError(f"the dual kernel is not finite at this layer: {verdict.reason}")
        if self._func is not None:
            q12 = max(-mp.sqrt(q1 * q2), min(mp.sqrt(q1 * q2), q12))  # rounding at rho = +-1
            value = mp.re(self._func(q1, q2, q12))
            return value, mp.eps * max(1, abs(value)) * 10
        return numeric_dual(self._pieces, q1, q2, q12, dps)

    def _repr_html_(self):
        return display.dual_kernel_html(self._phi, self._derivative, self._exact, self.method)

    def _repr_latex_(self):
        return display.dual_kernel_latex(self._phi, self._derivative, self._exact, self.method)


@dataclass(frozen=True)
class NeuralKernels:
    """NNGP and NTK values of a depth-``depth`` network at inner product ``t`` on the sphere."""

    nngp: Quantity
    ntk: Quantity
    variance: Quantity  # the diagonal q^(L) = Sigma^(L)(x, x)
    depth: int
    t: object
    sigma_w2: object
    sigma_b2: object

    def as_dict(self):
        return {"depth": self.depth, "t": str(self.t), "sigma_w2": str(self.sigma_w2),
                "sigma_b2": str(self.sigma_b2), "nngp": self.nngp.as_dict(), "ntk": self.ntk.as_dict(),
                "variance": self.variance.as_dict()}

    def _repr_html_(self):
        return display.neural_kernels_html(self)

    def _repr_latex_(self):
        return display.neural_kernels_latex(self)


@engine_call
def neural_kernels(phi, t, depth=2, sigma_w2=1, sigma_b2=0, dps=30):
    """NNGP ``Sigma^(L)`` and NTK ``Theta^(L)`` for unit-norm inputs with ``<x, x'> = t``.

    Standard parametrisation with ``depth`` = L weight layers (L - 1 hidden):
    ``Sigma^(1) = sigma_w2 t + sigma_b2``, ``Sigma^(l+1) = sigma_w2 E[phi(u) phi(v)] + sigma_b2``,
    ``Theta^(1) = Sigma^(1)``, ``Theta^(l+1) = Sigma^(l+1) + sigma_w2 E[phi'(u) phi'(v)] Theta^(l)``,
    ``(u, v) ~ N(0, [[q, Sigma], [Sigma, q]])`` with the diagonal ``q^(l)``.
    ``sigma_b2 = 0`` is the bias-free network.  The error is a first-order
    propagation of the dual errors through the layers (an estimate).

    >>> k = neural_kernels("relu", 0, depth=2, sigma_w2=2, dps=15)
    >>> str(k.nngp), str(k.ntk)
    ('0.636619772367581', '0.636619772367581')
    """
    phi = get_activation(phi).expr
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise InputError(f"depth must be a positive integer number of weight layers, got {depth!r}")
    t, sw, sb = (exact_number(v, n) for v, n in ((t, "t"), (sigma_w2, "sigma_w2"), (sigma_b2, "sigma_b2")))
    if not (-1 <= t <= 1):
        raise DomainError(f"t = <x, x'> must lie in [-1, 1] for unit-norm inputs, got {t}")
    if not (sw > 0 and sb >= 0):
        raise DomainError(f"need sigma_w2 > 0 and sigma_b2 >= 0, got {sw}, {sb}")
    nngp_dual, ntk_dual = DualKernel(phi), (DualKernel(phi, derivative=True) if depth > 1 else None)
    method = nngp_dual.method if depth > 1 else "linear first layer (exact)"
    with workdps(dps):
        w, b = (mp.mpf(sympy.N(v, mp.dps)) for v in (sw, sb))
        q = w + b
        sigma = theta = w * mp.mpf(sympy.N(t, mp.dps)) + b
        err_q = err_s = err_t = mp.mpf(0)
        for _ in range(depth - 1):
            diag, e_diag = nngp_dual(q, q, q, dps)
            cross, e_cross = nngp_dual(q, q, sigma, dps)
            dot, e_dot = ntk_dual(q, q, sigma, dps)
            # d/dq12 of the dual is the derivative dual (Price), which bounds the propagation
            slope_q = abs(ntk_dual(q, q, q, dps)[0]) if err_q else 0
            new_q = w * diag + b
            new_sigma = w * cross + b
            new_theta = new_sigma + w * dot * theta
            err_t = err_s + w * (e_cross + abs(dot) * err_s + slope_q * err_q) + w * (e_dot * abs(theta) + abs(dot) * err_t)
            err_s = w * (e_cross + abs(dot) * err_s + slope_q * err_q)
            err_q = w * (e_diag + slope_q * err_q)
            q, sigma, theta = new_q, new_sigma, new_theta
        method_full = method + ("" if depth == 1 else f"; recursion over {depth - 1} layer(s)")
        make = lambda v, e: Quantity.numeric(+v, +e + mp.eps * abs(v) * 10 * depth, method_full, dps)
        result = NeuralKernels(make(sigma, err_s), make(theta, err_t), make(q, err_q), depth, t, sw, sb)
    return result
