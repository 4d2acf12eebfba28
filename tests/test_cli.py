"""The command-line contract: JSON shape, formats, bad input, interrupted tables."""

import csv
import io
import json
import subprocess
import sys

import mpmath
import pytest

from symsig import cli, table
from symsig.signature import NINE


def run(capsys, *argv):
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_list(capsys):
    status, out, _ = run(capsys, "list")
    assert status == 0 and "leaky_relu" in out and "Piecewise" in out


def test_signature_json_contract(capsys):
    status, out, _ = run(capsys, "signature", "leaky_relu(slope=0.2)", "--sigma", "0.8", "--dps", "25", "--json")
    data = json.loads(out)
    assert status == 0
    assert set(data) == {"activation", "expr", "sigma", "mu", "dps", "components"}
    assert data["dps"] == 25 and data["sigma"] == "4/5" and data["mu"] == "0"
    assert list(data["components"]) == list(NINE)
    for comp in data["components"].values():
        assert set(comp) >= {"value", "exact", "method", "error"}
    m2 = data["components"]["m2"]
    # E[leaky(0.8 Z)^2] = (1 + 0.04) 0.64 / 2 = 0.3328 exactly, printed with 25 significant digits
    assert m2["value"] == "0.3328000000000000000000000" and m2["exact"] == "208/625"
    assert data["components"]["C"]["value"] == "0"


def test_signature_json_numeric_values_have_dps_digits(capsys):
    _, out, _ = run(capsys, "signature", "x*tanh(exp(x))", "--json", "--dps", "20")
    comps = json.loads(out)["components"]
    g1 = comps["g1"]
    assert g1["exact"] is None and g1["method"].startswith("quadrature") and float(g1["error"]) < 1e-20
    assert len(g1["value"].replace("0.", "", 1)) == 20
    assert comps["C"]["value"].startswith("0.99467487876784485")


def test_signature_infinite_and_undefined_values(capsys):
    _, out, _ = run(capsys, "signature", "tanh", "--json", "--dps", "10")
    assert json.loads(out)["components"]["C"]["value"] == "oo"
    _, out, _ = run(capsys, "signature", "x**2", "--json", "--dps", "10")
    comps = json.loads(out)["components"]
    assert comps["alpha_plus"]["value"] == "oo" and comps["alpha_minus"]["value"] == "-oo"
    assert comps["C"]["value"] == "undefined"


def test_symbolic_output(capsys):
    status, out, _ = run(capsys, "signature", "relu", "--symbolic")
    assert status == 0 and "m2 = sigma**2/2" in out
    _, out, _ = run(capsys, "signature", "gelu", "--symbolic", "--latex")
    assert r"\operatorname{asin}" in out and "TV = " in out
    _, out, _ = run(capsys, "signature", "tanh", "--symbolic")
    assert "g1 = no closed form" in out


def test_divergent_moments_are_infinite_not_errors(capsys):
    # E[exp(Z^2)] = E[exp(2 Z^2)] = +oo (conventions: infinite results are +oo, not errors)
    status, out, _ = run(capsys, "signature", "exp(x**2)", "--dps", "10", "--json")
    comps = json.loads(out)["components"]
    assert status == 0 and comps["m1"]["value"] == "oo" and comps["m2"]["value"] == "oo"


@pytest.mark.parametrize("argv, message", [
    (["signature", "x*(", "--dps", "10"], "cannot parse"),
    (["signature", "x*y"], "unknown name 'y'"),
    (["signature", "relu", "--sigma", "0"], "sigma"),
    (["signature", "relu", "--sigma", "-1"], "sigma"),
    (["signature", "relu", "--dps", "0"], "dps"),
    (["signature", "relu", "--dps", "1000000"], "dps"),
    (["signature", "softmax"], "unknown activation 'softmax'"),
    (["signature", "elu(alpha=-1)"], "alpha must be a positive"),
    (["table", "relu", "--sigma", "abc"], "sigma must be a number"),
])
def test_bad_input_is_one_line(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_no_traceback_from_the_console_script():
    result = subprocess.run([sys.executable, "-m", "symsig", "signature", "x*y"], capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.startswith("symsig: error:") and "Traceback" not in result.stderr


@pytest.mark.parametrize("fmt, marker", [("markdown", "| relu | 1/2 |"), ("latex", r"\begin{tabular}"),
                                         ("json", '"rows"'), ("csv", "activation,sigma")])
def test_table_formats(capsys, tmp_path, fmt, marker):
    target = tmp_path / f"out.{fmt}"
    status, out, err = run(capsys, "table", "relu", "gelu", "--sigma", "0.5", "2", "--dps", "12",
                           "--format", fmt, "-o", str(target))
    text = target.read_text()
    assert status == 0 and out == "" and marker in text
    assert "[4/4] gelu sigma=2" in err  # progress on stderr
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        m2 = [r for r in rows if r["activation"] == "relu" and r["sigma"] == "2" and r["component"] == "m2"]
        assert m2[0]["value"] == "2.00000000000" and m2[0]["exact"] == "2"


def test_interrupted_table_keeps_finished_rows(capsys, monkeypatch):
    real = table.signature
    calls = []

    def interrupt_on_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    # one sigma, three activations: one signature() call per row (several sigmas go through a sweep)
    monkeypatch.setattr(table, "signature", interrupt_on_third)
    status, out, err = run(capsys, "table", "relu", "tanh", "gelu", "--dps", "10", "--format", "json")
    rows = json.loads(out)["rows"]
    assert status == 130 and [r["activation"] for r in rows] == ["relu", "tanh"]
    assert "wrote the 2 finished rows" in err


def test_ml_subcommand_is_registered(capsys):
    status, out, _ = run(capsys, "ml", "0.5", "1", "-10", "--dps", "20", "--json")
    data = json.loads(out)
    with mpmath.workdps(40):  # E_{1/2,1}(-z) = exp(z^2) erfc(z)
        truth = mpmath.exp(100) * mpmath.erfc(10)
        assert abs(mpmath.mpf(data["value_re"]) - truth) < mpmath.mpf(10) ** -21


def test_text_output_names_methods_and_extras(capsys):
    status, out, _ = run(capsys, "signature", "hardswish", "--dps", "12")
    assert status == 0 and "closed form" in out
    assert "kinks: -3, 3; smoothness degree 1; growth class A1" in out
