"""``symsig stability`` and ``symsig kernel`` through symsig.cli.main."""

import json

import mpmath
import pytest

from symsig.cli import main


def _run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_stability_json_relu_is_exact(capsys):
    status, out, _ = _run(capsys, "stability", "relu", "--sigma-w2", "1.5", "--sigma-b2", "0.05", "--json")
    data = json.loads(out)
    assert status == 0 and data["variance_map"]["exact"]
    (point,) = data["variance_map"]["fixed_points"]
    assert point["q"]["exact"] == "1/5" and point["F_prime"]["exact"] == "3/4" and point["stable"]
    assert data["lyapunov"]["contraction"]["holds"] is False  # a = 1, Lip = 1: no contraction


def test_stability_text_tanh(capsys):
    status, out, _ = _run(capsys, "stability", "tanh", "--sigma-w2", "2.0", "--sigma-b2", "0.1", "--a", "0.5",
                          "--dps", "10")
    assert status == 0
    assert "q* = 0.81464" in out and "  stable" in out  # notes 5.3: 0.81464
    assert "rate 0.5" in out


def test_stability_no_fixed_point_says_why(capsys):
    status, out, _ = _run(capsys, "stability", "relu", "--sigma-w2", "2", "--sigma-b2", "0.1")
    assert status == 0 and "no root" in out


def test_kernel_json_relu_matches_cho_saul(capsys):
    status, out, _ = _run(capsys, "kernel", "relu", "--rho", "0.5", "--depth", "2", "--json")
    data = json.loads(out)
    assert status == 0
    rho = mpmath.mpf("0.5")  # kappa_1(rho) = (sqrt(1 - rho^2) + rho (pi - acos rho)) / (2 pi), written out
    kappa = (mpmath.sqrt(1 - rho**2) + rho * (mpmath.pi - mpmath.acos(rho))) / (2 * mpmath.pi)
    assert abs(mpmath.mpf(data["dual_unit"]["value"]) - kappa) < 1e-14
    assert abs(mpmath.mpf(data["kernels"]["nngp"]["value"]) - kappa) < 1e-14
    assert data["smoothness"]["k"] == "1"


def test_kernel_text(capsys):
    status, out, _ = _run(capsys, "kernel", "relu", "--rho", "0", "--depth", "3", "--sigma-w2", "2")
    assert status == 0 and "depth 3: NNGP" in out and "NTK ~ H^1" in out


@pytest.mark.parametrize("argv", [
    ("stability", "relu", "--sigma-w2", "-1"),
    ("stability", "Heaviside(x)", "--sigma-b2", "0.1"),
    ("kernel", "relu", "--rho", "2"),
    ("kernel", "relu", "--depth", "0"),
    ("kernel", "no_such_activation"),
    ("kernel", "relu", "--rho", "abc"),
])
def test_bad_input_exits_2_with_one_line(capsys, argv):
    status, out, err = _run(capsys, *argv)
    assert status == 2 and out == ""
    assert err.startswith("symsig: error:") and err.count("\n") == 1
