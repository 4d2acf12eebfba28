"""Certified slopes, TV(phi') and C(phi) against independent truths: closed forms, and plain
mpmath.quad of |phi''| between mpmath.findroot zeros (no symsig code in the references)."""

from decimal import Decimal
from fractions import Fraction

import mpmath
import pytest
import sympy

pytest.importorskip("flint")

from symsig import signature  # noqa: E402
from symsig.activations import SELU_LAMBDA, x  # noqa: E402
from symsig.certified import Ball, NotCertified, certified_signature  # noqa: E402
from symsig.certified.regularity import (Infinite, certified_c, certified_slope, certified_slopes,  # noqa: E402
                                         certified_total_variation)

ctx = mpmath.mp.clone()


def _tight(ball, digits):
    assert isinstance(ball, Ball), ball
    assert Fraction(Decimal(ball.rad)) <= Fraction(10) ** -digits * max(abs(Fraction(Decimal(ball.mid))), 1)


def _excludes_neighbours(ball):
    """One unit in the last proven digit either way leaves the ball."""
    digits, unit = ball.proven()
    if unit:
        value = Fraction(Decimal(digits))
        assert not ball.contains(value + unit) and not ball.contains(value - unit)


@pytest.mark.parametrize("name, plus, minus", [
    ("relu", 1, 0), ("leaky_relu", 1, Fraction(1, 100)), ("tanh", 0, 0), ("abs", 1, -1),
    ("selu", SELU_LAMBDA, 0)])
def test_exact_slopes(name, plus, minus):
    ap, am = certified_slopes(name, dps=40)
    plus = sympy.Rational(str(plus)) if not isinstance(plus, sympy.Basic) else plus
    assert ap.contains(Fraction(int(plus.p), int(plus.q))) and am.contains(minus)
    _tight(ap, 40)


def test_infinite_slope_is_proved_and_c_refuses():
    assert certified_slope("relu_pow", 1, dps=20) == Infinite(1, "symbolic limit", "symbolic limit")
    with pytest.raises(NotCertified, match="undefined.*slope is infinite"):
        certified_c("relu_pow", dps=20)


@pytest.mark.parametrize("name, truth", [("tanh", 2), ("sigmoid", Fraction(1, 2)), ("softplus", 1),
                                         ("relu", 1), ("hardswish", 3)])
def test_tv_closed_forms(name, truth):
    """tanh' = sech^2 rises 0 -> 1 -> 0; sigmoid' 0 -> 1/4 -> 0; softplus' = sigmoid rises 0 -> 1;
    hardswish' jumps 0 -> -1 at -3, rises linearly to 1 at 3, jumps to 1: 1 + 2 + 0."""
    ball = certified_total_variation(name, dps=40)
    assert ball.contains(truth)
    _tight(ball, 40)


def _quad_tv(d2, guesses, ends, dps=60):
    """integral |phi''| on [ends] split at the findroot zeros of phi''."""
    with ctx.workdps(dps):
        roots = [ctx.findroot(d2, g) for g in guesses]
        return ctx.quad(lambda t: abs(d2(t)), [ends[0], *roots, ends[1]])


def test_gelu_tv_against_quad():
    # GELU'' = (2 - x^2) exp(-x^2/2) / sqrt(2 pi), written out here by hand
    with ctx.workdps(60):
        d2 = lambda t: (2 - t * t) * ctx.exp(-t * t / 2) / ctx.sqrt(2 * ctx.pi)  # noqa: E731
        truth = _quad_tv(d2, [-1.4, 1.4], [-ctx.inf, ctx.inf])
    ball = certified_total_variation("gelu", dps=50)
    assert ball.contains(truth)
    _tight(ball, 48)
    _excludes_neighbours(ball)


@pytest.mark.parametrize("dps", [15, 50, 120])
def test_root_isolation_against_quad(dps):
    """phi'' = -2 sin x - x cos x on (0, 4): a zero at the piece end 0 and one near 2.29 that
    SymPy cannot write; phi' jumps by 1 at 0 and by |4 sin 4 - cos 4| at 4."""
    phi = sympy.Piecewise((0, x < 0), (x * sympy.cos(x), x < 4), (4 * sympy.cos(4), True))
    assert signature(phi, dps=20, components=("TV",))["TV"].exact is None  # not the exact tier
    ball = certified_total_variation(phi, dps=dps)
    assert ball.method.startswith("root isolation")
    with ctx.workdps(dps + 20):
        d2 = lambda t: -2 * ctx.sin(t) - t * ctx.cos(t)  # noqa: E731
        truth = _quad_tv(d2, [2.3], [0, 4], dps + 20) + 1 + abs(4 * ctx.sin(4) - ctx.cos(4))
    assert ball.contains(truth)
    _tight(ball, dps)
    _excludes_neighbours(ball)


def test_c_closed_form_and_infinity():
    """Swish: C = 2 integral_0^oo x/(1 + e^x) = pi^2/6 (x sigma(x) - x = -x sigma(-x))."""
    ball = certified_c("swish", dps=40)
    with ctx.workdps(60):
        assert ball.contains(ctx.quad(lambda t: t / (1 + ctx.exp(t)), [0, ctx.inf]) * 2)
    _tight(ball, 40)
    _excludes_neighbours(ball)
    assert isinstance(certified_c("tanh", dps=20), Infinite)
    assert isinstance(certified_total_variation(sympy.Heaviside(x), dps=20), Infinite)
    # phi' = 2x tends to oo (a symbolic limit): TV(phi') = oo is proved, not refused
    unbounded = certified_total_variation(x**2, dps=20)
    assert isinstance(unbounded, Infinite) and unbounded.sign == 1 and unbounded.method == "phi' is unbounded"


def test_refusals_carry_the_reason():
    # sqrt(1 + x^2) - |x| decays only like 1/(2|x|): no exponential decay bound is proved
    with pytest.raises(NotCertified, match="no decay bound proved for 1/sqrt"):
        certified_total_variation("sqrt(1 + x**2) + tanh(x)**3", dps=20)


def test_signature_reports_the_new_components():
    balls = certified_signature("swish", dps=20)
    with ctx.workdps(40):
        assert balls["alpha_plus"].contains(1) and balls["C"].contains(ctx.pi ** 2 / 6)
    # swish'(-x) = 1 - swish'(x), so TV(swish') = 4 max swish' - 3, the max where swish'' = 0
    s = lambda v: 1 / (1 + ctx.exp(-v))
    with ctx.workdps(40):
        top = ctx.findroot(lambda v: s(v) * (1 - s(v)) * (2 + v * (1 - 2 * s(v))), 2.4)
        assert balls["TV"].contains(4 * (s(top) + top * s(top) * (1 - s(top))) - 3)
    data = signature("tanh", dps=20, certified=True).as_dict()["components"]
    assert data["TV"]["certified"] == {"mid": "2", "rad": "0", "certified": True}
    assert data["C"]["certified"]["value"] == "oo" and data["C"]["certified"]["certified"] is True
