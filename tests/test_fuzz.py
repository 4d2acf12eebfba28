"""Fuzz: every input gets correct digits, a decided oo/undefined, or a typed SymsigError.

Activation strings come from a small grammar (catalogue names, compositions, arithmetic,
constants, singular and heavy-tailed pieces); sigma, mu and dps include extremes.  Each call
must return or raise a :class:`SymsigError`; any other exception is a bug.  Finite values of
``m1`` are compared with an independent evaluation (mpmath's own ``quad`` on a lambdified phi,
in a private context) wherever that evaluation is cheap and itself reliable.

The default run is small and reproducible (``derandomize``); ``pytest -m slow`` runs many more.
"""

import mpmath
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symsig
from symsig import SymsigError
from symsig.activations import x

COMMON = dict(deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

NUMBERS = ["0", "1", "2", "-1", "3/7", "0.5", "-2.25", "1e-3", "pi", "E", "sqrt(2)", "10", "1e30"]
UNARY = ["tanh", "exp", "sin", "erf", "abs", "sigmoid", "log", "sqrt", "relu", "gelu", "softplus",
         "atan", "tan", "cos", "softsign"]
NAMES = ["relu", "gelu", "tanh", "sigmoid", "swish", "mish", "telu", "elu", "selu", "hardtanh",
         "relu6", "leaky_relu(slope=0.2)", "relu_pow(k=3)", "softplus(beta=2)", "sin", "abs"]


def _leaf():
    return st.one_of(st.just("x"), st.sampled_from(NUMBERS))


def _grow(children):
    return st.one_of(
        st.tuples(st.sampled_from(UNARY), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(
            lambda t: f"({t[0]}) {t[1]} ({t[2]})"),
        st.tuples(children, st.sampled_from(["2", "3", "-1", "0.5", "x"])).map(
            lambda t: f"({t[0]})**{t[1]}"),
        st.tuples(st.sampled_from(["Max", "Min"]), children, children).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})"),
    )


EXPRESSIONS = st.recursive(_leaf(), _grow, max_leaves=5)
ACTIVATIONS = st.one_of(st.sampled_from(NAMES), EXPRESSIONS,
                        st.sampled_from(["exp(x**2)", "1/x", "tan(x)", "abs(x)**-0.5", "x*10**10**10",
                                         "floor(x)", "x*I", "log(x)", "y*x", "x+", "__import__('os')",
                                         "+".join(["x"] * 2000), "exp(exp(x))"]))
# the fast run keeps the extremes that are refused or cheap; the slow run has them all
# (mu = 1e300 costs gelu minutes of 1000-bit quadrature, correctly but slowly)
BAD = ["0", "-1", "1e5000", "nan", "abc", "10**10**10"]
SIGMAS = {"fast": st.sampled_from(["1", "0.5", "2", *BAD]),
          "many": st.sampled_from(["1", "0.5", "2", "1e-8", "1e8", "1e300", *BAD])}
MUS = {"fast": st.sampled_from(["0", "0", "0.3", "-2"]),
       "many": st.sampled_from(["0", "0", "0.3", "-2", "20", "-30", "1e20", "1e300"])}
DPS = {"fast": st.sampled_from([1, 5, 15, 15, 0, 10**6]),
       "many": st.sampled_from([1, 5, 15, 15, 30, 0, 10**6])}
MODES = [pytest.param("fast", id="fast"), pytest.param("many", id="many", marks=pytest.mark.slow)]
SETTINGS = {"fast": settings(max_examples=40, **COMMON), "many": settings(max_examples=400, **COMMON)}


def _capped(dps, cap):
    """A valid dps lowered to ``cap`` (2-D duals and fixed-point scans are costly); invalid ones kept."""
    return min(dps, cap) if 0 < dps <= 10_000 else dps


def _call(func, *args, **kwargs):
    """The result, or None when symsig refused with a typed error; anything else propagates."""
    try:
        return func(*args, **kwargs)
    except SymsigError as exc:
        assert str(exc).strip(), f"{type(exc).__name__} without a message"
        return None


def _kinks(expr):
    """Real points where Max/Min/Abs/Heaviside/sign switch branch, or None if not polynomial."""
    equations = []
    for atom in expr.atoms(sympy.Max, sympy.Min):
        equations += [a - b for a, b in zip(atom.args, atom.args[1:])]
    equations += [atom.args[0] for atom in expr.atoms(sympy.Abs, sympy.Heaviside, sympy.sign)]
    points = set()
    for equation in equations:
        if not equation.has(x):
            continue
        if not equation.is_polynomial(x) or sympy.degree(equation, x) > 2:
            return None
        points.update(r for r in sympy.solve(equation, x) if r.is_real)
    return points


def _independent_m1(expr, sigma, mu, digits):
    """E[phi(mu + sigma Z)] by mpmath's own quad, split at phi's kinks (None if unreliable)."""
    kinks = _kinks(expr)
    if kinks is None:
        return None
    ctx = mpmath.MPContext()
    ctx.dps = digits + 15
    f = sympy.lambdify(x, expr, modules="mpmath")
    s, m = (ctx.mpf(sympy.N(v, ctx.dps)) for v in (sigma, mu))
    # beyond |z| = 40 the Gaussian weight is below 1e-347: kinks out there are not split points
    splits = sorted({ctx.mpf(0), *(z for z in ((ctx.mpf(sympy.N(k, ctx.dps)) - m) / s for k in kinks)
                                   if abs(z) < 40)})

    def integrand(z):
        return ctx.mpmathify(f(m + s * z)) * ctx.npdf(z)

    try:
        value, error = ctx.quad(integrand, [-40, *splits, 40], error=True)
    except Exception:  # noqa: BLE001 - the reference may fail (overflow, a pole); then no check
        return None
    if isinstance(value, ctx.mpc) or not ctx.isfinite(value) or error > ctx.mpf(10) ** -digits * max(1, abs(value)):
        return None
    return value


@pytest.mark.parametrize("mode", MODES)
def test_signature_is_total(mode):
    @SETTINGS[mode]
    @given(phi=ACTIVATIONS, sigma=SIGMAS[mode], mu=MUS[mode], dps=DPS[mode])
    def check(phi, sigma, mu, dps):
        result = _call(symsig.signature, phi, sigma=sigma, mu=mu, dps=dps)
        if result is None:
            return
        for name, quantity in result.items():
            assert quantity.status in ("exact", "numeric", "infinite", "undefined"), name
            if quantity.status == "undefined":
                assert quantity.reason, f"{name} is undefined without a reason"
            if quantity.is_finite:
                assert mpmath.isfinite(quantity.value)
                assert quantity.error is not None
        m1 = result["m1"]
        if m1.is_finite:
            reference = _independent_m1(result.activation.expr, result.sigma, result.mu, 12)
            if reference is not None:
                # the value is good to min(dps, 12) digits, or to its own error estimate
                tolerance = (10 * m1.error + abs(reference) * mpmath.mpf(10) ** (1 - min(dps, 10))
                             + mpmath.mpf(10) ** -10)
                assert abs(m1.value - reference) <= tolerance, (phi, sigma, mu, dps, str(m1), reference)

    check()


@pytest.mark.parametrize("mode", MODES)
def test_moments_kernels_mittag_leffler_stability_are_total(mode):
    @SETTINGS[mode]
    @given(phi=ACTIVATIONS, power=st.sampled_from([1, 2, 3, 0, -1, "2", "1/2"]),
           derivative=st.sampled_from([0, 1, 2, -1]), sigma=SIGMAS[mode], dps=DPS[mode],
           a=st.sampled_from(["0.5", "0", "1.5", "-1", "3", "1e300"]),
           z=st.sampled_from(["-50", "3+4j", "-3-4j", "20j", "0", "1e10", "abc", "1e-300"]))
    def check(phi, power, derivative, sigma, dps, a, z):
        _call(symsig.gaussian_moment, phi, power=power, sigma=sigma, derivative=derivative, dps=dps)
        _call(symsig.dual_activation, phi, q1=sigma, q2=sigma, q12="1/2", dps=_capped(dps, 5))
        _call(symsig.mittag_leffler, a, 1, z, dps=dps)
        _call(symsig.variance_fixed_points, phi, sigma_w2=sigma, sigma_b2="0.1", dps=_capped(dps, 5))

    check()
