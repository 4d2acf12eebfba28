"""Decided edge cases: singularities, heavy tails, huge powers, limits of bounded compositions (issue 10)."""

import mpmath
import pytest
import sympy

from symsig.activations import get_activation, x
from symsig.calculus import growth_class, limit_at_infinity
from symsig.errors import DomainError
from symsig.gaussian import gaussian_moment
from symsig.kernels.dual import dual_activation
from symsig.signature import signature


@pytest.mark.parametrize("text", ["1/x", "tan(x)", "x*tan(x)", "1/tan(x)"])
def test_non_integrable_sign_changing_singularity_is_undefined(text):
    q = gaussian_moment(text, sigma=1)
    assert q.status == "undefined" and "principal value" in q.reason
    assert q.method == "singularity and tail analysis"  # decided symbolically, before any quadrature


@pytest.mark.parametrize("text", ["1/x**2", "1/abs(x)", "exp(-x**2)/x**2"])
def test_one_signed_singularity_is_plus_infinity(text):
    q = gaussian_moment(text, sigma=1)
    assert q.status == "infinite" and q.value == mpmath.inf and "x = 0" in q.reason


def test_signature_of_one_over_x():
    s = signature("1/x", components=("m1", "m2", "TV", "C"))
    assert s["m1"].status == "undefined"
    assert s["m2"].status == "infinite" and s["TV"].status == "infinite" and s["C"].status == "infinite"


def test_tan_slopes_are_undefined():
    s = signature("tan(x)", components=("alpha_plus",))
    assert s["alpha_plus"].status == "undefined"


@pytest.mark.parametrize("text", ["sqrt(x)", "log(x)", "x**(1/3)"])
def test_complex_valued_integrand_is_a_domain_error(text):
    with pytest.raises(DomainError, match="complex"):
        gaussian_moment(text, sigma=1)


def test_integrable_log_singularity_has_correct_digits():
    # E[log Z^2] = -gamma - log 2
    q = gaussian_moment("log(x**2)", sigma=1, dps=30)
    with mpmath.workdps(40):
        truth = -mpmath.euler - mpmath.log(2)
        assert abs(q.value - truth) <= mpmath.mpf(10) ** -29


@pytest.mark.parametrize("text, sigma", [("exp(x**2)", 1), ("exp(x**2/2)", 1), ("exp(x**2/8)", 2),
                                         ("exp(exp(x))", 1), ("x**2*exp(x**2/2)", 1)])
def test_heavy_tail_is_plus_infinity(text, sigma):
    q = gaussian_moment(text, sigma=sigma)
    assert q.status == "infinite" and q.value == mpmath.inf and "heavier than the Gaussian" in q.reason


def test_heavy_tail_with_mixed_signs_is_undefined():
    assert gaussian_moment("x*exp(x**2)", sigma=1).status == "undefined"


def test_boundary_of_the_heavy_tail_converges_below_it():
    # E[exp(a Z^2)] = 1/sqrt(1 - 2a) for a < 1/2; exp(x^2/2)/(1+x^2) is integrable against N(0,1)
    q = gaussian_moment("exp(x**2/4)", sigma=1, dps=30)
    with mpmath.workdps(40):
        assert abs(q.value - mpmath.sqrt(2)) <= mpmath.mpf(10) ** -29
    # exactly at the boundary the algebraic factor decides: finite (sqrt(pi/2)), not oo
    from symsig.calculus import decompose
    from symsig.singularities import expectation_verdict
    assert expectation_verdict(decompose(sympy.exp(x**2 / 2) / (1 + x**2)), 1, 0) is None
    assert expectation_verdict(decompose(sympy.exp(x**2 / 2) / (1 + sympy.Abs(x))), 1, 0).status == "infinite"


def test_heavy_tail_in_the_dual_kernel():
    assert dual_activation("exp(x**2)", 1, 1, "0.5").status == "infinite"
    assert dual_activation("exp(x**2/4)", 1, 1, 1).status == "infinite"  # E[exp(U^2/2)]


def test_relu_pow_1000_closed_form():
    q = signature("relu_pow(k=1000)", components=("m1",), dps=30)["m1"]
    assert q.status == "exact"
    with mpmath.workdps(50):
        truth = mpmath.mpf(2) ** 499 * mpmath.gamma(mpmath.mpf(1001) / 2) / mpmath.sqrt(mpmath.pi)
        assert abs(q.value / truth - 1) <= mpmath.mpf(10) ** -29


def test_relu_pow_odd_moment_on_negative_half_line():
    # E[min(Z, 0)^3] = -2^(1/2) Gamma(2)/sqrt(pi) = -sqrt(2/pi)
    value = gaussian_moment(sympy.Min(x, 0) ** 3, power=1)
    assert sympy.simplify(value + sympy.sqrt(2) * get_sigma() ** 3 / sympy.sqrt(sympy.pi)) == 0


def get_sigma():
    from symsig.gaussian import SIGMA
    return SIGMA


def test_nested_tanh_is_bounded_and_its_area_infinite():
    phi = get_activation("tanh(tanh(tanh(x)))").expr
    assert limit_at_infinity(phi, 1) == sympy.tanh(sympy.tanh(1))
    assert growth_class(phi) == "A0"
    c = signature(phi, components=("C",))["C"]
    assert c.status == "infinite"


def test_limit_at_infinity_refuses_indeterminate_forms():
    assert limit_at_infinity(x - x**2 / 2 + sympy.sin(x) * x, 1) is None
    assert limit_at_infinity(1 / (1 + sympy.exp(-x)), -1) == 0
    assert limit_at_infinity(sympy.atan(sympy.exp(x)), 1) == sympy.pi / 2


# classes the fuzz test found broken (each crashed with a TypeError before)
def test_signature_of_a_complex_valued_activation_is_a_domain_error():
    with pytest.raises(DomainError):
        signature("x**0.5", sigma="0.5", dps=15)


def test_log_abs_singularity_is_not_a_jump():
    # E[log|Z|] = -(euler_gamma + log 2)/2; phi' = 1/x has no expectation
    s = signature("log(abs(x))", dps=20, components=("m1", "g1"))
    ctx = mpmath.MPContext()
    ctx.dps = 30
    assert abs(s["m1"].value - (-(ctx.euler + ctx.log(2)) / 2)) < ctx.mpf(10) ** -19
    assert s["g1"].status == "undefined"


def test_piecewise_condition_with_a_pole():
    # Max(1/x, 0) switches branch at the pole x = 0; E[phi] = E[1/Z; Z > 0] = +oo
    s = signature("Max(1/x, 0)", dps=15, components=("m1", "m2"))
    assert str(s["m1"]) == "oo" and str(s["m2"]) == "oo"


@pytest.mark.parametrize("phi, q12, dps", [pytest.param("exp(x**2/4)", "1/2", 15, marks=pytest.mark.slow),
                                           ("exp(x**2/8)", 1, 30)])
def test_dual_of_a_heavy_but_finite_tail_keeps_its_digits(phi, q12, dps):
    # E[exp(c U^2 + c V^2)] = det(I - 2c Sigma)^(-1/2); the tail cut for a bounded
    # integrand dropped digits from the 12th (c = 1/4) and the 28th (c = 1/8, rho = 1)
    c = sympy.Rational(1, 4) if "4" in phi else sympy.Rational(1, 8)
    sigma = sympy.Matrix([[1, q12], [q12, 1]])
    truth = 1 / sympy.sqrt((sympy.eye(2) - 2 * c * sigma).det())
    q = dual_activation(phi, 1, 1, q12, dps=dps)
    assert abs(q.value - sympy.N(truth, dps + 10)) <= sympy.Float(10) ** (1 - dps) * sympy.N(truth)
