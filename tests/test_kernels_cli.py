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
    assert "rate 1/2" in out or "rate 0.5" in out  # a = 1/2, Lip(tanh) = 1 (exact or decimal)


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


def test_kernel_on_a_gated_mittag_leffler_activation(capsys):
    # the gated GELU preset x E_{1/2,1}(x/sqrt 2) / E_{1,1}(x^2/2 + log 2): raw lambdify raised NameError
    # on MittagLeffler; it is GELU, so the dual is exact and equals E[U Phi(U) V Phi(V)] at rho = 1/2
    gated = "x*MittagLeffler(1/2, 1, sqrt(2)*x/2)/MittagLeffler(1, 1, x**2/2 + log(2))"
    status, out, _ = _run(capsys, "kernel", gated, "--rho", "0.5", "--depth", "2", "--dps", "20", "--json")
    data = json.loads(out)
    assert status == 0 and data["dual_unit"]["exact"] is not None
    with mpmath.workdps(40):  # inner E[V Phi(V) | U] = m Phi(m/s) + c^2 phi(m/s)/s by Stein, outer plain quad
        c = mpmath.sqrt(mpmath.mpf(3)) / 2
        s = mpmath.sqrt(1 + c * c)
        inner = lambda m: m * mpmath.ncdf(m / s) + c * c / s * mpmath.npdf(m / s)
        truth = mpmath.quad(lambda z: mpmath.npdf(z) * z * mpmath.ncdf(z) * inner(z / 2), [-mpmath.inf, 0, mpmath.inf])
        assert abs(mpmath.mpf(data["dual_unit"]["value"]) - truth) < mpmath.mpf(10) ** -19
    assert data["kernels"]["nngp"]["value"] == data["dual_unit"]["value"]
