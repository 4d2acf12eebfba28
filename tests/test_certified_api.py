"""certified=True on the public entry points (expectation, gaussian_moment, dual_activation,
mittag_leffler) against closed forms and plain mpmath quadrature in a private context at 60+
digits (no symsig code in the references)."""

from decimal import Decimal
from fractions import Fraction

import mpmath
import pytest
import sympy

pytest.importorskip("flint")

from symsig.activations import x  # noqa: E402
from symsig.certified import Ball, ComplexBall, NotCertified  # noqa: E402
from symsig.errors import InputError  # noqa: E402
from symsig.gaussian import expectation, gaussian_moment  # noqa: E402
from symsig.kernels.dual import dual_activation  # noqa: E402
from symsig.mittag_leffler.numeric import MLResult, mittag_leffler  # noqa: E402
from symsig.quantity import Quantity  # noqa: E402

ctx = mpmath.MPContext()
ctx.dps = 60
pi = ctx.pi
DPS = 50


def _exact(v):
    """An mpf as an exact Fraction."""
    sign, man, exp, _ = ctx.mpf(v)._mpf_
    return (-1) ** sign * Fraction(man) * Fraction(2) ** exp


def _certifies(ball, truth, dps=DPS):
    """The ball contains the reference and is 10^-dps relative (the reference is good to 60 digits,
    so the interval is widened by 10^-58 relative before the containment test)."""
    assert isinstance(ball, Ball), ball
    mid, rad = Fraction(Decimal(ball.mid)), Fraction(Decimal(ball.rad))
    value = _exact(truth)
    assert abs(mid - value) <= rad + abs(value) * Fraction(1, 10**58), (str(ball), truth)
    assert rad <= Fraction(1, 10**dps) * abs(value), (str(ball), truth)


def _quad(f, sigma, mu=0):
    """E[f(mu + sigma Z)] by plain mpmath.quad on mu +/- 40 sigma (tails below 1e-340 here)."""
    s, m = ctx.mpf(sigma), ctx.mpf(mu)
    density = lambda t: ctx.exp(-((t - m) / s) ** 2 / 2) / (s * ctx.sqrt(2 * pi))  # noqa: E731
    return ctx.quad(lambda t: f(t) * density(t), [m - 40 * s, m, m + 40 * s])


# -------------------------------------------------------------- expectation, gaussian_moment

@pytest.mark.parametrize("sigma", ["0.5", 1, 2])
def test_expectation_closed_forms(sigma):
    s = ctx.mpf(sigma)
    # E[relu(sigma Z)] = sigma / sqrt(2 pi); E[gelu(sigma Z)] = sigma^2 / sqrt(2 pi (1 + sigma^2)) (Stein)
    _certifies(expectation("relu", sigma, dps=DPS, certified=True), s / ctx.sqrt(2 * pi))
    _certifies(expectation("gelu", sigma, dps=DPS, certified=True), s * s / ctx.sqrt(2 * pi * (1 + s * s)))


def test_expectation_off_centre_and_quadrature_tier():
    m = ctx.mpf(1) / 2
    # E[relu(mu + Z)] = mu Phi(mu) + phi(mu)
    truth = m * ctx.ncdf(m) + ctx.npdf(m)
    _certifies(expectation("relu", 1, "0.5", dps=DPS, certified=True), truth)
    ball = expectation(sympy.tanh(x) ** 2, sigma=2, dps=DPS, certified=True)
    assert ball.method.startswith("quadrature")
    _certifies(ball, _quad(lambda t: ctx.tanh(t) ** 2, 2))


def test_gaussian_moment_certified():
    # E[relu(3 Z)^2] = 9/2 exactly; E[tanh'(X)^2] = E[sech(X)^4] by quadrature
    assert gaussian_moment(sympy.Max(x, 0), power=2, sigma=3, dps=DPS, certified=True).contains(Fraction(9, 2))
    ball = gaussian_moment("tanh", power=2, derivative=1, sigma=1, dps=DPS, certified=True)
    _certifies(ball, _quad(lambda t: ctx.sech(t) ** 4, 1))
    with pytest.raises(InputError, match="numeric sigma"):
        gaussian_moment("relu", power=2, certified=True)  # sigma is the symbol by default


def test_default_paths_unchanged_and_divergence_refused():
    assert isinstance(expectation("relu", 2, dps=20), Quantity)
    assert str(gaussian_moment(sympy.Max(x, 0), power=2)) == "sigma**2/2"
    with pytest.raises(NotCertified, match="infinite"):
        expectation(sympy.exp(x ** 2), sigma=1, dps=20, certified=True)


def test_expectation_ball_excludes_one_unit_in_the_last_digit():
    ball = expectation("gelu", 1, dps=30, certified=True)
    digits, unit = ball.proven()  # the rounded digits need not lie in the ball; one unit off never does
    assert not ball.contains(Fraction(Decimal(digits)) + unit)
    assert not ball.contains(Fraction(Decimal(digits)) - unit)


# -------------------------------------------------------------- dual_activation

def _theta(q1, q2, q12):
    return ctx.acos(ctx.mpf(q12) / ctx.sqrt(ctx.mpf(q1) * ctx.mpf(q2)))


@pytest.mark.parametrize("q1,q2,q12", [(1, 1, "0.5"), (2, 3, "-1.2"), ("0.5", 2, 1), (1, 1, 0)])
def test_dual_against_arccos_and_williams(q1, q2, q12):
    a, b, c = (ctx.mpf(v) for v in (q1, q2, q12))
    t = _theta(q1, q2, q12)
    # Cho and Saul: E[relu(U) relu(V)] = sqrt(q1 q2) (sin t + (pi - t) cos t) / (2 pi); step dual (pi - t)/(2 pi)
    _certifies(dual_activation("relu", q1, q2, q12, dps=DPS, certified=True),
               ctx.sqrt(a * b) * (ctx.sin(t) + (pi - t) * ctx.cos(t)) / (2 * pi))
    _certifies(dual_activation("relu", q1, q2, q12, derivative=True, dps=DPS, certified=True), (pi - t) / (2 * pi))
    # Williams: E[erf(U) erf(V)] = (2/pi) asin(2 q12 / sqrt((1 + 2 q1)(1 + 2 q2)))
    williams = 2 / pi * ctx.asin(2 * c / ctx.sqrt((1 + 2 * a) * (1 + 2 * b)))
    if c:
        _certifies(dual_activation("erf(x)", q1, q2, q12, dps=DPS, certified=True), williams)
    else:
        assert dual_activation("erf(x)", q1, q2, q12, dps=DPS, certified=True).contains(0)


def test_dual_second_order_arccos_and_gelu_against_quadrature():
    t = _theta(1, 1, "0.5")
    # J_2 = 3 sin t cos t + (pi - t)(1 + 2 cos^2 t): E[relu^2 relu^2] = J_2 / (2 pi) at q1 = q2 = 1
    j2 = 3 * ctx.sin(t) * ctx.cos(t) + (pi - t) * (1 + 2 * ctx.cos(t) ** 2)
    _certifies(dual_activation("relu_pow(k=2)", 1, 1, "0.5", dps=DPS, certified=True), j2 / (2 * pi))
    # GELU: V = rho U + sqrt(1 - rho^2) W; E[gelu(U) gelu(V)] as E over U of gelu(U) E[gelu(V) | U],
    # the inner mean in closed form E[(m + s W) Phi(m + s W)] = m Phi(m / r) + s^2 phi(m / r) / r, r^2 = 1 + s^2
    rho = ctx.mpf(1) / 2
    s2 = 1 - rho * rho
    r = ctx.sqrt(1 + s2)

    def outer(u):
        m = rho * u
        return u * ctx.ncdf(u) * (m * ctx.ncdf(m / r) + s2 * ctx.npdf(m / r) / r)
    _certifies(dual_activation("gelu", 1, 1, "0.5", dps=DPS, certified=True), _quad(outer, 1))


def test_dual_refusals_and_exclusion():
    with pytest.raises(NotCertified, match="no closed form of this dual"):
        dual_activation("tanh", 1, 1, "0.5", certified=True)
    with pytest.raises(NotCertified, match="infinite"):
        dual_activation("exp(x**2)", 1, 1, "0.5", certified=True)
    ball = dual_activation("relu", 1, 1, "0.5", dps=30, certified=True)
    digits, unit = ball.proven()
    assert not ball.contains(Fraction(Decimal(digits)) + unit)
    assert not ball.contains(Fraction(Decimal(digits)) - unit)
    assert isinstance(dual_activation("relu", 1, 1, "0.5", dps=20), Quantity)


# -------------------------------------------------------------- mittag_leffler

def test_mittag_leffler_certified_entry_point():
    big = mpmath.MPContext()
    big.dps = 120
    ball = mittag_leffler("0.5", 1, -50, dps=40, certified=True)
    assert ball.contains(_exact_big(big.exp(2500) * big.erfc(50), big))
    z = big.mpc(1, 2)  # E^2_{1/2,1}(z) = (2 z^2 + 1) exp(z^2) erfc(-z) + 2 z / sqrt(pi)
    truth = (2 * z * z + 1) * big.exp(z * z) * big.erfc(-z) + 2 * z / big.sqrt(big.pi)
    ball = mittag_leffler("1/2", 1, 1 + 2j, gamma=2, dps=40, certified=True)
    assert isinstance(ball, ComplexBall)
    assert ball.real.contains(_exact_big(truth.real, big)) and ball.imag.contains(_exact_big(truth.imag, big))
    with pytest.raises(NotCertified, match="one z"):
        mittag_leffler("0.5", 1, [1, 2], certified=True)
    assert isinstance(mittag_leffler("0.5", 1, -5, dps=20), MLResult)


def _exact_big(v, big):
    sign, man, exp, _ = big.mpf(v)._mpf_
    return (-1) ** sign * Fraction(man) * Fraction(2) ** exp
