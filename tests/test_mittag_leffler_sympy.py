"""SymPy classes, gated presets, Gaussian series moments and the ``symsig ml`` CLI."""

import json

import mpmath
import pytest
import sympy
from sympy import Rational, Symbol, cos, cosh, erfc, exp, sin, sqrt

from symsig.cli import main
from symsig.mittag_leffler import (MPMATH_NAMESPACE, PRESET_NAMES, MittagLeffler, Prabhakar, classical,
                                   elu, gated_activation, preset, prove_preset, series_expectation,
                                   to_elementary, x)
from symsig.precision import workdps

z = Symbol("z")


# ------------------------------------------------------------------ SymPy classes

def test_core_symbol_is_ours():
    assert x == Symbol("x", real=True)


def test_eval_only_at_special_values():
    assert MittagLeffler(Rational(3, 2), 2, 0) == 1
    assert MittagLeffler(0, 3, z) == 1 / (2 * (1 - z))
    assert Prabhakar(1, 2, 1, z) == MittagLeffler(2, 1, z)
    assert Prabhakar(Rational(1, 2), 0, 1, z) == 1 / sqrt(1 - z)
    assert isinstance(MittagLeffler(1, 1, z), MittagLeffler)  # exp(z) only on request


def test_rewrites():
    assert MittagLeffler(1, 1, z).rewrite(exp) == exp(z)
    assert MittagLeffler(1, 2, z).rewrite(exp) == (exp(z) - 1) / z
    assert MittagLeffler(2, 1, x ** 2).rewrite(cosh) == cosh(x)
    assert MittagLeffler(2, 1, -x ** 2).rewrite(cos) == cos(x)
    assert MittagLeffler(2, 2, -x ** 2).rewrite(sin) == sin(x) / x
    assert MittagLeffler(Rational(1, 2), 1, z).rewrite(erfc) == exp(z ** 2) * erfc(-z)
    assert MittagLeffler(Rational(1, 3), 1, z).rewrite(exp) == MittagLeffler(Rational(1, 3), 1, z)


def test_hyper_rewrite_matches_engine():
    for a, b in [(3, 1), (2, Rational(7, 10))]:
        h = MittagLeffler(a, b, Rational(-17, 4)).rewrite("hyper")
        assert isinstance(h, sympy.Expr) and not h.has(MittagLeffler)
        assert abs(h.evalf(40) - MittagLeffler(a, b, Rational(-17, 4)).evalf(40)) < 1e-38


@pytest.mark.parametrize("dps", [30, 50])
def test_evalf_against_closed_forms(dps):
    cases = [(MittagLeffler(2, 2, -Rational(49, 4)), sin(Rational(7, 2)) / Rational(7, 2)),
             (MittagLeffler(Rational(1, 2), 1, Rational(-13, 2)), exp(Rational(169, 4)) * erfc(Rational(13, 2))),
             (MittagLeffler(1, 2, 3 + 4 * sympy.I), (exp(3 + 4 * sympy.I) - 1) / (3 + 4 * sympy.I))]
    for ml, closed in cases:
        got, want = ml.evalf(dps), closed.evalf(dps + 10)
        assert abs(got - want) <= abs(want) * 10 ** (-dps + 1)


def test_derivatives_close_in_the_family():
    a, b = Rational(3, 4), Rational(6, 5)
    d = MittagLeffler(a, b, z).diff(z)
    assert d == (MittagLeffler(a, a + b - 1, z) + (1 - b) * MittagLeffler(a, a + b, z)) / a
    with mpmath.workdps(40):
        # mpmath.diff needs values far more precise than its own working precision
        numeric = mpmath.diff(lambda t: mpmath.mpf(MittagLeffler(a, b, sympy.Float(t, 130)).evalf(120)._mpf_), -3)
        assert abs(mpmath.mpf(d.subs(z, -3).evalf(40)._mpf_) - numeric) < 1e-35
    assert Prabhakar(Rational(1, 2), a, b, z).diff(z) == Rational(1, 2) * Prabhakar(Rational(3, 2), a, a + b, z)
    chain = MittagLeffler(2, 1, x ** 2).diff(x)
    assert chain.has(MittagLeffler)


def test_latex_and_assumptions():
    assert sympy.latex(MittagLeffler(Rational(1, 2), 1, x)) == r"E_{\frac{1}{2}, 1}\left(x\right)"
    assert sympy.latex(Prabhakar(2, 1, 3, x)) == r"E^{2}_{1, 3}\left(x\right)"
    assert MittagLeffler(Rational(1, 2), 1, x).is_real is True
    assert MittagLeffler(Rational(1, 2), 1, z).is_real is None


def test_lambdify_with_namespace_runs_at_the_callers_precision():
    act = x * MittagLeffler(Rational(3, 5), Rational(4, 5), -x ** 2) + Prabhakar(2, Rational(1, 2), 1, x)
    f = sympy.lambdify(x, act, modules=[MPMATH_NAMESPACE, "mpmath"])
    for dps in (20, 60):
        with workdps(dps):
            got = f(mpmath.mpf("-1.75"))
        want = act.subs(x, Rational(-7, 4)).evalf(dps + 5)
        assert abs(got - want) < 10 ** (-dps)


# ------------------------------------------------------------------ gated presets

@pytest.mark.parametrize("name", PRESET_NAMES)
def test_presets_are_proved_equal(name):
    assert prove_preset(name)


def test_parametrised_presets():
    assert prove_preset("swish", c="1.702")
    assert prove_preset("elu_negative", alpha="1.6732632423543772848170429916717")
    assert elu().subs(x, 2) == 2


def _stable_reference(name, v):
    """Classical activations in forms without cancellation or overflow, for 50-digit checks."""
    if name == "gelu":
        return v / 2 * mpmath.erfc(-v / mpmath.sqrt(2))
    if name == "elu_negative":
        return mpmath.expm1(v)
    if name == "mish":
        return v * mpmath.tanh(mpmath.log1p(mpmath.exp(v)))
    return sympy.lambdify(x, classical(name), modules="mpmath")(v)


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_presets_at_50_digits_including_large_arguments(name):
    f = sympy.lambdify(x, preset(name), modules=[MPMATH_NAMESPACE, "mpmath"])
    with workdps(50):
        for text in ["-1000", "-89.5", "-30", "-7.3", "-0.4", "1e-12", "0.9", "3.1", "13.4", "89.5", "710", "1000"]:
            v = mpmath.mpf(text)
            got, want = f(v), _stable_reference(name, v)
            if name == "mish" and v < -10:  # log(1 + e^x) itself loses digits here, in either form
                assert abs(got - want) <= mpmath.mpf(10) ** -50
                continue
            assert abs(got - want) <= abs(want) * mpmath.mpf(10) ** -50, (name, text)


def test_gated_activation_constructor():
    act = gated_activation("1", "2", "2", "x**2", 2, 1, x ** 2)
    assert to_elementary(act) == sympy.sinh(x) / sympy.cosh(x)
    with pytest.raises(Exception):
        gated_activation(1, -1, 1, x, 1, 1, 0)
    with pytest.raises(Exception):
        gated_activation(1, 1, 1, "y", 1, 1, 0)


# ------------------------------------------------------------------ Gaussian moments

def _quad(f, sigma, mu, dps):
    g = sympy.lambdify(x, f, modules=[MPMATH_NAMESPACE, "mpmath"])
    with mpmath.workdps(dps + 10):
        s, m = mpmath.mpmathify(sigma), mpmath.mpmathify(mu)
        return mpmath.quad(lambda t: g(m + s * t) * mpmath.npdf(t), mpmath.linspace(-20, 20, 9))


@pytest.mark.parametrize("f,sigma,mu", [
    (MittagLeffler(Rational(3, 2), 1, -x ** 2), 1, 0),
    (x * MittagLeffler(Rational(3, 2), Rational(1, 2), -x ** 2), "1.3", "-0.3"),
    (MittagLeffler(2, 2, x ** 2) ** 2, "0.8", "0.25"),
    (Prabhakar(Rational(1, 2), Rational(3, 2), 1, -x ** 2) * exp(x / 3), 1, 0)])
def test_series_expectation_against_quadrature(f, sigma, mu):
    r = series_expectation(f, x, sigma, mu, dps=30)
    assert r is not None and r.method.startswith("series")
    q = _quad(f, sigma, mu, 30)
    assert abs(r.value - q) <= abs(q) * 1e-29
    assert r.error < abs(q) * 1e-29


def test_series_expectation_exact_sum_and_closed_form():
    r = series_expectation(MittagLeffler(1, 1, x), x, 2, dps=40)
    with mpmath.workdps(50):
        assert abs(r.value - mpmath.exp(2)) < mpmath.mpf(10) ** -39  # E[exp(2Z)] = e^2
    assert abs(r.exact.evalf(30) - sympy.exp(2).evalf(30)) < 1e-28


@pytest.mark.parametrize("f", [sympy.tanh(x), MittagLeffler(1, 1, x ** 2), sympy.Abs(x), preset("gelu")])
def test_series_expectation_declines(f):
    assert series_expectation(f, x, 1) is None


# ------------------------------------------------------------------ CLI

def test_cli_json(capsys):
    assert main(["ml", "0.5", "1", "-10", "--dps", "40", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"] == "closed form" and out["dps"] == 40
    with mpmath.workdps(60):
        truth = mpmath.exp(100) * mpmath.erfc(10)
        assert abs(mpmath.mpf(out["value_re"]) - truth) < truth * mpmath.mpf(10) ** -39
        assert mpmath.mpf(out["value_im"]) == 0
    assert set(out) == {"alpha", "beta", "gamma", "z", "dps", "value_re", "value_im", "method", "error"}


def test_cli_complex_and_prabhakar(capsys):
    assert main(["ml", "--gamma", "2", "--dps", "25", "0.75", "1.25", "3+4j", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    with mpmath.workdps(40):
        value = mpmath.mpc(out["value_re"], out["value_im"])
        want = Prabhakar(2, Rational(3, 4), Rational(5, 4), 3 + 4 * sympy.I).evalf(35)
        want = mpmath.mpc(*[mpmath.mpf(str(p)) for p in want.as_real_imag()])
        assert abs(value - want) < abs(want) * mpmath.mpf(10) ** -24
    assert main(["ml", "1", "1", "1", "--dps", "20"]) == 0
    assert "2.7182818284590452354" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["ml", "-1", "1", "1"], ["ml", "0", "1", "1"], ["ml", "0.5", "1", "abc"],
                                  ["ml", "0.5", "1", "1", "--dps", "0"]])
def test_cli_bad_input_exits_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("symsig: error:") and err.count("\n") == 1
