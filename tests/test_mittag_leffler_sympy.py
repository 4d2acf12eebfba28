"""SymPy classes, gated presets, Gaussian series moments and the ``symsig ml`` CLI."""

import json

import mpmath
import pytest
import sympy
from sympy import Rational, Symbol, cos, cosh, erfc, exp, sin, sqrt

from symsig.cli import main
from symsig.mittag_leffler import (PRESET_NAMES, MittagLeffler, Prabhakar, classical, elu, gated_activation,
                                   preset, prove_preset, series_expectation, to_elementary, x)
from symsig.precision import lambdify_mpmath, workdps

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


def test_lambdify_mpmath_runs_at_the_callers_precision():
    act = x * MittagLeffler(Rational(3, 5), Rational(4, 5), -x ** 2) + Prabhakar(2, Rational(1, 2), 1, x)
    f = lambdify_mpmath(x, act)
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
    f = lambdify_mpmath(x, preset(name))
    for text in ["-1000", "-89.5", "-30", "-7.3", "-0.4", "1e-12", "0.9", "3.1", "13.4", "89.5", "710", "1000"]:
        with workdps(50):
            got = f(text)
        with mpmath.workdps(70):
            v = mpmath.mpf(text)
            want = _stable_reference(name, v)
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
    """E[f(mu + sigma Z)] by tanh-sinh quadrature of the lambdified f (pointwise engine values)."""
    g = lambdify_mpmath(x, f)
    with workdps(dps) as ctx:
        s, m = ctx.mpf(str(sigma)), ctx.mpf(str(mu))
        return ctx.quad(lambda t: g(m + s * t) * ctx.npdf(t), ctx.linspace(-20, 20, 9))


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


# ------------------------------------------------------------------ asymptotics, lambdify, threads (issue 11)

def _independent_series(a, b, z, dps):
    """Plain sum_k z^k / Gamma(a k + b) in global mpmath with the digits its largest term needs."""
    with mpmath.workdps(dps + 20 + int(abs(float(z)) ** (1 / float(a)) / 2.3)):
        a, b, z = (mpmath.mpmathify(v) for v in (a, b, z))
        return +mpmath.nsum(lambda k: z ** k * mpmath.rgamma(a * k + b), [0, mpmath.inf])


@pytest.mark.parametrize("name,plus,minus,area", [
    ("tanh", 0, 0, sympy.oo), ("swish", 1, 0, sympy.pi ** 2 / 6), ("softsign", 0, 0, sympy.oo),
    ("identity", 1, 1, 0)])
def test_gated_presets_slopes_and_area_through_signature(name, plus, minus, area):
    """Exact slopes by SymPy's limit through the Mittag-Leffler hooks (the float ratio
    sinh/cosh of the tanh preset used to overflow inside sympy.limit); C against the
    textbook values (C(SiLU) = 2 * integral_0^oo x/(1 + e^x) dx = pi^2/6)."""
    import symsig
    s = symsig.signature(preset(name), dps=20, components=("alpha_plus", "alpha_minus", "C"))
    assert (s["alpha_plus"].exact, s["alpha_minus"].exact) == (plus, minus)
    assert s["alpha_plus"].method == s["alpha_minus"].method == "symbolic limit"
    if area == sympy.oo:
        assert s["C"].status == "infinite"
    else:
        assert sympy.simplify(s["C"].exact - area) == 0


@pytest.mark.parametrize("name,plus", [("gelu", 1), ("mish", 1), ("elu_negative", sympy.oo)])
def test_gated_slopes_are_exact(name, plus):
    """Before the hooks the GELU preset's alpha+ came out as oo from a numeric limit whose
    ratio of two huge exponentials drifted (a wrong number); now SymPy decides it."""
    from symsig.calculus import slopes
    ap, am = slopes(preset(name), 20)
    assert ap.method == am.method == "symbolic limit"
    assert (ap.status == "infinite") if plus == sympy.oo else (ap.exact == plus)
    assert am.exact == 0


def test_limits_and_series_at_infinity_match_elementary_forms():
    """E_{1/2,3/2}(z) = (exp(z^2) erfc(-z) - 1)/z is not in the elementary table, so SymPy
    takes the Mittag-Leffler hooks; the elementary form goes through SymPy's erfc code."""
    ml = MittagLeffler(Rational(1, 2), Rational(3, 2), z)
    elementary = (exp(z ** 2) * erfc(-z) - 1) / z
    for form in (lambda e: x * e.subs(z, -x), lambda e: x ** 2 * (x * e.subs(z, -x) - 1),
                 lambda e: x * exp(-x ** 2) * e.subs(z, x)):
        assert sympy.limit(form(ml), x, sympy.oo) == sympy.limit(form(elementary), x, sympy.oo)
    got = sympy.series(ml.subs(z, -x), x, sympy.oo, n=5).removeO()
    want = sympy.series(elementary.subs(z, -x), x, sympy.oo, n=5).removeO()
    assert sympy.simplify(got - want) == 0


def test_asymptotic_series_against_the_contour_integral():
    """a = 3/4 has no elementary form: the SymPy series at -oo, evaluated at z = -400,
    against the engine's Hankel contour (no shared code) within the first omitted term.
    (For 1 < a < 2 two exponentially small residues join it: e^(-27) at a = 3/2, z = -400.)"""
    from symsig.mittag_leffler import mittag_leffler
    t = Symbol("t", positive=True)
    series = sympy.series(MittagLeffler(Rational(3, 4), 1, -t), t, sympy.oo, n=6).removeO()
    assert series.has(t) and not series.has(MittagLeffler)
    contour = mittag_leffler(Rational(3, 4), 1, -400, dps=30, method="contour")
    with mpmath.workdps(40):
        omitted = abs(mpmath.rgamma(mpmath.mpf(1) - mpmath.mpf(3) / 4 * 6)) * mpmath.mpf(400) ** -6  # ~9e-16
        error = abs(mpmath.mpf(str(series.subs(t, 400).evalf(35))) - contour.value)
        assert omitted / 2 < error < omitted * 2
    assert sympy.limit(x ** 2 * MittagLeffler(Rational(3, 2), 1, -x ** 2), x, sympy.oo) == 1 / sympy.gamma(-Rational(1, 2))


def test_plain_lambdify_needs_no_namespace():
    act = x * MittagLeffler(Rational(3, 5), Rational(4, 5), -x ** 2)
    truth = float(mpmath.mpf("1.75") * _independent_series("0.6", "0.8", -mpmath.mpf("1.75") ** 2, 20))
    f = sympy.lambdify(x, act, "mpmath")
    for arg in (mpmath.mpf("1.75"), 1.75, 7 / 4 + 0j):
        assert abs(complex(f(arg)) - truth) < 1e-14 * abs(truth)
    g = sympy.lambdify(x, act, "numpy")  # the numeric implementation takes numpy scalars too
    import numpy
    assert abs(float(g(numpy.float64(1.75))) - truth) < 1e-14 * abs(truth)
    from symsig.errors import InputError
    with pytest.raises(InputError, match="scalars"):
        g(numpy.array([1.0, 2.0]))


def test_values_are_identical_in_threads_at_different_precisions():
    from concurrent.futures import ThreadPoolExecutor
    from symsig.mittag_leffler import mittag_leffler
    points = [("0.6", "0.8", -7), ("0.5", 1, "3+4j"), ("1.5", "0.7", 20), (2, 2, -9)]

    def run(dps):
        before = (mpmath.mp.prec, mpmath.mp.dps)
        values = [str(mittag_leffler(a, b, zz, dps=dps).value) for a, b, zz in points]
        return values, before, (mpmath.mp.prec, mpmath.mp.dps)

    precisions = [15, 40, 60, 100]
    serial = {dps: run(dps)[0] for dps in precisions}
    before = (mpmath.mp.prec, mpmath.mp.dps)
    with ThreadPoolExecutor(4) as pool:
        for _ in range(2):
            for dps, (values, start, end) in zip(precisions, pool.map(run, precisions)):
                assert values == serial[dps]
                assert start == end == before
    assert (mpmath.mp.prec, mpmath.mp.dps) == before


@pytest.mark.slow  # minutes: the 2-D quadrature calls the engine at every node
def test_cli_kernel_on_a_gated_activation(capsys):
    """The kernel engine's lambdify sites used to raise NameError on MittagLeffler."""
    assert main(["kernel", "x*MittagLeffler(1, 2, x)/MittagLeffler(1, 1, x)", "--dps", "10", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    # x (e^x - 1)/x / e^x = 1 - e^-x: E[phi(U)phi(V)] for unit variances and rho = 1/2 is
    # 1 - 2 e^(1/2) + e^(1/2 + 1/2 + 1/2) = 1 - 2 e^(1/2) + e^(3/2)
    with mpmath.workdps(30):
        truth = 1 - 2 * mpmath.exp(0.5) + mpmath.exp(1.5)
        assert abs(mpmath.mpf(out["dual_unit"]["value"]) - truth) < 1e-9 * truth


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sigmoid", "swish", "silu", "tanh", "identity", "gelu", "softsign", "mish"])
def test_preset_signature_equals_the_classical_one_at_50_digits(name):
    """Issue 12: every component of a gated preset, through the whole engine (exact or numeric),
    equals its classical activation's to all 50 digits (the two share no closed-form path: the
    preset's moments go through the Mittag-Leffler functions)."""
    import symsig
    from symsig.mittag_leffler.gated import classical
    gated, plain = symsig.signature(preset(name), dps=50), symsig.signature(classical(name), dps=50)
    for component in symsig.NINE:
        g, c = gated[component], plain[component]
        assert g.status == c.status or {g.status, c.status} <= {"exact", "numeric"}, component
        if g.is_finite:
            with mpmath.workdps(60):
                tolerance = mpmath.mpf(10) ** -49 * max(1, abs(mpmath.mpf(c.value)))
                assert abs(mpmath.mpf(g.value) - mpmath.mpf(c.value)) <= tolerance, component
