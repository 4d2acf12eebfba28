"""What SymPy prints for an activation parses back to the same expression (issue 12, item 1)."""

import pytest
import sympy
from sympy import Piecewise, Rational, exp

from symsig.activations import catalogue, get_activation, x
from symsig.errors import InputError, ParseError
from symsig.parsing import parse_number
from symsig.signature import signature


@pytest.mark.parametrize("name", sorted(catalogue()))
@pytest.mark.parametrize("printer", [sympy.sstr, str])
def test_every_catalogue_entry_parses_back(name, printer):
    expr = get_activation(name).expr
    assert get_activation(printer(expr)).expr == expr


@pytest.mark.parametrize("expr", [
    Piecewise((x, x > 0), (Rational(3, 2) * (exp(x) - 1), True)),               # ELU, alpha = 3/2
    Piecewise((x**3, x >= 0), (0, True)),                                       # ReLU^3
    Piecewise((0, x < -1), (1, x <= 1), (2, True)),                              # a staircase
    Piecewise((x - 1, (x > 1) & (x < 3)), (0, x <= 1), (2, True)),               # And of relations
    Piecewise((x, (x < -2) | (x > 2)), (0, True)),                               # Or: a dead zone
    Piecewise((sympy.tanh(x), sympy.Not(x < 0)), (x / 4, True)),
    Piecewise((x, x > 0), (2, sympy.Eq(x, 0)), (-x, True)),
    sympy.Heaviside(x - Rational(1, 3)) * x + sympy.sign(x) * sympy.Abs(x) ** Rational(1, 2),
    sympy.Min(sympy.Max(x, -1), 1) + Rational(1, 7),
])
def test_sympy_printed_forms_parse_back(expr):
    assert get_activation(sympy.sstr(expr)).expr == expr


def test_chained_comparison_is_a_conjunction():
    parsed = get_activation("Piecewise((x**2, 0 < x < 1), (0, True))").expr
    assert parsed == Piecewise((x**2, (x > 0) & (x < 1)), (0, True))


def test_uncovered_conditions_name_the_uncovered_set():
    with pytest.raises(InputError, match=r"undefined for x in Interval\(-oo, 0\).*\(expr, True\)"):
        get_activation("Piecewise((x, x > 0))")
    with pytest.raises(InputError, match=r"undefined for x in \{0\}"):
        get_activation("Piecewise((x, x > 0), (-x, x < 0))")
    with pytest.raises(InputError, match="undefined for x in"):
        get_activation(Piecewise((x, x > 1), (0, x < -1)))


def test_logic_is_only_for_conditions_and_runs_no_code():
    with pytest.raises(ParseError, match="not a condition"):
        get_activation("Piecewise((x, x & 1), (0, True))")
    with pytest.raises(ParseError, match="unknown function '__import__'"):
        get_activation("Piecewise((__import__(x), x > 0), (0, True))")
    with pytest.raises(ParseError, match="unexpected constant 'os'"):
        get_activation("Piecewise((x, x > 0), (open('os'), True))")
    with pytest.raises(ParseError, match="comparison"):
        get_activation("Piecewise((x, x == 0), (0, True))")
    with pytest.raises(ParseError):
        parse_number("1 < 2")  # numbers stay numbers
    with pytest.raises(ParseError):
        parse_number("True")


def test_the_error_for_an_unsupported_form_says_what_is_supported():
    with pytest.raises(ParseError, match=r"Piecewise\(\(expr, condition\)"):
        get_activation("x[0]")


@pytest.mark.parametrize("name", ["leaky_relu", "elu", "hardswish", "relu6",
                                  *(pytest.param(n, marks=pytest.mark.slow) for n in sorted(catalogue())
                                    if n not in ("leaky_relu", "elu", "hardswish", "relu6"))])
def test_signature_of_the_printed_form_equals_the_named_one(name):
    named = signature(name, sigma="0.7", dps=20).as_dict()
    printed = signature(sympy.sstr(get_activation(name).expr), sigma="0.7", dps=20).as_dict()
    named.pop("activation"), printed.pop("activation")
    assert printed == named


def test_numbers_in_a_catalogue_call_are_its_parameters():
    # the conventions write leaky_relu(0.2): the slope, not leaky_relu evaluated at 0.2
    from symsig.activations import get_activation
    from symsig.errors import InputError
    assert get_activation("leaky_relu(0.2)").expr == get_activation("leaky_relu", slope="0.2").expr
    assert get_activation("relu_pow(2)").expr == get_activation("relu_pow", k=2).expr
    from symsig.activations import x
    assert get_activation("leaky_relu(x - 1)").expr == get_activation("leaky_relu").expr.subs(x, x - 1)
    with pytest.raises(InputError, match="relu takes the parameters none"):
        get_activation("relu(2)")
