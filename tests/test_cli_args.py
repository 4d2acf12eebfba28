"""Command-line arguments: negative and complex positionals, options anywhere, one dps default."""

import json

import mpmath
import pytest

from symsig.cli import DEFAULT_DPS, build_parser, main


def _subparsers():
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return action.choices


def _erfc_form(re, im, dps):
    """E_{1/2,1}(z) = exp(z^2) erfc(-z), an independent closed form."""
    with mpmath.workdps(dps + 10):
        z = mpmath.mpc(re, im)
        return mpmath.exp(z * z) * mpmath.erfc(-z)


@pytest.mark.parametrize("argv", [["ml", "0.5", "1", "-10+1j", "--dps", "40"],
                                  ["ml", "--dps", "40", "0.5", "1", "-10+1j"],
                                  ["ml", "--dps", "40", "0.5", "1", "--", "-10+1j"]])
def test_negative_complex_positional_in_any_position(argv, capsys):
    assert main(argv) == 0
    value = capsys.readouterr().out.splitlines()[0].split(" = ")[1]
    truth = _erfc_form(-10, 1, 40)
    with mpmath.workdps(50):
        assert abs(mpmath.mpmathify(value) - truth) < mpmath.mpf(10) ** -41


def test_json_with_options_first(capsys):
    assert main(["ml", "--dps", "40", "0.5", "1", "-3-4j", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    truth = _erfc_form(-3, -4, 40)
    with mpmath.workdps(50):
        assert abs(mpmath.mpf(data["value_re"]) - truth.real) < mpmath.mpf(10) ** -40
        assert abs(mpmath.mpf(data["value_im"]) - truth.imag) < mpmath.mpf(10) ** -40


def test_negative_activation_and_options_after_it(capsys):
    assert main(["signature", "-(x**2)", "--dps", "10", "--json", "--mu", "-1/2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["mu"] == "-1/2" and data["components"]["m1"]["exact"] == "-5/4"  # -(sigma^2 + mu^2)


def test_unknown_options_are_still_refused(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["signature", "relu", "--sigmaa", "2"])
    assert exit_info.value.code == 2
    assert "unrecognized arguments: --sigmaa" in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("symsig ")


def test_one_dps_default_and_help_on_every_option():
    for name, sub in _subparsers().items():
        for action in sub._actions:
            if action.dest == "help":
                continue
            assert action.help, f"symsig {name}: {action.dest} has no help text"
            if action.dest == "dps":
                assert action.default == DEFAULT_DPS, f"symsig {name} --dps defaults to {action.default}"
        text = sub.format_help()
        if any(a.dest == "dps" for a in sub._actions):
            assert f"(default: {DEFAULT_DPS})" in text, name
