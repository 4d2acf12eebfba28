"""Certified TV(phi') and C(phi) with proven tail decay, against plain mpmath.quad of |phi''| and
|phi - l| split at mpmath.findroot zeros, at dps 60 (formulas written out by hand here)."""

from decimal import Decimal
from fractions import Fraction

import mpmath
import pytest
import sympy

pytest.importorskip("flint")

from symsig.activations import x  # noqa: E402
from symsig.certified import Ball, NotCertified  # noqa: E402
from symsig.certified.decay import decay_bound  # noqa: E402
from symsig.certified.regularity import certified_c, certified_total_variation  # noqa: E402

ctx = mpmath.mp.clone()
ctx.dps = 60


def _sig(t):
    return 1 / (1 + ctx.exp(-t))


def _sp(t):
    return ctx.log1p(ctx.exp(t))


# phi'' written by hand (no numerical differentiation: mpmath.diff was off by 3e-17 here).
# swish: s(1-s)(2 + t(1-2s)); mish, m = tanh(sp): (1-m^2) s (2 + t(1-s) - 2 t m s);
# telu, E = e^t, T = tanh E: E (1-T^2)(2 + t - 2 t E T); gelu_tanh, u = c (t + k t^3), T = tanh u:
# (1-T^2)(u' + t u''/2 - t T u'^2)
_C, _K = ctx.sqrt(2 / ctx.pi), ctx.mpf(8943) / 200000


def _mish2(t):
    s, m = _sig(t), ctx.tanh(_sp(t))
    return (1 - m ** 2) * s * (2 + t * (1 - s) - 2 * t * m * s)


def _telu2(t):
    e = ctx.exp(t)
    tt = ctx.tanh(e)
    return e * (1 - tt ** 2) * (2 + t - 2 * t * e * tt)


def _gelu_tanh2(t):
    u1, u2, tt = _C * (1 + 3 * _K * t ** 2), 6 * _C * _K * t, ctx.tanh(_C * (t + _K * t ** 3))
    return (1 - tt ** 2) * (u1 + t * u2 / 2 - t * tt * u1 ** 2)


D2 = {
    "swish": lambda t: _sig(t) * (1 - _sig(t)) * (2 + t * (1 - 2 * _sig(t))),
    "mish": _mish2,
    "telu": _telu2,
    "gelu_tanh": _gelu_tanh2,
}
# phi - l: l = x on the right, 0 on the left (both slopes are 1 and 0)
G = {
    "mish": lambda t: t * ctx.tanh(_sp(t)) - (t if t > 0 else 0),
    "telu": lambda t: t * ctx.tanh(ctx.exp(t)) - (t if t > 0 else 0),
    "softplus": lambda t: _sp(-abs(t)),
    "gelu_tanh": lambda t: t * (1 + ctx.tanh(ctx.sqrt(2 / ctx.pi) * (t + ctx.mpf(44715) / 10 ** 6 * t ** 3))) / 2
                           - (t if t > 0 else 0),
}


def _zeros(f, lo, hi, n=400):
    grid = [lo + (hi - lo) * ctx.mpf(k) / n for k in range(n + 1)]
    return [ctx.findroot(f, (a, b), solver="anderson") for a, b in zip(grid, grid[1:]) if f(a) * f(b) < 0]


def _quad_abs(f):
    # every integrand here is below |t| e^-|t| beyond 200 (under 1e-84 in all); at infinite ends
    # mpmath's tanh(e^t) would need e^t to 10^30 bits (MemoryError)
    points = [-200, *_zeros(f, -12, -1e-9), 0, *_zeros(f, 1e-9, 12), 200]
    return ctx.quad(lambda t: abs(f(t)), points)


def _tight(ball, digits):
    assert isinstance(ball, Ball), ball
    assert Fraction(Decimal(ball.rad)) <= Fraction(10) ** -digits * abs(Fraction(Decimal(ball.mid)))


def _excludes_neighbours(ball):
    digits, unit = ball.proven()
    assert unit
    value = Fraction(Decimal(digits))
    assert not ball.contains(value + unit) and not ball.contains(value - unit)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["swish", "mish", "telu", "gelu_tanh"])
def test_tv_against_quad(name):
    ball = certified_total_variation(name, dps=50)
    assert "decay bound" in ball.method
    assert ball.contains(_quad_abs(D2[name]))
    _tight(ball, 48)
    _excludes_neighbours(ball)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["mish", "telu", "softplus", "gelu_tanh"])
def test_c_against_quad(name):
    ball = certified_c(name, dps=50)
    assert ball.method.startswith("quadrature")
    assert ball.contains(_quad_abs(G[name]))
    _tight(ball, 48)
    _excludes_neighbours(ball)


def test_softplus_c_is_pi_squared_over_6():
    """integral_R log(1 + e^-|x|) = 2 sum_k (-1)^(k+1) / k^2 = 2 pi^2/12 (checked by quad first)."""
    assert abs(_quad_abs(G["softplus"]) - ctx.pi ** 2 / 6) < ctx.mpf(10) ** -55
    ball = certified_c("softplus", dps=30)
    assert ball.contains(ctx.pi ** 2 / 6)
    _tight(ball, 30)


def test_swish_tv_fast():
    ball = certified_total_variation("swish", dps=30)
    assert ball.contains(_quad_abs(D2["swish"]))
    _tight(ball, 30)


def test_decay_rules_and_refusal():
    """softplus - x = log(1 + e^-x) <= e^-x: the integral of the bound from T is (exactly) e^-T."""
    import flint
    d = decay_bound(sympy.log(sympy.exp(x) + 1) - x, 1)
    assert d.envelope(10) == [(flint.arb(1), 0, Fraction(1))]
    with pytest.raises(NotCertified, match="no (exponential )?decay"):
        decay_bound(sympy.tanh(x) - x / (1 + sympy.Abs(x)), 1)  # decays only like 1/x
    with pytest.raises(NotCertified, match="TV: .*no decay bound proved for 1/sqrt"):
        certified_total_variation(sympy.sqrt(1 + x**2) + sympy.tanh(x) ** 3, dps=20)  # phi'' ~ |x|^-3
