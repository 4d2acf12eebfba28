"""Catalogue, parser and symbolic calculus, against facts derived by hand."""

import pytest
import sympy
from sympy import Rational, oo

from symsig.activations import SELU_LAMBDA, catalogue, get_activation, parse_activation, x
from symsig.calculus import (decompose, distributional_derivative, growth_class, limit_refusal, slopes,
                             smoothness_degree, symbolic_limit)
from symsig.errors import DomainError, InputError, ParseError


@pytest.mark.parametrize("text, expected", [
    ("0.044715*x**3", Rational(8943, 200000) * x**3),
    ("1e-3*x", x / 1000),
    ("x^2", x**2),
    ("relu(x - 0.3)", sympy.Max(x - Rational(3, 10), 0)),
    ("swish(beta=2)", x / (1 + sympy.exp(-2 * x))),
    ("Max(x, 0.3)", sympy.Max(x, Rational(3, 10))),
])
def test_parser_reads_exact_decimals(text, expected):
    assert sympy.simplify(parse_activation(text).expr - expected) == 0


@pytest.mark.parametrize("text", [
    "__import__('os').system('true')", "x.__class__", "(lambda: 1)()", "[x][0]", "open('f')",
    "x if x else 1", "'x'", "x*y", "", "1 +", "leaky_relu(slope=y)",
])
def test_parser_refuses_code_and_unknown_names(text):
    with pytest.raises(ParseError):
        parse_activation(text)


def test_free_symbols_and_parameters_are_checked():
    with pytest.raises(InputError, match="depend on x only"):
        get_activation(x * sympy.Symbol("a"))
    with pytest.raises(DomainError, match="alpha"):
        get_activation("elu", alpha=-1)
    with pytest.raises(InputError, match="takes the parameters"):
        get_activation("relu", slope=2)
    with pytest.raises(DomainError, match="positive integer"):
        get_activation("relu_pow", k="1.5")


def test_python_floats_are_their_exact_binary_value():
    assert get_activation(0.1 * x).expr == Rational(3602879701896397, 36028797018963968) * x


def test_catalogue_has_the_issue_list():
    names = {"relu", "leaky_relu", "tanh", "sigmoid", "swish", "silu", "gelu", "gelu_tanh", "mish",
             "telu", "elu", "selu", "celu", "softplus", "softsign", "hardtanh", "relu6", "hardsigmoid",
             "hardswish", "erf", "abs", "relu_pow", "sin"}
    assert names <= set(catalogue())
    assert catalogue()["gelu"].subs(x, 1) == (1 + sympy.erf(1 / sympy.sqrt(2))) / 2


def test_decompose_finds_kinks_anywhere():
    pieces = decompose(get_activation("hardswish").expr)
    assert pieces.breakpoints == [-3, 3]
    assert [p.expr for p in pieces.pieces] == [0, x * (x + 3) / 6, x]
    assert decompose(sympy.Max(x, Rational(3, 10))).breakpoints == [Rational(3, 10)]


def test_jumps_and_distributional_derivative():
    step = sympy.Heaviside(x - 1) * 2
    classical, jumps = distributional_derivative(step)
    # phi' = 0 classically plus a Dirac mass 2 delta(x - 1)
    assert [p.expr for p in classical.pieces] == [0, 0] and jumps == {1: 2}
    assert decompose(get_activation("relu6").expr).diff().jumps() == {0: 1, 6: -1}


@pytest.mark.parametrize("name, degree", [
    ("relu", 1), ("leaky_relu", 1), ("hardtanh", 1), ("elu", 2), ("celu", 2), ("selu", 1),
    ("softsign", 2), ("tanh", oo), ("gelu", oo), ("abs", 1)])
def test_smoothness_degree(name, degree):
    assert smoothness_degree(get_activation(name).expr) == degree


def test_smoothness_of_powers_and_steps():
    assert smoothness_degree(sympy.Max(x, 0) ** 3) == 3
    assert smoothness_degree(sympy.Heaviside(x)) == 0


@pytest.mark.parametrize("name, plus, minus", [
    ("relu", 1, 0), ("leaky_relu", 1, Rational(1, 100)), ("abs", 1, -1), ("selu", SELU_LAMBDA, 0),
    ("tanh", 0, 0), ("telu", 1, 0), ("mish", 1, 0), ("softplus", 1, 0), ("identity", 1, 1)])
def test_slopes_are_exact(name, plus, minus):
    ap, am = slopes(get_activation(name).expr, 20)
    assert (ap.exact, am.exact) == (plus, minus)
    assert ap.status == am.status == "exact"


def test_slopes_infinite_and_undefined():
    ap, am = slopes(x**2, 20)
    assert ap.status == am.status == "infinite" and ap.value > 0 and am.value < 0
    assert slopes(x * sympy.sin(x), 20)[0].status == "undefined"


@pytest.mark.parametrize("names, cls", [
    (("tanh", "sigmoid", "erf", "hardtanh"), "A0"),
    (("relu", "leaky_relu", "swish", "gelu", "mish", "telu", "elu", "selu", "softplus"), "A1"),
])
def test_growth_classes_of_conventions(names, cls):
    for name in names:
        assert growth_class(get_activation(name).expr) == cls, name


def test_superlinear_growth():
    assert growth_class(x**2) == "A>1"
    assert growth_class(get_activation("relu_pow", k=2).expr) == "A>1"


# ----------------------------------- limits decided without a clock (issue 11)

@pytest.fixture
def no_gruntz(monkeypatch):
    """sympy.limit is forbidden: the structural tiers must answer by themselves."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"sympy.limit called on {args[0]}")

    monkeypatch.setattr(sympy, "limit", refuse)
    symbolic_limit.cache_clear()
    yield
    symbolic_limit.cache_clear()


_U = sympy.sqrt(2) * x / 2
_GELU_TANH = x * (1 + sympy.tanh(sympy.sqrt(2 / sympy.pi) * (x + Rational(8943, 200000) * x**3))) / 2


@pytest.mark.parametrize("expr, point, truth", [
    # the residual tails of the area C: each took 1-2 s of Gruntz, now a reading of the decay
    (x**2 * (x * (sympy.erf(_U) + 1) / 2 - x), oo, 0),
    (x**3 * (sympy.erf(_U) + 1) / 2, -oo, 0),
    (x**2 * (_GELU_TANH - x), oo, 0),
    (x**3 * _GELU_TANH, -oo, 0),
    (x * sympy.exp(x), oo, oo),
    (x**2 - x**3, oo, -oo),
    # finite points: the leading term of the expansion
    (sympy.sin(x) / x, 0, 1),
    (x * sympy.log(x), 0, 0),
    (1 / x**2, 0, oo),
    ((sympy.exp(x) - 1) / x**2, 0, oo),
])
def test_structural_limits_answer_without_sympy_limit(no_gruntz, expr, point, truth):
    assert symbolic_limit(expr, point) == truth


def test_limits_beyond_the_nesting_cap_are_refused_by_name(no_gruntz):
    tower = sympy.tanh(sympy.tanh(sympy.tanh(sympy.tanh(x))))
    expr = x * (tower - sympy.tanh(sympy.tanh(sympy.tanh(1))))  # 0 * oo: no structural answer
    assert symbolic_limit(expr, oo) is None
    assert "MAX_LIMIT_NESTING = 3" in limit_refusal(expr)
    assert limit_refusal(x * (sympy.tanh(x) - 1)) is None


def test_gruntz_still_decides_small_shallow_limits():
    # beyond the structural tiers, within the caps: sympy.limit runs (no clock decides)
    expr = x * (sympy.log(1 + sympy.exp(x)) - x)
    assert limit_refusal(expr) is None
    assert symbolic_limit(expr, oo) == 0


@pytest.mark.parametrize("phi", [x**2 * sympy.sin(x), x**2 * sympy.sin(x)**2])
def test_unbounded_oscillation_has_no_slope(phi):
    # x sin(x) sampled at x = 16^k grew by 1e8 and was reported as the slope -oo (and
    # x sin(x)**2 as +oo); its lim inf and lim sup differ, so the slope is undefined
    plus, minus = slopes(phi)
    assert plus.status == minus.status == "undefined"
    assert "oscillating" in plus.reason
