"""The coverage matrix: one decided cell per (activation, engine) for each class of row."""

import pytest

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
