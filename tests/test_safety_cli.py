"""Regression tests of issue 10 for the command line and the package surface."""

import importlib

import mpmath
import pytest

from symsig import cli, table


def run(capsys, *argv):
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _never_compute(*args, **kwargs):
    raise AssertionError("a row was computed before the output path was checked")


@pytest.mark.parametrize("target", ["missing-folder/f.csv", "."])
def test_table_output_path_is_checked_before_any_row(capsys, monkeypatch, tmp_path, target):
    monkeypatch.setattr(table, "signature", _never_compute)
    status, out, err = run(capsys, "table", "relu", "-o", str(tmp_path / target))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("symsig: error: -o ")


def test_table_output_written(capsys, tmp_path):
    target = tmp_path / "t.csv"
    status, _, _ = run(capsys, "table", "relu", "--dps", "5", "--format", "csv", "-o", str(target))
    assert status == 0 and "0.50000" in target.read_text()


def test_mittag_leffler_is_one_object():
    import symsig

    first = symsig.mittag_leffler
    module = importlib.import_module("symsig.mittag_leffler")
    from symsig import mittag_leffler as imported

    assert first is module is imported is symsig.mittag_leffler
    # calling it calls the function: E_{1,1}(z) = exp(z)
    ctx = mpmath.MPContext()
    ctx.dps = 30
    assert abs(symsig.mittag_leffler(1, 1, 2, dps=20).value - ctx.exp(2)) < ctx.mpf(10) ** -19 * 8


def test_ml_at_4400_digits_prints_value_and_error(capsys):
    # the error estimate (~1e-4399) used to crash mpmath.nstr on Python's 4300-digit int limit
    status, out, err = run(capsys, "ml", "--dps", "4400", "0.5", "1", "2")
    assert status == 0, err
    shown = out.split(" = ")[1].split()[0]
    ctx = mpmath.MPContext()
    ctx.dps = 4420
    truth = ctx.exp(4) * ctx.erfc(-2)  # E_{1/2,1}(z) = exp(z^2) erfc(-z)
    expected = ctx.nstr(truth, 4400, strip_zeros=False)  # (parsing 4400 digits back hits the int limit)
    assert len(shown) == len(expected) and shown[:-2] == expected[:-2]
    assert "estimated absolute error: " in out
