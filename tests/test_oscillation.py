"""Oscillating activations (issue 12, item 2): TV(phi'), C, B, Lip and the slopes are decided by
theorems, and "undefined" is kept for what is mathematically undefined, with the reason.

The truths are mathematical: sin has Lip 1 and cos has no limit, so TV(sin') = +oo (a function of
bounded variation on a half-line has a limit there); sin does not tend to 0 but is uniformly
continuous, so integral |sin| = +oo (Barbalat); its partial integrals 1 - cos(X) have no limit.
Gaussian moments of sin are closed forms computed here by hand: E[cos Z] = e^(-1/2),
E[sin(Z)^2] = (1 - e^(-2))/2, E[cos(Z)^2] = (1 + e^(-2))/2.
"""

import mpmath
import pytest
import sympy
from sympy import cos, sin

from symsig.activations import x
from symsig.calculus import decompose, growth_class, oscillation, slopes
from symsig.errors import InputError
from symsig.regularity import areas, lipschitz, total_variation
from symsig.signature import signature

DPS = 15
SNAKE = x + sin(x / 2) ** 2 / sympy.Rational(1, 2)  # Snake with a = 1/2: x + 2 sin(x/2)^2 = x + 1 - cos(x)
SIREN = sin(30 * x)


def _areas(phi):
    return areas(phi, *slopes(phi, DPS), DPS)


@pytest.mark.parametrize("phi", [sin(x), x + sin(x), SNAKE, SIREN])
def test_no_limit_of_phi_prime_gives_infinite_variation(phi):
    tv = total_variation(phi, DPS)
    assert tv.status == "infinite" and tv.value > 0
    assert "no limit" in tv.reason and "bounded variation" in tv.reason


def test_unbounded_phi_prime_gives_infinite_variation_and_lipschitz():
    # (x sin x)' = sin x + x cos x: at x = 2 pi n it is 2 pi n
    for quantity in (total_variation(x * sin(x), DPS), lipschitz(x * sin(x), DPS)):
        assert quantity.status == "infinite" and quantity.value > 0
        assert "unbounded" in quantity.reason


@pytest.mark.parametrize("phi, lip", [(sin(x), 1), (x + sin(x), 2), (SIREN, 30), (SNAKE, 2)])
def test_lipschitz_of_periodic_slopes(phi, lip):
    # sup|cos| = 1, sup|1 + cos| = 2, sup|30 cos 30x| = 30, Snake: phi' = 1 + sin x, sup = 2
    q = lipschitz(phi, DPS)
    assert q.is_finite
    assert abs(q.value - lip) <= q.error + mpmath.mpf(10) ** -DPS


@pytest.mark.parametrize("phi", [sin(x), x + sin(x), SIREN])
def test_zero_mean_oscillation_has_infinite_c_and_no_b(phi):
    c, b = _areas(phi)
    assert c.status == "infinite" and "Barbalat" in c.reason
    assert b.status == "undefined" and "no limit" in b.reason


def test_snake_residual_keeps_one_sign():
    # phi - x = 1 - cos x >= 0 with mean 1: both areas diverge to +oo
    c, b = _areas(SNAKE)
    assert c.status == "infinite" and "Barbalat" in c.reason
    assert b.status == "infinite" and b.value > 0 and "mean 1" in b.reason


def test_x_sin_x_has_no_asymptotic_lines():
    plus, minus = slopes(x * sin(x), DPS)
    for slope in (plus, minus):
        assert slope.status == "undefined"
        assert "no limit" in slope.reason and "oscillates" in slope.reason and "periodic" in slope.reason
    for area in _areas(x * sin(x)):
        assert area.status == "undefined" and "asymptotic lines" in area.reason


def test_growth_classes():
    assert growth_class(sin(x), DPS) == "A0"
    assert growth_class(x + sin(x), DPS) == "A1"
    assert growth_class(SNAKE, DPS) == "A1"


def test_loose_bounds_are_not_an_oscillation():
    # limit arithmetic gives sin^2 + cos^2 the bounds [0, 2]; it is the constant 1
    osc = oscillation(sin(x) ** 2 + cos(x) ** 2, 1)
    assert osc.constant and osc.mean == 1
    plus, minus = slopes(x * (sin(x) ** 2 + cos(x) ** 2), DPS)
    assert plus.exact == 1 and minus.exact == 1
    # incommensurable frequencies: not periodic, nothing is claimed
    assert oscillation(sin(x) + sin(sympy.sqrt(2) * x), 1) is None


def test_decaying_oscillation():
    # (sin x / x)'' = -sin(x)/x + O(x^-2): integral |phi''| diverges like log x; so does integral |sin x / x|
    tv = total_variation(sin(x) / x, DPS)
    assert tv.status == "infinite" and "diverges" in tv.reason
    c, _ = _areas(sin(x) / x)
    assert c.status == "infinite" and "log" in c.reason


def test_signature_of_sin_is_decided():
    result = signature("sin", dps=DPS)
    names = ["m1", "g1", "g2", "m2", "eta", "alpha_plus", "alpha_minus", "TV", "C"]
    assert all(result[name].status != "undefined" for name in names)
    with mpmath.workdps(DPS + 10):
        e1, e2 = mpmath.exp(-0.5), mpmath.exp(-2)
        truths = {"m1": 0, "g1": e1, "m2": (1 - e2) / 2, "g2": mpmath.sqrt((1 + e2) / 2),
                  "eta": e1**2 / ((1 - e2) / 2), "alpha_plus": 0, "alpha_minus": 0}
        for name, truth in truths.items():
            assert abs(result[name].value - truth) <= mpmath.mpf(10) ** -DPS * max(1, abs(truth)), name
    assert result["TV"].value == mpmath.inf and result["C"].value == mpmath.inf


def test_smooth_catalogue_unchanged():
    # tanh' = sech^2 rises 0 -> 1 -> 0: TV 2; softplus' = sigmoid: TV 1, Lip 1;
    # softplus - l = log(1 + e^-|x|): C = B = 2 * pi^2/12
    assert total_variation(sympy.tanh(x), DPS).exact == 2
    assert _areas(sympy.tanh(x))[0].status == "infinite"
    softplus = sympy.log(1 + sympy.exp(x))
    assert total_variation(softplus, DPS).exact == 1 and lipschitz(softplus, DPS).exact == 1
    c, b = _areas(softplus)
    for q in (c, b):
        assert abs(q.value - mpmath.pi**2 / 6) <= (q.error or 0) + mpmath.mpf(10) ** -DPS


def test_periodic_condition_is_refused():
    # solve(sin(x), x) lists 0 and pi only: Max(sin(x), 0) was taken as 0 beyond pi
    with pytest.raises(InputError, match="infinitely many"):
        decompose(sympy.Max(sin(x), 0))
