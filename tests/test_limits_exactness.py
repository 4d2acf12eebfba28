"""Exact limits are right or absent; numeric limits and areas carry the digits they measured.

Truths are closed forms: the gated tanh is tanh (phi' = sech^2 -> 0),
E_{2,3}(x^2) = (cosh x - 1)/x^2, E_{3,1}(z) = (e^w + 2 e^{-w/2} cos(sqrt(3) w/2))/3 with
w = z^(1/3), C(GELU) = 2 int_0^oo x Phi(-x) dx = E[Z^2]/2 = 1/2; Mish's C is checked
against plain ``mpmath.quad`` on the classical form (global mpmath, no symsig code).
"""

import mpmath
import pytest
import sympy
from sympy import Rational, oo

from symsig import calculus
from symsig.activations import x
from symsig.calculus import numeric_limit, slopes, stable_value, symbolic_limit
from symsig.mittag_leffler.functions import MittagLeffler, Prabhakar
from symsig.mittag_leffler.gated import preset
from symsig.precision import lambdify_mpmath, mp, workdps
from symsig.regularity import areas


def _gated(name):
    return preset(name).subs(sympy.Symbol("x", real=True), x)


def test_gated_tanh_derivative_tends_to_zero():
    # phi = tanh x, so phi' = sech(x)^2 -> 0 at both ends (SymPy's limit used to say -1)
    slope = sympy.diff(_gated("tanh"), x)
    assert symbolic_limit(slope, oo) == 0 and symbolic_limit(slope, -oo) == 0


def test_exponential_part_of_e23_is_split_off():
    # x^2 E_{2,3}(x^2)/cosh x = 1 - 1/cosh x -> 1, and x^2 (E_{2,3}(x^2) - e^x/(2x^2)) = e^-x/2 - 1 -> -1
    e23 = MittagLeffler(2, 3, x ** 2)
    assert sympy.limit(x ** 2 * e23 / MittagLeffler(2, 1, x ** 2), x, oo) == 1
    assert sympy.limit(x ** 2 * (e23 - sympy.exp(x) / (2 * x ** 2)), x, oo) == -1


@pytest.mark.parametrize("expr, end", [
    (MittagLeffler(3, 1, x) * sympy.exp(-x), oo),  # a = 3: three exponential terms, none split off
    (Prabhakar(2, Rational(1, 2), 1, x) * sympy.exp(-x), oo),  # no Prabhakar asymptotics at all
    (x ** 2 * MittagLeffler(2, 3, -x ** 2), oo),  # 1 - cos x: E_{2,b} oscillates on the negative axis
])
def test_functions_without_asymptotics_get_no_exact_limit(expr, end):
    assert symbolic_limit(expr, end) is None


def test_numeric_limit_of_e31_against_its_closed_form():
    # E_{3,1}(x) e^{-x^(1/3)} -> 1/3: the symbolic tiers refuse, the samples settle
    expr = MittagLeffler(3, 1, x) * sympy.exp(-x ** Rational(1, 3))
    assert symbolic_limit(expr, oo) is None
    q = numeric_limit(expr, 1, 20)
    assert q.status == "numeric"
    with mpmath.workdps(40):
        assert abs(q.value - mpmath.mpf(1) / 3) <= q.error < mpmath.mpf(10) ** -20


def test_a_limit_the_samples_contradict_is_not_reported(monkeypatch):
    slope = sympy.diff(_gated("tanh"), x) + 0 * x  # a new cache key
    symbolic_limit.cache_clear()
    monkeypatch.setattr(calculus, "_plain_limit", lambda expr, point, side: sympy.Integer(-1))
    assert symbolic_limit(slope, oo) is None
    symbolic_limit.cache_clear()
    monkeypatch.setattr(calculus, "_plain_limit", lambda expr, point, side: sympy.Integer(0))
    assert symbolic_limit(slope, oo) == 0
    symbolic_limit.cache_clear()


def test_total_cancellation_is_no_limit():
    # cosh^2 - sinh^2 = 1; at x = 4096 both squares round to the same number at every precision
    # up to MAX_EXTRA_DIGITS, which used to read as the limit 0 +- 2e-41
    q = numeric_limit(sympy.cosh(x) ** 2 - sympy.sinh(x) ** 2, 1, 30)
    assert q.status != "numeric" or abs(q.value - 1) <= q.error


def test_numeric_limit_error_covers_cancellation():
    # sqrt(x^2 + x) - x = 1/2 - 1/(8x) + ...: x^2 + x needs more bits than 15 digits have
    q = numeric_limit(sympy.sqrt(x ** 2 + x) - x, 1, 15)
    assert q.status == "numeric" and abs(q.value - mpmath.mpf(1) / 2) <= q.error < 1e-15


def test_stable_value_pays_for_cancellation():
    # x (1 + e^{-x^2}) - x = x e^{-x^2}: at x = 30 the terms cancel by 391 digits
    func = lambdify_mpmath(x, x * (1 + sympy.exp(-x ** 2)) - x)
    with workdps(30):
        value, error = stable_value(func, mp.mpf(30), lambda v: 2 * mp.eps * abs(v))
        with mp.workprec(mp.prec + 64):
            truth = 30 * mp.exp(-900)
        assert error <= 2 * mp.eps * abs(value) and abs(value - truth) <= error


def test_area_with_a_piece_on_its_asymptote():
    # phi = x for x > 0 (phi - l = 0 there), x e^x/(1 + x^2) for x < 0 (no closed-form area)
    phi = sympy.Piecewise((x, x > 0), (x * sympy.exp(x) / (1 + x ** 2), True))
    c, b = areas(phi, *slopes(phi, 20), dps=20)
    with mpmath.workdps(40):
        ref = mpmath.quad(lambda t: t * mpmath.exp(t) / (1 + t * t), [-mpmath.inf, -10, 0])
        assert abs(b.value - ref) <= b.error < mpmath.mpf(10) ** -20 * abs(ref)
        assert abs(c.value + ref) <= c.error


def _mish_reference(dps):
    f = lambda t: t * mpmath.tanh(mpmath.log1p(mpmath.exp(t)))
    with mpmath.workdps(dps + 20):
        return (mpmath.quad(lambda t: abs(f(t)), [-mpmath.inf, -8, -1, 0])
                + mpmath.quad(lambda t: abs(f(t) - t), [0, 1, 2, 4, 8, 32, 128]))  # beyond: < 1e-100


def _check_gated_area(name, dps):
    truth = mpmath.mpf(1) / 2 if name == "gelu" else _mish_reference(dps)
    phi = _gated(name)
    c, _ = areas(phi, *slopes(phi, dps), dps=dps)
    assert c.status == "numeric", c
    with mpmath.workdps(dps + 20):
        assert c.error < mpmath.mpf(10) ** -dps * truth
        assert abs(c.value - truth) <= c.error


@pytest.mark.parametrize("name", ["gelu", "mish"])
def test_gated_gelu_and_mish_have_the_area_of_their_classical_forms(name):
    _check_gated_area(name, 20)


@pytest.mark.slow  # ~5 s each: GELU's phi - x cancels by ~220 digits at the cut x = 32
@pytest.mark.parametrize("name", ["gelu", "mish"])
def test_gated_areas_at_50_digits(name):
    _check_gated_area(name, 50)


@pytest.mark.slow  # ~45 s: the sign scan of phi'' evaluates Mittag-Leffler ratios at ~700 points
def test_gated_gelu_total_variation():
    # phi' = Phi + x phi_N, phi'' = phi_N (2 - x^2): TV = 2 (Phi(r) - Phi(-r)) + 4 r phi_N(r) - 1, r = sqrt 2.
    # The scan passes x = 0, where E_{1/2,0}(0) = 1/Gamma(0) = 0 has no relative digits (it used to raise)
    from symsig.regularity import total_variation
    tv = total_variation(_gated("gelu"), 20)
    with mpmath.workdps(40):
        r = mpmath.sqrt(2)
        truth = 2 * (mpmath.ncdf(r) - mpmath.ncdf(-r)) + 4 * r * mpmath.npdf(r) - 1
        assert tv.error < mpmath.mpf(10) ** -20 * truth and abs(tv.value - truth) <= tv.error


def test_an_asymptotic_series_that_cancels_to_every_order_stops():
    """x E_{1,2}(x) = e^x - 1: the algebraic series of its derivative at -oo cancels to every
    order, and Gruntz asked for ever more terms (the coverage run hung for 15 minutes).
    MAX_ASERIES_TERMS stops such a series; E_{1,3} now has its elementary form, so this
    derivative (e^x) gets its limits exactly."""
    import sympy
    from symsig.activations import x
    from symsig.calculus import symbolic_limit
    from symsig.mittag_leffler.gated import preset
    derivative = sympy.diff(preset("elu_negative"), x)
    assert symbolic_limit(derivative, -sympy.oo) == 0
    assert symbolic_limit(derivative, sympy.oo) == sympy.oo
