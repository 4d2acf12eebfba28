"""Dual activations, NNGP/NTK recursion, Hermite coefficients: against independent truths."""

import mpmath
import pytest
import sympy

from symsig.activations import get_activation
from symsig.errors import DomainError, LimitError, UndefinedError
from symsig.kernels import (arccos_kernel, closed_form_dual, decay_check, dual_activation,
                            hermite_by_quadrature, hermite_coefficient, neural_kernels, smoothness)
from symsig.kernels import _numeric
from symsig.kernels.dual import numeric_dual
from symsig.kernels.closed import Q1, Q12, Q2
from symsig.precision import workdps

POINTS = [(1, 1, sympy.Rational(1, 2)), (1, 2, sympy.Rational(7, 10)), (3, sympy.Rational(1, 2), -1)]


def _cho_saul(n, q1, q2, q12):
    return arccos_kernel(n).subs({Q1: q1, Q2: q2, Q12: q12})


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_wedge_duals_equal_cho_saul_arc_cosine_kernels(n):
    phi = get_activation("relu").expr ** n if n else sympy.Heaviside(get_activation("relu").expr)
    if n == 0:
        phi = sympy.Piecewise((1, sympy.Symbol("x", real=True) > 0), (0, True))
    expr, _ = closed_form_dual(phi)
    for q1, q2, q12 in POINTS:
        a, b = expr.subs({Q1: q1, Q2: q2, Q12: q12}), _cho_saul(n, q1, q2, q12)
        assert abs(sympy.N(a - b, 40)) < sympy.Float(10) ** -35


def _quad_dual(phi, q1, q2, q12, dps, derivative=False):
    with workdps(dps) as ctx:
        f = _numeric.compiled(get_activation(phi).expr, derivative)
        return numeric_dual(f, ctx.mpf(q1), ctx.mpf(q2), ctx.mpf(q12), dps)


@pytest.mark.parametrize("dps", [12, 20])
def test_relu_arc_cosine_closed_form_agrees_with_quadrature(dps):
    exact = _cho_saul(1, 1, 2, sympy.Rational(7, 10))
    value, error = _quad_dual("relu", 1, 2, "0.7", dps)
    with mpmath.workdps(dps + 20):  # compare above the precision under test, never at the global 15 digits
        actual = abs(value - mpmath.mpf(sympy.N(exact, dps + 20)))
        assert error < mpmath.mpf(10) ** -dps
        assert actual < mpmath.mpf(10) ** -dps
        assert actual <= error  # the estimate covers the true error


@pytest.mark.slow
def test_arc_cosine_orders_agree_with_50_digit_quadrature():
    for n, name in ((1, "relu"), (2, "relu_pow")):
        exact = _cho_saul(n, 1, 2, sympy.Rational(7, 10))
        value, error = _quad_dual(name, 1, 2, "0.7", 50)
        with mpmath.workdps(70):
            actual = abs(value - mpmath.mpf(sympy.N(exact, 70)))
            assert actual < mpmath.mpf(10) ** -50 and actual <= error


@pytest.mark.slow
@pytest.mark.parametrize("name", ["gelu", "erf", "sin", "leaky_relu", "abs"])
def test_closed_forms_agree_with_quadrature(name):
    closed = dual_activation(name, 1, 2, "0.7", dps=12)
    value, _ = _quad_dual(name, 1, 2, "0.7", 12)
    assert closed.status == "exact"
    assert abs(closed.value - value) < 1e-11
    closed_d = dual_activation(name, 1, 2, "0.7", derivative=True, dps=12)
    value_d, _ = _quad_dual(name, 1, 2, "0.7", 12, derivative=True)
    assert abs(closed_d.value - value_d) < 1e-11


def test_relu_derivative_dual_is_the_step_kernel():
    k = dual_activation("relu", 1, 1, "0.5", derivative=True)
    assert sympy.simplify(k.exact - (sympy.pi - sympy.acos(sympy.Rational(1, 2))) / (2 * sympy.pi)) == 0


def test_numeric_dual_reports_method_and_error():
    k = dual_activation("tanh", 1, 1, "0.5", dps=10)
    assert k.status == "numeric" and "Gauss-Legendre" in k.method and k.error < 1e-10


def test_errors():
    with pytest.raises(DomainError):
        dual_activation("relu", 1, 1, 2)
    with pytest.raises(UndefinedError):
        dual_activation("Heaviside(x)", 1, 1, "0.5", derivative=True)


def _relu_recursion(t, sw, sb, depth):
    """Depth-L ReLU NNGP/NTK written out with the notes' Cho-Saul kernels, independently of the package."""
    q, s, th = sw + sb, sw * t + sb, sw * t + sb
    for _ in range(depth - 1):
        rho = s / q
        k1 = q * (sympy.sqrt(1 - rho**2) + rho * (sympy.pi - sympy.acos(rho))) / (2 * sympy.pi)
        k0 = (sympy.pi - sympy.acos(rho)) / (2 * sympy.pi)
        q, s, th = sw * q / 2 + sb, sw * k1 + sb, sw * k1 + sb + sw * k0 * th
    return q, s, th


@pytest.mark.parametrize("dps", [25, 50])
def test_relu_network_kernels_follow_the_arc_cosine_recursion(dps):
    t, sw, sb = sympy.Rational(3, 10), 2, sympy.Rational(1, 10)
    q, s, th = _relu_recursion(t, sw, sb, 3)
    nk = neural_kernels("relu", t, depth=3, sigma_w2=sw, sigma_b2=sb, dps=dps)
    with mpmath.workdps(dps + 20):
        for got, want in ((nk.nngp, s), (nk.ntk, th), (nk.variance, q)):
            actual = abs(got.value - mpmath.mpf(sympy.N(want, dps + 20)))
            assert actual < mpmath.mpf(10) ** -dps * abs(got.value)
            assert actual <= got.error


def test_relu_kernels_at_equal_inputs_keep_every_digit():
    # t = 1: the cross term must equal the diagonal exactly (rho = 1, where acos loses half the digits)
    nk = neural_kernels("relu", 1, depth=4, sigma_w2=2, sigma_b2="0.1", dps=50)
    with mpmath.workdps(70):
        q = mpmath.mpf(sympy.N(_relu_recursion(1, 2, sympy.Rational(1, 10), 4)[0], 70))
        assert abs(nk.nngp.value - q) < mpmath.mpf(10) ** -50 and abs(nk.variance.value - q) < mpmath.mpf(10) ** -50


def _endpoint_series(kappa, order):
    """Coefficients of kappa(1 - t^2) in t: s^(k + 1/2) with s = t^2 is the odd power t^(2k + 1)."""
    t = sympy.Symbol("t", positive=True)
    expansion = sympy.series(kappa(1 - t**2), t, 0, order + 1).removeO()
    return [sympy.simplify(expansion.coeff(t, i)) for i in range(order + 1)]


def test_relu_endpoint_coefficient():
    # the notes' kappa_1 written by hand; s^(3/2) is t^3 after s = t^2
    kappa = lambda r: (sympy.sqrt(1 - r**2) + r * (sympy.pi - sympy.acos(r))) / (2 * sympy.pi)
    c = _endpoint_series(kappa, 4)
    assert c[:4] == [sympy.Rational(1, 2), 0, -sympy.Rational(1, 2), sympy.sqrt(2) / (3 * sympy.pi)]
    assert sympy.simplify(smoothness("relu")["endpoint_coefficient"] - c[3]) == 0
    # the package's own closed form has the same singular term: a 60-digit limit at s = 1e-20
    dual = dual_activation("relu", 1, 1, 1 - sympy.Rational(1, 10**20), dps=60)
    with mpmath.workdps(70):
        s = mpmath.mpf(10) ** -20
        ratio = (dual.value - (1 - s) / 2) / s ** mpmath.mpf(1.5)
        assert abs(ratio - mpmath.sqrt(2) / (3 * mpmath.pi)) < mpmath.mpf(10) ** -18


def test_relu_squared_endpoint_coefficient_from_cho_saul():
    # J_2 = 3 sin cos + (pi - theta)(1 + 2 cos^2) from the notes; s^(5/2) is t^5
    def kappa(r):
        theta = sympy.acos(r)
        return (3 * sympy.sin(theta) * r + (sympy.pi - theta) * (1 + 2 * r**2)) / (2 * sympy.pi)
    c = _endpoint_series(kappa, 6)
    assert c[1] == c[3] == 0 and c[5] == -8 * sympy.sqrt(2) / (15 * sympy.pi)
    assert sympy.simplify(smoothness("relu_pow")["endpoint_coefficient"] - c[5]) == 0


def test_relu_hermite_coefficients_match_the_closed_formula():
    # notes 8.1: c_n = (-1)^(n/2-1) / (sqrt(2 pi) n (n-1) (n-2)!!), a_n = sqrt(n!) c_n, odd n >= 3 vanish
    for n in range(2, 13):
        a = hermite_coefficient("relu", n).exact
        if n % 2:
            assert a == 0
        else:
            c = (-1) ** (n // 2 - 1) / (sympy.sqrt(2 * sympy.pi) * n * (n - 1) * sympy.factorial2(n - 2))
            assert sympy.simplify(a - sympy.sqrt(sympy.factorial(n)) * c) == 0


@pytest.mark.parametrize("name, b40, b39", [("relu", 1.3119e-5, 0), ("selu", 5.7353e-6, 1.1200e-6),
                                            ("elu", 9.0585e-9, 3.6234e-7), ("relu_pow", 0, 1.5332e-6)])
def test_hermite_coefficients_against_notes_and_quadrature(name, b40, b39):
    for n, printed in ((40, b40), (39, b39)):
        a = hermite_coefficient(name, n, dps=30)
        assert a.status == "exact"
        assert abs(float(a.value) ** 2 - printed) <= 5e-5 * printed + 1e-30
        q = hermite_by_quadrature(name, n, dps=30)
        assert abs(a.value - q.value) < max(q.error * 10, mpmath.mpf(10) ** -18)


@pytest.mark.parametrize("name, n, ratio", [("relu", 400, 1.0044), ("selu", 400, 0.9919),
                                            ("elu", 401, 1.0056), ("relu_pow", 401, 1.0107)])
def test_hermite_asymptotics(name, n, ratio):
    got, exponent = decay_check(name, n)
    assert abs(float(got) - ratio) < 1e-4
    k = smoothness(name)["k"]
    assert abs(float(exponent) + (k + 1.5)) < 0.02


def test_smoothness_predictions():
    s = smoothness("elu")
    assert (s["k"], s["J_k"], s["nngp_sobolev"], s["ntk_sobolev"]) == (2, -1, 3, 2)
    assert smoothness("gelu")["covered"] is False
    assert "kink at 0" in smoothness("relu6")["reason"]


@pytest.mark.slow
def test_numeric_network_kernels_agree_at_two_precisions():
    args = ("tanh", "0.3", 3, "1.5", "0.1")
    low, high = neural_kernels(*args, dps=12), neural_kernels(*args, dps=20)
    with mpmath.workdps(40):
        for a, b in ((low.nngp, high.nngp), (low.ntk, high.ntk), (low.variance, high.variance)):
            assert b.error < mpmath.mpf(10) ** -20 * abs(b.value)
            assert abs(a.value - b.value) <= a.error + b.error


# Closed-form duals of smooth activations against an independent 2-D Gaussian integral.  With the
# Cholesky factor (U, V) = (a Z1, b Z1 + c Z2), the inner expectation over Z2 is the hand-derived
# Gaussian fact in each row (E[sin(m + cZ)] = sin(m) e^(-c^2/2); for x Phi(x) Stein's identity),
# the outer one plain mpmath.quad at 45 digits: no symsig code is shared with the 2-D closed forms.
def _gelu_inner(m, c):
    s = mpmath.sqrt(1 + c * c)
    return m * mpmath.ncdf(m / s) + c * c / s * mpmath.npdf(m / s)


def _gelu_prime_inner(m, c):  # E[Phi(V) + V phi(V)], V = m + c Z
    s = mpmath.sqrt(1 + c * c)
    return mpmath.ncdf(m / s) + m * mpmath.npdf(m / s) / s**3


INDEPENDENT = {
    "gelu": (lambda t: t * mpmath.ncdf(t), _gelu_inner),
    "gelu'": (lambda t: mpmath.ncdf(t) + t * mpmath.npdf(t), _gelu_prime_inner),
    "2*sin(3*x/2 + 1/5)": (lambda t: 2 * mpmath.sin(3 * t / 2 + mpmath.mpf(1) / 5),
                           lambda m, c: 2 * mpmath.sin(3 * m / 2 + mpmath.mpf(1) / 5) * mpmath.exp(-9 * c * c / 8)),
    "cos(x)": (mpmath.cos, lambda m, c: mpmath.cos(m) * mpmath.exp(-c * c / 2)),
    "3*exp(-x/2)": (lambda t: 3 * mpmath.exp(-t / 2), lambda m, c: 3 * mpmath.exp(-m / 2 + c * c / 8)),
}


def _independent_dual(name, q1, q2, q12):
    f, inner = INDEPENDENT[name]
    with mpmath.workdps(45):
        q1, q2, q12 = (mpmath.mpf(sympy.Rational(v).p) / sympy.Rational(v).q for v in (q1, q2, q12))
        a = mpmath.sqrt(q1)
        b = q12 / a
        c = mpmath.sqrt(q2 - b * b)
        return mpmath.quad(lambda z: mpmath.npdf(z) * f(a * z) * inner(b * z, c), [-mpmath.inf, 0, mpmath.inf])


@pytest.mark.parametrize("name", sorted(INDEPENDENT))
@pytest.mark.parametrize("q", [(1, 2, "7/10"), (3, "1/2", -1)])
def test_smooth_closed_form_duals_against_independent_quadrature_at_30_digits(name, q):
    phi, derivative = name.rstrip("'"), name.endswith("'")
    k = dual_activation(phi, *q, derivative=derivative, dps=30)
    assert k.status == "exact" and "closed form" in k.method
    truth = _independent_dual(name, *(sympy.Rational(v) for v in q))
    with mpmath.workdps(45):
        assert abs(mpmath.mpf(k.value) - truth) < mpmath.mpf(10) ** -30 * max(1, abs(truth))


def test_polynomial_duals_are_gaussian_product_moments():
    # E[U^3 V^3] = 9 Q1 Q2 Q12 + 6 Q12^3 (Wick pairings, by hand); x**40 took 75 s by wedge integrals
    expr, method = closed_form_dual("x**3")
    assert sympy.expand(expr - (9 * Q1 * Q2 * Q12 + 6 * Q12**3)) == 0 and "Isserlis" in method
    expr, _ = closed_form_dual("x**40")
    assert expr.subs({Q1: 1, Q2: 1, Q12: 1}) == sympy.factorial2(79)  # E[Z^80]


def test_wedge_closed_form_stops_at_a_deterministic_work_cap():
    from symsig.kernels.closed import MAX_WEDGE_WORK, closed_form_limit
    assert closed_form_dual("Max(0, x)**40") is None  # work 137842: about a minute of SymPy
    assert f"MAX_WEDGE_WORK = {MAX_WEDGE_WORK}" in closed_form_limit("Max(0, x)**40")
    assert closed_form_limit("relu") is None and closed_form_dual("Max(0, x)**6") is not None
    with pytest.raises(LimitError):
        arccos_kernel(7)  # simplifying J_7 took 50 s; relu_pow(k=7) goes through the wedges instead
