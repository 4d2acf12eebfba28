"""definite_integral against 50-digit quadrature and the literature values of TV, C and B."""

import mpmath
import pytest
import sympy
from sympy import Rational, erf, exp, log, oo, pi, sqrt, tanh

from symsig.exact import definite_integral

x = sympy.Symbol("x", real=True)
SIGMOID = 1 / (1 + exp(-x))
SOFTPLUS = log(1 + exp(x))
GELU = x * (1 + erf(x / sqrt(2))) / 2
DIGITS = 45


def quad(g, a, b, dps=DIGITS + 5):
    f = sympy.lambdify(x, g, "mpmath")
    with mpmath.workdps(dps + 10):
        ends = [mpmath.mpf(sympy.N(e, dps + 20)) if e.is_finite else (mpmath.inf if e is oo else -mpmath.inf)
                for e in (sympy.sympify(a), sympy.sympify(b))]
        value, error = mpmath.quad(f, ends, error=True)
        assert error < mpmath.mpf(10)**(-dps)
        return +value


def total(g, *intervals):
    """Sum of definite_integral over intervals, each with a sign: [(sign, a, b), ...]."""
    parts = [definite_integral(g, x, a, b) for _, a, b in intervals]
    assert all(p is not None for p in parts)
    return sympy.Add(*(sign * p.expr for (sign, _, _), p in zip(intervals, parts)))


def assert_close(closed, truth, digits=DIGITS):
    with mpmath.workdps(digits + 15):
        value = mpmath.mpf(sympy.N(closed, digits + 15))
        assert abs(value - truth) <= mpmath.mpf(10)**(-digits) * max(1, abs(truth)), (value, truth)


@pytest.mark.parametrize("g, a, b", [
    (x / (1 + exp(x)), 0, oo),
    (x * SIGMOID - x, 0, oo),
    (x * SIGMOID, -oo, 0),
    (SOFTPLUS - x, 0, oo),
    (SOFTPLUS, -oo, 0),
    (x**2 / (exp(x) + 1), 0, oo),
    (x**3 * exp(-x) / (1 - exp(-x)), 0, oo),
    (sympy.diff(SIGMOID, x, 2), 0, oo),
    (GELU - x, 0, oo),
    (GELU, -oo, 0),
    (sympy.diff(GELU, x, 2), sqrt(2), oo),
    (sympy.diff(GELU, x, 2), -sqrt(2), sqrt(2)),
    (x**2 * exp(-x**2 / 3 + x), -oo, oo),
    (x * exp(x), -oo, 0),
    ((exp(x) - 1)**2, -2, Rational(1, 2)),
    (x**3 - x, -1, 3),
    (erf(x) - 1, 0, oo),
    (sympy.diff(tanh(x), x, 2), 0, oo),
])
def test_matches_quadrature(g, a, b):
    result = definite_integral(g, x, a, b)
    assert result is not None
    assert not result.expr.has(sympy.Integral)
    assert_close(result.expr, quad(g, a, b))


def test_literature_values():
    # C(Swish) = C(softplus) = pi^2/6 (signature-theory note, section 4.1; issue 4)
    assert total(x * SIGMOID, (-1, -oo, 0)) + total(x * SIGMOID - x, (-1, 0, oo)) == pi**2 / 6
    assert total(SOFTPLUS, (1, -oo, 0)) + total(SOFTPLUS - x, (1, 0, oo)) == pi**2 / 6
    # B(GELU) = -1/2
    assert total(GELU, (1, -oo, 0)) + total(GELU - x, (1, 0, oo)) == Rational(-1, 2)
    # TV(sigmoid') = 1/2 and TV(tanh') = 2, split at the sign changes of phi'' (x = 0)
    d2 = sympy.diff(SIGMOID, x, 2)
    assert sympy.simplify(total(d2, (1, -oo, 0), (-1, 0, oo)) - Rational(1, 2)) == 0
    d2 = sympy.diff(tanh(x), x, 2)
    assert sympy.simplify(total(d2, (1, -oo, 0), (-1, 0, oo)) - 2) == 0


def test_gelu_total_variation_of_the_derivative():
    d2 = sympy.diff(GELU, x, 2)  # (2 - x^2) pdf(x): negative outside [-sqrt 2, sqrt 2]
    tv = total(d2, (-1, -oo, -sqrt(2)), (1, -sqrt(2), sqrt(2)), (-1, sqrt(2), oo))
    pdf = exp(-1) / sqrt(2 * pi)  # standard normal density at sqrt(2)
    literature = 1 + 4 * (sqrt(2) * pdf - (1 - erf(1)) / 2)
    assert sympy.simplify(tv - literature) == 0
    assert_close(tv, mpmath.mpf("1.515616581"), digits=9)


def test_swish_integral_of_x_over_one_plus_exp():
    assert definite_integral(x / (1 + exp(x)), x, 0, oo).expr == pi**2 / 12
    assert "polylog" in definite_integral(x / (1 + exp(x)), x, 0, oo).rule


@pytest.mark.parametrize("g, a, b", [
    (x * tanh(exp(x)) - x, 0, oo),   # TeLU tail: no closed form known
    (x, 0, oo),                      # divergent
    (x * SIGMOID, 0, oo),            # divergent
])
def test_no_closed_form_is_none(g, a, b):
    assert definite_integral(g, x, a, b) is None


def test_reversed_limits_change_sign():
    assert definite_integral(x**2, x, 1, 0).expr == Rational(-1, 3)


def test_coverage_of_piecewise_activations():
    from symsig.exact.coverage import coverage
    hardswish = coverage("hardswish")
    assert hardswish["TV"][0] == 3 and hardswish["C"][0] == Rational(3, 2)
    relu = coverage("relu")
    assert relu["TV"][0] == 1 and relu["C"][0] == 0 and relu["g1"][0] == Rational(1, 2)
    assert coverage("sigmoid")["C"][0] is oo


# --- the sympy.integrate rule: deterministic gates and its quadrature check ---------------------

def test_sympy_rule_checked_in_a_private_context():
    """Once raised RuntimeError: the check used ``mp`` with no active precision context."""
    from concurrent.futures import ThreadPoolExecutor
    before = mpmath.mp.dps
    result = definite_integral(1 / (1 + x**2), x, 0, oo)
    assert result.expr == pi / 2 and "checked by quadrature" in result.rule
    g = 1 / sqrt(1 + x**2)
    with ThreadPoolExecutor(1) as pool:
        threaded = pool.submit(definite_integral, g, x, 0, 1).result()
    assert "checked by quadrature" in threaded.rule
    assert_close(threaded.expr, quad(g, 0, 1))
    assert abs(sympy.N(threaded.expr - log(1 + sqrt(2)), 60)) < 1e-55
    assert mpmath.mp.dps == before


def test_quadrature_check_rejects_a_wrong_closed_form():
    from symsig.exact.integrals import _agrees_with_quadrature
    g = 1 / (1 + x**2)
    assert _agrees_with_quadrature(g, x, sympy.Integer(0), oo, pi / 2)
    assert not _agrees_with_quadrature(g, x, sympy.Integer(0), oo, pi / 2 + Rational(1, 10**25))


@pytest.mark.parametrize("g, a, b", [
    (x * (tanh(log(1 + exp(x))) - 1), 0, oo),  # Mish tail: a composition, gated before sympy.integrate
    (sympy.sin(x) / x, 0, oo),                 # oscillating on a half-line: the check could not confirm it
])
def test_sympy_rule_is_not_attempted(monkeypatch, g, a, b):
    """Once seconds of sympy.integrate (and of quadrature for sin(x)/x) per call, now a structural no."""
    from symsig import quadrature
    from symsig.exact import integrals

    def refuse(*args, **kwargs):
        raise AssertionError("not to be attempted")
    monkeypatch.setattr(integrals.sympy, "integrate", refuse)
    monkeypatch.setattr(quadrature, "integrate", refuse)
    assert integrals._by_sympy(sympy.sympify(g), x, sympy.sympify(a), sympy.sympify(b)) is None
