"""The coverage matrix: one decided cell per (activation, engine) for each class of row."""

import pytest
import sympy

from symsig.coverage import COLUMNS, Outcome, coverage_row, default_rows, to_markdown


@pytest.fixture(scope="module")
def oscillating():
    return coverage_row("x*sin(x)")


def test_default_rows_hold_every_class():
    rows = default_rows()
    assert sum(1 for label in rows if label.startswith("gated ")) == 9
    assert len(rows) >= 25 + 9 + 10


def test_piecewise_linear_row_is_exact_everywhere():
    row = coverage_row("Piecewise((x, x > 0), (0, True))")
    assert set(COLUMNS) == set(row)
    assert all(row[c].outcome == Outcome.EXACT for c in COLUMNS if c != "fixed_points")
    assert row["fixed_points"].outcome == Outcome.NONE  # ReLU with sigma_w2 = 2 has no finite fixed point


def test_jumping_row_is_decided_not_failed():
    row = coverage_row("Piecewise((0, x < -1), (1, x <= 1), (2, True))")
    assert row["g2"].outcome == Outcome.INFINITE and row["TV"].outcome == Outcome.INFINITE
    # the gradient gain is infinite: a mathematical verdict with its reason
    assert row["fixed_points"].outcome == Outcome.UNDEFINED and "Dirac" in row["fixed_points"].detail


def test_oscillating_slope_is_undefined_with_the_reason(oscillating):
    row = oscillating
    assert row["alpha_plus"].outcome == Outcome.UNDEFINED and "oscillates" in row["alpha_plus"].detail


def test_markdown_numbers_the_reasons(oscillating):
    text = to_markdown({"x*sin(x)": oscillating})
    assert "undefined [1]" in text and "\n1. x*sin(x), alpha_plus: " in text


def test_siren_law_check_finishes_with_the_closed_form():
    # psi = 3 sin(30 (-2x + 1/2)): E[psi^2] at sigma = 7/10 is 9/2 (1 - e^(-3528) cos 30); simplify
    # of that used to factor a degree-3528 polynomial in E for minutes
    import sympy
    from symsig.activations import x
    from symsig.laws import affine_law
    check = affine_law("m2").verify(sympy.sin(30 * x), a=-2, b="1/2", c=3, d=0, sigma="7/10", dps=15)
    expected = sympy.Rational(9, 2) * (1 - sympy.exp(-3528) * sympy.cos(30))
    assert sympy.simplify(check.direct.exact - expected) == 0 and str(check.agree) == "agree"


@pytest.mark.slow  # 26 s; test_limits_exactness checks the limit that decides it in the default run
def test_gated_exponential_total_variation_is_infinite():
    # preset elu_negative is e^x - 1 on all of R: phi' = e^x is unbounded, TV(phi') = oo
    from symsig.facts import facts
    from symsig.mittag_leffler.gated import preset
    tv = facts(preset("elu_negative")).total_variation(15)
    assert tv.status == "infinite" and "unbounded" in tv.method


@pytest.mark.parametrize("name", ["elu", "softplus"])
def test_catalogue_variance_maps_without_fixed_points_are_decided(name):
    from symsig.coverage import _fixed_points
    from symsig.activations import get_activation
    cell = _fixed_points(get_activation(name).expr, 15)
    assert cell.outcome == Outcome.NUMERIC and cell.detail == "none found" and "tail" in cell.note


def test_rational_multiples_in_exp_do_not_stop_limits():
    # sigmoid(1.702 x) holds exp(-851 x/500): the multiple bound is for integer multiples in the
    # factoring algorithms only, so C is decided and g1 stays exact (1/2 by symmetry)
    import mpmath
    from symsig import signature
    s = signature("x*sigmoid(1.702*x)", dps=15, components=("g1", "C"))
    assert s["g1"].exact == sympy.Rational(1, 2)
    k = mpmath.mpf(1702) / 1000
    with mpmath.workdps(30):  # C = integral of |phi - l|: x sigmoid(kx) - x on x > 0, x sigmoid(kx) on x < 0
        truth = 2 * mpmath.quad(lambda t: t / (1 + mpmath.exp(k * t)), [0, mpmath.inf])
        assert abs(mpmath.mpf(s["C"].value) - truth) < 1e-13
