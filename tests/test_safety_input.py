"""The safe input boundary (issue 10): one whitelisting parser, resource limits, validated activations.

Truths are independent of symsig: Python's Fraction for decimals, textbook closed
forms (arc-cosine kernel, Williams' erf kernel, E[exp(Z)] = e^(1/2)), and mpmath
in a private context for E_{1/2,1}(z) = exp(z^2) erfc(-z).
"""

import builtins
from fractions import Fraction

import mpmath
import pytest
import sympy

import symsig
from symsig import limits
from symsig.activations import catalogue, get_activation, parse_activation, x
from symsig.laws.relate import relate
from symsig.errors import DomainError, InputError, LimitError, ParseError, SymsigError
from symsig.parsing import parse_number
from symsig.precision import check_dps, exact_number, format_value


def payload(marker):
    """The code-execution payload of issue 10; running it creates ``marker``."""
    return ("Integer(sqrt.__globals__['__builtins__']['__import__']('os')"
            f".system('touch {marker}'))")


# ------------------------------------------------------------------ numbers

@pytest.mark.parametrize("text, value", [
    ("0.8", Fraction(4, 5)), ("1e-5", Fraction(1, 10**5)), ("2.5E+3", Fraction(2500)), ("3/7", Fraction(3, 7)),
    ("-0.125", Fraction(-1, 8)), ("+5", Fraction(5)), ("2**-3", Fraction(1, 8)), (".5", Fraction(1, 2)),
    ("1_000", Fraction(1000)), ("0.1 + 0.2", Fraction(3, 10)),
])
def test_decimals_are_exact_rationals(text, value):
    got = parse_number(text)
    assert (got.p, got.q) == (value.numerator, value.denominator)


@pytest.mark.parametrize("text, real, imag", [
    ("3-4j", 3, -4), ("-3-4j", -3, -4), ("2j", 0, 2), ("1e-3+2.5j", Fraction(1, 1000), Fraction(5, 2)),
])
def test_complex_numbers(text, real, imag):
    got = exact_number(text)
    re, im = got.as_real_imag()
    assert (re, im) == (sympy.Rational(real), sympy.Rational(imag))


def test_constants_and_sqrt():
    assert parse_number("sqrt(2)/2") == sympy.sqrt(2) / 2
    assert parse_number("2*pi + E") == 2 * sympy.pi + sympy.E


def test_infinity_only_where_meaningful():
    with pytest.raises(DomainError, match="finite"):
        parse_number("oo", "sigma")
    assert parse_number("-oo", allow_infinity=True) == -sympy.oo
    with pytest.raises(DomainError):
        parse_number("1/0")


@pytest.mark.parametrize("text", ["x", "a.b", "'1'", "lambda: 1", "[1]", "exp(1)", "1 if 1 else 2", "1 < 2",
                                  "__import__('os')", "(1).real", "sqrt(2, 3)"])
def test_not_a_number(text):
    with pytest.raises(ParseError):
        parse_number(text, "mu")


@pytest.mark.parametrize("text", ["1e5000", "1e-1001", "10**10**10", "sqrt(2)**10**10", "9" * 2500,
                                  "1." + "1" * 2500, "(1/3)**5000", "1e" + "9" * 50, "1" + "+1" * 30000])
def test_number_limits(text):
    with pytest.raises(LimitError):
        exact_number(text, "sigma")


def test_exact_number_keeps_its_conversions():
    assert exact_number(0.1) == sympy.Rational(*Fraction(0.1).as_integer_ratio())  # the float's exact value
    assert exact_number(7) == 7
    assert exact_number(mpmath.mpf(0.25)) == sympy.Rational(1, 4)
    assert exact_number(sympy.sqrt(3)) == sympy.sqrt(3)


def test_dps_cap():
    assert check_dps(limits.MAX_DPS) == limits.MAX_DPS
    with pytest.raises(LimitError, match="MAX_DPS"):
        check_dps(1_000_000)
    with pytest.raises(LimitError):
        symsig.signature("relu", dps=10**6, components=("m1",))


# -------------------------------------------------------------- activations

def test_size_and_depth_limits_refuse_cleanly():
    with pytest.raises(LimitError, match="MAX_NODES"):
        parse_activation(" + ".join(f"{k}*x**{k}" for k in range(1000)))
    with pytest.raises(LimitError, match="MAX_DEPTH"):
        parse_activation("tanh(" * 200 + "x" + ")" * 200)
    with pytest.raises(LimitError):
        parse_activation("-" * 5000 + "x")
    with pytest.raises(LimitError):
        parse_activation("x" + " " * limits.MAX_TEXT_LENGTH + "+ 1")


def test_what_people_write_is_accepted():
    poly = " + ".join(f"{(-1) ** k}*0.{k + 1}*x**{k}" for k in range(300))
    expr = parse_activation(poly).expr
    assert sympy.Poly(expr, x).degree() == 299
    assert expr.coeff(x, 7) == sympy.Rational(-8, 10)
    sums = parse_activation(" + ".join(["x"] * 1500)).expr  # a flat chain needs no recursion
    assert sums == 1500 * x
    assert parse_activation("relu_pow(k=1000)").expr == sympy.Max(x, 0) ** 1000


def test_powers_are_bounded_before_they_are_built():
    with pytest.raises(LimitError):
        parse_activation("x*10**10**10")
    with pytest.raises(LimitError, match="MAX_EXPONENT"):
        parse_activation("x**100000")
    with pytest.raises(LimitError, match="MAX_EXPONENT"):
        get_activation("relu_pow", k=10**6)
    nested = "x"
    for _ in range(14):  # degree 2**14 once multiplied out
        nested = f"({nested})**2 + 1"
    with pytest.raises(LimitError, match="degree"):
        parse_activation(nested)
    with pytest.raises(LimitError):
        get_activation(sympy.Max(x, 0) ** (10**10))


def test_sympy_objects_get_the_same_size_limits():
    deep = x
    for _ in range(200):
        deep = sympy.tanh(deep)
    with pytest.raises(LimitError, match="MAX_DEPTH"):
        get_activation(deep)
    big = sympy.Add(*[sympy.exp(k * x) for k in range(3000)])
    with pytest.raises(LimitError, match="MAX_NODES"):
        get_activation(big)


@pytest.mark.parametrize("phi", [x * sympy.I, sympy.exp(sympy.I * x), "2j*x", "x + sqrt(-1)"])
def test_complex_valued_activations_are_refused(phi):
    with pytest.raises(DomainError, match="complex-valued"):
        symsig.signature(phi, components=("m1",))


@pytest.mark.parametrize("phi", [x * sympy.oo, x - sympy.oo, x + sympy.zoo, x * sympy.nan, "x/0"])
def test_infinite_and_undefined_constants_are_refused(phi):
    with pytest.raises(DomainError):
        symsig.signature(phi, components=("m1",))


@pytest.mark.parametrize("phi", [sympy.floor(x), sympy.gamma(x), sympy.Function("f")(x),
                                 sympy.Integral(x, (x, 0, 1)) + x])
def test_unsupported_functions_are_refused_with_the_list(phi):
    with pytest.raises(InputError, match="supported") as info:
        symsig.signature(phi, components=("m1",))
    assert "MittagLeffler" in str(info.value) or "Integral" in str(info.value)


def test_catalogue_and_mittag_leffler_pass_validation():
    from symsig.mittag_leffler import MittagLeffler, Prabhakar, preset
    for expr in catalogue().values():
        assert get_activation(expr).expr == expr
    assert get_activation(x * MittagLeffler(1, 2, -x**2)).expr == x * MittagLeffler(1, 2, -x**2)
    assert get_activation(Prabhakar(2, 1, 1, -x)).expr == Prabhakar(2, 1, 1, -x)
    assert get_activation(preset("gelu")).expr == preset("gelu")
    with pytest.raises(InputError, match="x only"):  # other free symbols: unchanged
        get_activation(x + sympy.Symbol("y"))


# ------------------------------------------------ string APIs use the parser

def test_relate_reads_strings():
    rel = relate("tanh", "sigmoid")  # sigmoid(x) = tanh(x/2)/2 + 1/2
    assert (rel.a, rel.b, rel.c, rel.d) == (sympy.Rational(1, 2), 0, sympy.Rational(1, 2), sympy.Rational(1, 2))
    with pytest.raises(ParseError):
        relate("x.__class__", "relu")


def test_gated_activation_reads_strings():
    from symsig.mittag_leffler import MittagLeffler, gated_activation
    assert gated_activation(1, 0, 1, "-exp(-x)", 1, 1, 0) == x / (1 + sympy.exp(-x))
    assert gated_activation(1, "0.5", 1, "x/sqrt(2)", 1, 1, 0) == \
        x * MittagLeffler(sympy.Rational(1, 2), 1, x / sympy.sqrt(2)) / MittagLeffler(1, 1, 0)
    with pytest.raises(ParseError):
        gated_activation(1, 0, 1, "x.real", 1, 1, 0)


def test_register_component_reads_strings():
    from symsig.signature import COMPONENTS, register_component
    try:
        register_component("safety_msq", integrand="DPHI**2 + 0*PHI")
        # E[relu'(Z)^2] = P(Z > 0) = 1/2
        assert symsig.signature("relu", components=("safety_msq",))["safety_msq"].exact == sympy.Rational(1, 2)
        with pytest.raises(ParseError):
            register_component("safety_bad", integrand="PHI + y")
        with pytest.raises(ParseError):
            register_component("safety_bad", integrand="x")
    finally:
        COMPONENTS.pop("safety_msq", None)
        COMPONENTS.pop("safety_bad", None)


def test_verify_component_reads_expectation_names():
    from symsig.laws.verify import component
    assert component("relu", "E[PHI**2]", 1, 0, 20).exact == sympy.Rational(1, 2)  # E[relu(Z)^2] = 1/2
    with pytest.raises(ParseError):
        component("relu", "E[__import__('os')]", 1, 0, 20)


def test_series_expectation_reads_strings():
    from symsig.mittag_leffler.moments import series_expectation
    with mpmath.workdps(30):
        assert abs(series_expectation("exp(x)", x, 1, dps=25).value - mpmath.exp(mpmath.mpf(1) / 2)) < 1e-24
    with pytest.raises(ParseError):
        series_expectation("x.__class__", x, 1)


def test_closed_form_dual_reads_activation_strings():
    from symsig.kernels.closed import Q1, Q12, Q2, closed_form_dual
    q = {Q1: 2, Q2: 3, Q12: 1}
    theta = sympy.acos(1 / sympy.sqrt(6))
    relu_kernel = sympy.sqrt(6) / (2 * sympy.pi) * (sympy.sin(theta) + (sympy.pi - theta) * sympy.cos(theta))
    relu = closed_form_dual("relu")[0]
    assert relu.free_symbols <= {Q1, Q2, Q12}
    assert abs(sympy.N(relu.subs(q) - relu_kernel, 30)) < 1e-25  # Cho and Saul, n = 1
    erf = closed_form_dual("erf(x)")[0]
    williams = 2 / sympy.pi * sympy.asin(2 * 1 / sympy.sqrt((1 + 2 * 2) * (1 + 2 * 3)))
    assert erf.free_symbols <= {Q1, Q2, Q12}
    assert abs(sympy.N(erf.subs(q) - williams, 30)) < 1e-25


# ------------------------------------------------------------ format_value

def test_complex_values_print_every_digit_right():
    """``symsig ml --dps 50 0.5 1 10+10j``: the imaginary part was rounded to the caller's precision."""
    from symsig.mittag_leffler import mittag_leffler
    ctx = mpmath.mp.clone()
    ctx.dps = 80
    z = ctx.mpc(10, 10)
    truth = ctx.exp(z**2) * ctx.erfc(-z)  # E_{1/2,1}(z)
    value = mittag_leffler("0.5", "1", "10+10j", dps=50).value
    printed = format_value(value, 50)
    re, im = printed[:-1].rsplit("-", 1)
    assert re == ctx.nstr(truth.real, 50, strip_zeros=False)
    assert "-" + im == ctx.nstr(truth.imag, 50, strip_zeros=False)


def test_complex_values_in_cli_text(capsys):
    from symsig.cli import main
    assert main(["ml", "--dps", "50", "0.5", "1", "10+10j"]) == 0
    ctx = mpmath.mp.clone()
    ctx.dps = 80
    z = ctx.mpc(10, 10)
    truth = ctx.exp(z**2) * ctx.erfc(-z)
    line = capsys.readouterr().out.splitlines()[0]
    assert line.endswith(f"-{ctx.nstr(-truth.imag, 50, strip_zeros=False)}j")


# ---------------------------------------------- no eval on user text, ever

class _Forbidden(AssertionError):
    pass


@pytest.fixture
def no_eval(monkeypatch):
    """parse_expr (which sympify imports at call time for strings) and eval raise if called.

    Every symsig module is imported first, and sympy.physics (which simplify imports
    lazily): module imports sympify and eval their own fixed text (unit names, namedtuple).
    """
    import importlib
    import pkgutil

    import sympy.parsing.sympy_parser as sympy_parser
    import sympy.physics.units  # noqa: F401
    for module in pkgutil.walk_packages(symsig.__path__, "symsig."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)

    def refuse(*args, **kwargs):
        raise _Forbidden(f"eval-like call on {args[:1]!r}")

    monkeypatch.setattr(sympy_parser, "parse_expr", refuse)
    monkeypatch.setattr(builtins, "eval", refuse)


def _bad_and_good_calls(marker):
    from symsig.kernels import closed_form_dual, dual_activation

    from symsig.laws.verify import component
    from symsig.mittag_leffler import gated_activation, mittag_leffler
    from symsig.mittag_leffler.moments import series_expectation
    from symsig.gaussian import gaussian_moment
    from symsig.signature import register_component
    from symsig.stability import lyapunov, variance_fixed_points
    bad = payload(marker)
    return [
        lambda: symsig.signature("relu", mu=bad),
        lambda: symsig.signature("relu", sigma=bad),
        lambda: symsig.signature(bad),
        lambda: gaussian_moment("relu", sigma=bad),
        lambda: gaussian_moment(bad),
        lambda: relate(bad, "relu"),
        lambda: gated_activation(1, 0, 1, bad, 1, 1, 0),
        lambda: gated_activation(bad, 0, 1, "x", 1, 1, 0),
        lambda: register_component("safety_payload", integrand=bad),
        lambda: component("relu", f"E[{bad}]", 1, 0, 10),
        lambda: series_expectation(bad, x, 1),
        lambda: closed_form_dual(bad),
        lambda: mittag_leffler(bad, 1, 1),
        lambda: mittag_leffler("0.5", "1", bad),
        lambda: dual_activation("relu", q1=bad),
        lambda: variance_fixed_points("relu", sigma_w2=bad),
        lambda: lyapunov("relu", a=bad),
    ]


def test_no_user_text_reaches_eval(no_eval, tmp_path):
    marker = tmp_path / "pwned"
    for call in _bad_and_good_calls(marker):
        with pytest.raises(SymsigError):
            call()
    assert not marker.exists()
    # good input still works with eval and parse_expr forbidden
    from symsig.kernels import closed_form_dual
    from symsig.mittag_leffler import mittag_leffler
    assert symsig.signature("relu", sigma="0.8", mu="-1/4", components=("m1",))["m1"].exact is not None
    assert symsig.signature("0.5*x*(1 + tanh(x))", components=("alpha_plus",))["alpha_plus"].exact == 1
    assert closed_form_dual("relu") is not None
    assert relate("tanh", "sigmoid") is not None
    assert abs(mittag_leffler("1", "1", "1/2", dps=20).value - mpmath.exp(0.5)) < 1e-15


@pytest.mark.parametrize("argv", [
    ["signature", "relu", "--mu", "PAYLOAD"],
    ["signature", "relu", "--sigma", "PAYLOAD"],
    ["signature", "PAYLOAD"],
    ["signature", "relu", "--sigma", "10**10**10"],
    ["signature", "relu", "--sigma", "1e5000"],
    ["signature", "relu", "--dps", "1000000"],
    ["signature", "x*10**10**10"],
    ["signature", "x*I"],
    ["ml", "PAYLOAD", "1", "1"],
    ["ml", "--dps", "1000000", "0.5", "1", "2"],
    ["kernel", "relu", "--rho", "PAYLOAD"],
    ["stability", "relu", "--sigma-w2", "PAYLOAD"],
    ["stability", "relu", "--a", "PAYLOAD"],
    ["relate", "PAYLOAD", "relu"],
])
def test_cli_refuses_in_one_line(argv, no_eval, tmp_path, capsys):
    from symsig.cli import main
    marker = tmp_path / "pwned"
    argv = [payload(marker) if a == "PAYLOAD" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("symsig: error:") and err.count("\n") == 1
    assert not marker.exists()


def test_limits_can_be_raised_for_a_session(monkeypatch):
    monkeypatch.setattr(limits, "MAX_DPS", 20_000)
    assert check_dps(15_000) == 15_000
    monkeypatch.setattr(limits, "MAX_EXPONENT", 20_000)
    assert parse_activation("x**15000").expr == x**15000


@pytest.mark.parametrize("kwargs", [{"derivative": -1}, {"derivative": "1.5"}, {"power": -1}, {"power": "x"}])
def test_gaussian_moment_orders_are_nonnegative_integers(kwargs):
    # derivative=-1 used to return m1 silently
    with pytest.raises(symsig.SymsigError):
        symsig.gaussian_moment("relu", sigma=1, **kwargs)


def test_gaussian_moment_orders_may_be_typed_as_text():
    # E[relu'(Z)^2] = P(Z > 0) = 1/2
    assert symsig.gaussian_moment("relu", power="2", derivative="1", sigma=1).exact == sympy.Rational(1, 2)


def test_negative_mpmath_numbers_keep_their_sign():
    # mpf.man_exp drops the sign: mu = mpf(-0.5) was read as +1/2
    import mpmath
    from symsig import signature
    from symsig.precision import exact_number
    assert exact_number(mpmath.mpf(-0.5)) == sympy.Rational(-1, 2)
    assert exact_number(mpmath.mpc(-0.25, -2)) == sympy.Rational(-1, 4) - 2 * sympy.I
    m1 = signature("relu", mu=mpmath.mpf(-0.5), dps=20)["m1"]
    with mpmath.workdps(30):  # E[max(0, X)], X ~ N(mu, 1): mu Phi(mu) + phi(mu)
        truth = -0.5 * mpmath.ncdf(-0.5) + mpmath.npdf(-0.5)
        assert abs(mpmath.mpf(m1.value) - truth) < mpmath.mpf(10) ** -19
