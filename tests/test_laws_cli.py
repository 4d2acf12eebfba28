"""``symsig law NAME [--latex|--markdown]`` and ``symsig relate ACT1 ACT2`` end to end through symsig.cli.main."""

import re
from fractions import Fraction

import mpmath
import pytest

from symsig.cli import main


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_law_prints_statement_proof_and_check(capsys):
    status, out, err = run(capsys, "law", "m2")
    assert status == 0 and not err
    assert "m2[psi](mu, sigma) = c**2*m2[phi](a*mu + b, sigma*Abs(a)) + 2*c*d*m1[phi]" in out
    assert "Case a > 0:" in out and "Case a < 0:" in out
    assert "[linearity of the integral (expectation)]" in out
    assert out.rstrip().endswith("Proof check: every step re-verified")


def test_law_latex_and_markdown(capsys):
    status, out, _ = run(capsys, "law", "C", "--latex")
    assert status == 0
    assert r"\subsection*{Law C}" in out and r"\begin{align*}" in out and r"\end{align*}" in out
    status, out, _ = run(capsys, "law", "eta", "--markdown")
    assert status == 0 and out.startswith("### Law `eta`") and "**Case a < 0.**" in out


def test_law_aliases_and_registered_components(capsys):
    status, out, _ = run(capsys, "law", "alpha+")
    assert status == 0 and "alpha_plus[psi] = a*c*alpha_minus[phi]    if a < 0" in out
    status, out, _ = run(capsys, "law", "E_phi_ddphi")  # registered in symsig.signature, law derived
    assert status == 0 and "E[DDPHI*PHI][phi]" in out and "every step re-verified" in out


def test_law_errors(capsys):
    status, out, err = run(capsys, "law", "nonsense")
    assert status == 2 and not out
    assert err.startswith("symsig: error: no affine law for 'nonsense'") and "m2" in err
    with pytest.raises(SystemExit) as exc:
        main(["law", "m1", "--latex", "--markdown"])
    assert exc.value.code == 2


def constants(out):
    return {k: v for k, v in re.findall(r"^  ([abcd]) = (\S+)$", out, flags=re.M)}


@pytest.mark.parametrize("act1, act2, expected", [
    ("tanh", "sigmoid", {"a": "1/2", "b": "0", "c": "1/2", "d": "1/2"}),
    ("hardtanh", "hardsigmoid", {"a": "1/3", "b": "0", "c": "1/2", "d": "1/2"}),
    ("silu", "swish(beta=3/2)", {"a": "3/2", "b": "0", "c": "2/3", "d": "0"}),
])
def test_relate_prints_the_constants(capsys, act1, act2, expected):
    status, out, err = run(capsys, "relate", act1, act2)
    assert status == 0 and not err
    assert out.startswith(f"{act2}(x) = c*{act1}(a*x + b) + d with")
    assert constants(out) == expected
    assert "proof: psi - (c*phi(a*x + b) + d) simplifies to 0" in out


def test_relate_constants_hold_at_40_digits(capsys):
    # independent of symsig: sigmoid(t) = c*tanh(a*t + b) + d with mpmath at a few points
    _, out, _ = run(capsys, "relate", "tanh", "sigmoid")
    with mpmath.workdps(40):
        k = {key: mpmath.mpf(q.numerator) / q.denominator for key, q in
             ((key, Fraction(value)) for key, value in constants(out).items())}
        for t in (mpmath.mpf("-3.7"), mpmath.mpf("0.3"), mpmath.mpf(11)):
            assert abs(1 / (1 + mpmath.exp(-t)) - (k["c"] * mpmath.tanh(k["a"] * t + k["b"]) + k["d"])) < mpmath.mpf(10) ** -38


def test_relate_says_when_there_are_none(capsys):
    status, out, _ = run(capsys, "relate", "relu", "tanh")
    assert status == 1 and out.startswith("No constants a != 0, b, c != 0, d found with tanh(x) = c*relu(a*x + b) + d")


def test_relate_bad_activation(capsys):
    status, out, err = run(capsys, "relate", "tanh", "nonsense_fn(x)")
    assert status == 2 and not out and "unknown function 'nonsense_fn'" in err
