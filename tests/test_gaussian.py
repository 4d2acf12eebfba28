"""Gaussian expectations: the quadrature tier against closed forms and identities.

``exact=False`` forces the numeric tier, so these tests check the quadrature
itself against truths computed here independently with mpmath.
"""

import mpmath
import pytest
import sympy

from symsig.activations import get_activation, x
from symsig.errors import DomainError
from symsig.gaussian import expectation, expectations


def _agree(quantity, truth, dps):
    with mpmath.workdps(dps + 10):
        truth = mpmath.mpf(truth)
        assert abs(quantity.value - truth) <= mpmath.mpf(10) ** (-dps) * max(1, abs(truth)), \
            (str(quantity), mpmath.nstr(truth, dps))
        # the reported error estimate covers the actual error
        assert abs(quantity.value - truth) <= 10 * quantity.error + mpmath.mpf(10) ** (-dps - 5)


def _truncated_relu_square(sigma, b):
    # E[(sigma Z - b)_+^2] = (sigma^2 + b^2) Phi(-b/sigma) - b sigma phi(b/sigma)
    return (sigma**2 + b**2) * mpmath.ncdf(-b / sigma) - b * sigma * mpmath.npdf(b / sigma)


@pytest.mark.parametrize("dps", [15, 50, 100])
def test_shifted_kink_keeps_full_precision(dps):
    q = expectation(sympy.Max(x, 0) ** 2, sigma="1.7", mu="-0.3", dps=dps, exact=False)
    with mpmath.workdps(dps + 10):
        truth = _truncated_relu_square(mpmath.mpf("1.7"), mpmath.mpf("0.3"))
    _agree(q, truth, dps)
    if dps == 15:  # the value in style-anchors.md, 30 digits
        assert str(expectation(sympy.Max(x, 0) ** 2, "1.7", "-0.3", 30, exact=False)) == \
            "1.08097010797921869557737480112"


@pytest.mark.parametrize("dps", [15, 50])
def test_kinks_away_from_zero(dps):
    """relu6, hardtanh and Max(x, 0.3): piecewise polynomials with truncated-normal truths."""
    sigma = mpmath.mpf(2)
    with mpmath.workdps(dps + 20):
        s = sigma

        def moment(k, a, b):  # E[X^k 1{a < X < b}], X ~ N(0, s^2), by the closed recursion
            return mpmath.quad(lambda t: t**k * mpmath.npdf(t, 0, s), [a, b])

        inf = mpmath.inf
        relu6_m1 = moment(1, 0, 6) + 6 * (1 - mpmath.ncdf(6 / s))
        hardtanh_m2 = moment(2, -1, 1) + 2 * (1 - mpmath.ncdf(1 / s))
        b = mpmath.mpf("0.3")
        max_m1 = b * mpmath.ncdf(b / s) + moment(1, b, inf)
    cases = [(get_activation("relu6").expr, relu6_m1), (get_activation("hardtanh").expr ** 2, hardtanh_m2),
             (sympy.Max(x, sympy.Rational(3, 10)), max_m1)]
    results = expectations([f for f, _ in cases], sigma=2, dps=dps, exact=False)
    for q, (_, truth) in zip(results, cases):
        _agree(q, truth, dps)


@pytest.mark.parametrize("name", ["tanh", "mish", "telu"])
@pytest.mark.parametrize("dps", [15, 50])
def test_stein_identity(name, dps):
    """E[Z phi(sigma Z)] = sigma E[phi'(sigma Z)]: two different integrands, one truth."""
    phi = get_activation(name).expr
    sigma = sympy.Rational(7, 10)
    lhs, rhs = expectations([x / sigma * phi, sigma * sympy.diff(phi, x)], sigma=sigma, dps=dps)
    _agree(lhs, rhs.value, dps)


@pytest.mark.parametrize("dps", [15, 50, 100])
def test_tanh_derivative_identity(dps):
    """tanh' = 1 - tanh^2, so E[tanh'] = 1 - E[tanh^2] (the note's g1 = 1 - m2)."""
    g1, m2 = expectations([sympy.diff(sympy.tanh(x), x), sympy.tanh(x) ** 2], sigma=2, dps=dps)
    with mpmath.workdps(dps + 10):
        _agree(g1, 1 - m2.value, dps)
    assert str(g1)[:12] == "0.3647387657"  # notes §4.3, sigma = 2


@pytest.mark.parametrize("dps", [20, 60])
def test_telu_at_high_precision_matches_a_second_method(dps):
    """TeLU's g1 against mpmath's own Gauss-Legendre with 33 unit intervals (naive quad raises MemoryError)."""
    q = expectation(sympy.diff(x * sympy.tanh(sympy.exp(x)), x), dps=dps, exact=False)
    with mpmath.workdps(dps + 15):
        integrand = lambda z: (mpmath.tanh(mpmath.exp(z)) + z * mpmath.exp(z) / mpmath.cosh(mpmath.exp(z)) ** 2) \
            * mpmath.npdf(z)
        truth = mpmath.quad(integrand, [-20 + k for k in range(41)], method="gauss-legendre")
    _agree(q, truth, dps)


def test_lognormal_and_large_sigma_do_not_overflow():
    q = expectation(sympy.exp(x), sigma=3, dps=30, exact=False)
    with mpmath.workdps(40):
        _agree(q, mpmath.exp(mpmath.mpf(9) / 2), 30)
    telu = expectation(x * sympy.tanh(sympy.exp(x)), sigma=8, dps=20)
    assert telu.status == "numeric" and telu.value > 0


def test_divergent_moment_is_plus_infinity():
    q = expectation(sympy.exp(x**2), sigma=1, dps=15)
    assert q.status == "infinite" and q.value == mpmath.inf and "heavier than the Gaussian" in q.reason
    # but E[exp(X^2)] is finite for sigma^2 < 1/2: 1/sqrt(1 - 2 sigma^2)
    q = expectation(sympy.exp(x**2), sigma="0.5", dps=20, exact=False)
    with mpmath.workdps(30):
        _agree(q, mpmath.sqrt(2), 20)


def test_bad_sigma_and_dps():
    for sigma in (0, -1, "-0.5"):
        with pytest.raises(DomainError, match="sigma"):
            expectation(x, sigma=sigma)
    with pytest.raises(DomainError, match="dps"):
        expectation(x, dps=0)


def test_exact_tier_is_used_and_labelled():
    q = expectation(sympy.Max(x, 0) ** 2, sigma=3, dps=20)
    assert q.status == "exact" and q.exact == sympy.Rational(9, 2) and q.method.startswith("closed form")
    odd = expectation(sympy.tanh(x) ** 3, dps=20)
    assert odd.exact == 0 and "symmetry" in odd.method
    shifted = expectation(sympy.tanh(x) ** 3, mu=1, dps=20)
    assert shifted.status == "numeric" and shifted.value > 0


def test_mittag_leffler_activation_series_against_elementary_quadrature():
    """E_{1,2}(x) = (exp(x) - 1)/x: the series tier and the quadrature of the elementary form agree."""
    from symsig.mittag_leffler import MittagLeffler

    series = expectation(MittagLeffler(1, 2, x) ** 2, sigma="0.7", mu="0.2", dps=30)
    assert series.method.startswith("series")
    elementary = expectation(((sympy.exp(x) - 1) / x) ** 2, sigma="0.7", mu="0.2", dps=30, exact=False)
    _agree(series, elementary.value, 30)


@pytest.mark.parametrize("dps", [200, pytest.param(300, marks=pytest.mark.slow)])
def test_three_hundred_digits(dps):
    """dps up to 300: tanh's g1 = 1 - m2, and the shifted-kink closed form."""
    g1, m2 = expectations([sympy.diff(sympy.tanh(x), x), sympy.tanh(x) ** 2], sigma="0.8", dps=dps)
    with mpmath.workdps(dps + 10):
        _agree(g1, 1 - m2.value, dps)
    q = expectation(sympy.Max(x, 0) ** 2, sigma="1.7", mu="-0.3", dps=dps, exact=False)
    with mpmath.workdps(dps + 10):
        _agree(q, _truncated_relu_square(mpmath.mpf("1.7"), mpmath.mpf("0.3")), dps)


@pytest.mark.parametrize("mu", ["-1", "0.65", "-0.65", "0.95"])
@pytest.mark.parametrize("dps", [30, 31])
def test_error_estimate_is_not_fooled_by_two_agreeing_levels(mu, dps):
    """tanh at mu = 0.65, dps 30 once stopped one tanh-sinh level early (29 digits, error claimed 2e-32)."""
    q = expectation(sympy.tanh(x), mu=mu, dps=dps, exact=False)
    with mpmath.workdps(dps + 30):
        m = mpmath.mpf(sympy.Rational(mu).p) / sympy.Rational(mu).q
        truth = mpmath.quad(lambda z: mpmath.tanh(m + z) * mpmath.npdf(z), [-mpmath.inf, -m, 0, mpmath.inf])
    _agree(q, truth, dps)
