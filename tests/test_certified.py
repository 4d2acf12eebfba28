"""Certified balls (symsig.certified) against independent truths: closed forms from the
literature evaluated by mpmath at 100 digits, and plain mpmath.quad at 60 digits."""

from fractions import Fraction

import mpmath
import pytest
import sympy

flint = pytest.importorskip("flint")

from symsig import signature  # noqa: E402
from symsig.activations import x  # noqa: E402
from symsig.certified import (Ball, NotCertified, certified_expectation, certified_signature,  # noqa: E402
                              certified_value, gaussian_tail, tail_bound)

ctx = mpmath.MPContext()
ctx.dps = 100
pi = ctx.pi

# closed forms at sigma = 1, mu = 0 (Gaussian integrals of the literature, evaluated by mpmath)
CLOSED = {
    "relu": {"m1": 1 / ctx.sqrt(2 * pi), "g1": ctx.mpf(1) / 2, "m2": ctx.mpf(1) / 2,
             "g2": ctx.sqrt(ctx.mpf(1) / 2), "eta": pi / (2 * (pi - 1))},
    # E[X Phi(X)] = E[phi(X)] (Stein); E[(X Phi(X))^2] = 1/3 + sqrt(3)/(6 pi)
    "gelu": {"m1": 1 / (2 * ctx.sqrt(pi)), "g1": ctx.mpf(1) / 2,
             "m2": ctx.mpf(1) / 3 + ctx.sqrt(3) / (6 * pi)},
    # E[erf(X)^2] = (2/pi) asin(2/3); E[erf'(X)] = 2/sqrt(3 pi); E[erf'(X)^2] = 4/(pi sqrt 5)
    "erf": {"m1": ctx.mpf(0), "g1": 2 / ctx.sqrt(3 * pi), "m2": 2 * ctx.asin(ctx.mpf(2) / 3) / pi,
            "g2": 2 / (ctx.sqrt(pi) * ctx.mpf(5) ** ctx.mpf(0.25)), "eta": 2 / (3 * ctx.asin(ctx.mpf(2) / 3))},
}


@pytest.mark.parametrize("name", sorted(CLOSED))
def test_balls_contain_the_closed_forms(name):
    balls = certified_signature(name, sigma=1, mu=0, dps=50)
    for component, truth in CLOSED[name].items():
        ball = balls[component]
        assert isinstance(ball, Ball), ball
        assert ball.contains(truth), (name, component, str(ball), truth)
        assert Fraction(ball.rad) <= Fraction(10) ** -48 * max(abs(Fraction(ball.mid)), 1)


def test_gelu_m2_closed_form_is_the_integral():
    """The literature form used above, checked once by mpmath.quad (no symsig code)."""
    def integrand(t):
        return (t * (1 + ctx.erf(t / ctx.sqrt(2))) / 2) ** 2 * ctx.exp(-t * t / 2) / ctx.sqrt(2 * pi)
    with ctx.workdps(60):
        assert abs(ctx.quad(integrand, [-ctx.inf, 0, ctx.inf]) - CLOSED["gelu"]["m2"]) < ctx.mpf(10) ** -55


def _reference(expr, sigma, mu, dps=60):
    """Plain mpmath.quad of the lambdified integrand times the density (lambdify uses mpmath.mp) on
    mu +/- 30 sigma: the tails beyond are below 1e-190 for the integrands here (at most quadratic)."""
    f = sympy.lambdify(x, expr, modules="mpmath")
    with mpmath.workdps(dps):
        s, m = mpmath.mpf(sigma), mpmath.mpf(mu)
        return ctx.mpf(mpmath.quad(lambda t: f(t) * mpmath.npdf(t, m, s), [m - 30 * s, m, m + 30 * s]))


ACTIVATIONS = {"tanh": sympy.tanh(x), "sigmoid": 1 / (1 + sympy.exp(-x))}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_quadrature_tier_against_symsig_and_mpmath_quad(name):
    phi = ACTIVATIONS[name]
    dphi = sympy.diff(phi, x)
    balls = certified_signature(name, sigma=1, mu=0, dps=30)
    plain = signature(name, sigma=1, dps=30, components=("m1", "g1", "g2", "m2", "eta"))
    refs = {"m1": _reference(phi, 1, 0), "g1": _reference(dphi, 1, 0), "m2": _reference(phi**2, 1, 0)}
    refs["g2"] = ctx.sqrt(_reference(dphi**2, 1, 0))
    refs["eta"] = refs["g1"] ** 2 / (refs["m2"] - refs["m1"] ** 2)
    for component, ref in refs.items():
        ball = balls[component]
        assert ball.contains(ref), (component, str(ball), ref)
        mid, rad = Fraction(ball.mid), Fraction(ball.rad)
        assert rad <= Fraction(10) ** -28 * max(abs(mid), 1)
        # two enclosures of one number intersect: the ball and symsig's value +/- its error bound
        q = plain[component]
        error = 0 if q.exact is not None else _fraction(q.error)
        assert abs(_fraction(q.value) - mid) <= rad + error, (component, q.value, str(ball))


def _fraction(value):
    """The exact value of an mpf of any context."""
    man, exp = ctx.mpf(value).man_exp
    return Fraction(man) * Fraction(2) ** exp if man else Fraction(0)


def test_quadrature_tier_off_centre():
    ball = certified_expectation(sympy.tanh(x) ** 2, sigma="0.7", mu="-0.3", dps=30)
    assert ball.method.startswith("quadrature")
    assert ball.contains(_reference(sympy.tanh(x) ** 2, "0.7", "-0.3"))


def test_one_unit_in_the_last_claimed_digit_is_excluded():
    for ball in (certified_signature("tanh", dps=30)["g1"], certified_signature("gelu", dps=30)["m2"]):
        digits, unit = ball.proven()
        assert str(ball).startswith("[" + digits + " +/- ")
        value = Fraction(digits)
        assert not ball.contains(value + unit) and not ball.contains(value - unit)
        assert ball.contains(Fraction(ball.mid))


def test_refuses_without_a_tail_bound():
    # the expectation exists (exp(x^2/4) < the density's exp(-x^2/2)), but the table has no such bound;
    # mu = 1/2 avoids the exact 0 that symmetry gives at mu = 0
    with pytest.raises(NotCertified, match="no tail bound"):
        certified_expectation(sympy.exp(x**2 / 4) * sympy.sin(x), mu="0.5", dps=20)


def test_refuses_an_untranslatable_closed_form():
    with pytest.raises(NotCertified, match="no ball translation"):
        certified_value(sympy.besselj(0, 1) + 1, dps=20)


def test_telu_slope_uses_the_sech_bound():
    telu = x * sympy.tanh(sympy.exp(x))
    ball = certified_signature("telu", dps=30)["g1"]
    assert ball.contains(_reference(sympy.diff(telu, x), 1, 0))


def test_refusal_is_reported_per_component():
    balls = certified_signature(sympy.exp(x) * sympy.tanh(x), dps=20)
    assert balls["m1"].startswith("refused: no tail bound") and "refused" in balls["eta"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["relu", "leaky_relu", "tanh", "sigmoid", "swish", "gelu", "mish", "telu"])
@pytest.mark.parametrize("sigma", ["0.5", "1", "2"])
def test_standard_eight_at_dps_50(name, sigma):
    """The issue's table: radius <= 1e-48 relative, containing mpmath.quad at 60 digits and
    intersecting symsig's non-certified value +/- its error."""
    from symsig.activations import get_activation
    phi = get_activation(name).expr
    dphi = sympy.diff(phi, x)  # classical: kinks carry no Dirac mass for these Lipschitz activations
    balls = certified_signature(name, sigma=sigma, dps=50)
    plain = signature(name, sigma=sigma, dps=50, components=("m1", "g1", "g2", "m2", "eta"))
    refs = {"m1": _reference(phi, sigma, 0), "g1": _reference(dphi, sigma, 0), "m2": _reference(phi**2, sigma, 0)}
    refs["g2"] = ctx.sqrt(_reference(dphi**2, sigma, 0))
    refs["eta"] = ctx.mpf(sigma) ** 2 * refs["g1"] ** 2 / (refs["m2"] - refs["m1"] ** 2)
    for component, ref in refs.items():
        ball = balls[component]
        mid, rad = Fraction(ball.mid), Fraction(ball.rad)
        assert rad <= Fraction(10) ** -48 * max(abs(mid), 1)
        assert abs(_fraction(ref) - mid) <= rad + Fraction(10) ** -55, (component, str(ball), ref)
        q = plain[component]
        error = 0 if q.exact is not None else _fraction(q.error)
        assert abs(_fraction(q.value) - mid) <= rad + error + Fraction(10) ** -58, (component, q.value, str(ball))


@pytest.mark.parametrize("expr", [1 / (1 + sympy.exp(-x)), sympy.exp(-2 * x) / (1 + sympy.exp(-x)) ** 4,
                                  sympy.log(1 + sympy.exp(x)), x * sympy.tanh(sympy.log(1 + sympy.exp(x))),
                                  x**2 * sympy.exp(-x**2 / 2) + 3 * sympy.erf(x),
                                  sympy.diff(x * sympy.tanh(sympy.exp(x)), x)])
def test_tail_bounds_hold_at_sample_points(expr):
    f = sympy.lambdify(x, expr, modules="mpmath")
    for side in (1, -1):
        bound = tail_bound(expr, side, 2)
        for t in (2, 3, 10, 40, 200):
            value = abs(f(ctx.mpf(side * t)))
            limit = sum(ctx.mpf(c.upper().mid().str(30, radius=False)) * t**j for j, c in bound.items())
            assert value <= limit * (1 + ctx.mpf(10) ** -25), (expr, side, t, value, limit)


def test_gaussian_tail_bound_against_quad():
    bound = {0: flint.arb(1), 2: flint.arb(3)}   # 1 + 3 x^2 beyond |x| >= T = |mu| + sigma L
    sigma, mu, L = flint.arb(2), flint.arb(-1), 3
    upper = gaussian_tail(bound, sigma, mu, L)
    with ctx.workdps(30):
        T = 1 + 2 * 3
        exact = ctx.quad(lambda t: (1 + 3 * t * t) * ctx.npdf(t, -1, 2), [T, ctx.inf])
        assert exact <= ctx.mpf(upper.upper().mid().str(30, radius=False))


def test_precision_is_restored_and_ball_api():
    before_flint, before_mp = flint.ctx.prec, mpmath.mp.dps
    ball = certified_value(sympy.sqrt(2), dps=40)
    assert (flint.ctx.prec, mpmath.mp.dps) == (before_flint, before_mp)
    assert ball.as_dict() == {"mid": ball.mid, "rad": ball.rad, "certified": True}
    assert ball.contains(ctx.sqrt(2)) and str(ball).startswith("[1.41421356237309504880168872420969807856967")
    assert str(Ball("0.5", "0")) == "[0.5 +/- 0]"


def test_signature_and_cli_carry_the_balls(capsys):
    # the wiring: signature(certified=True) and symsig signature --certified
    import json

    from symsig.cli import main
    from symsig.signature import signature
    s = signature("relu", sigma=1, dps=30, certified=True)
    assert set(s.certified) == {"m1", "g1", "g2", "m2", "eta", "alpha_plus", "alpha_minus", "TV", "C"}
    with mpmath.workdps(100):  # E[relu(Z)] = 1/sqrt(2 pi)
        assert s.certified["m1"].contains(1 / mpmath.sqrt(2 * mpmath.pi))
    data = s.as_dict()["components"]
    assert data["m2"]["certified"]["certified"] is True and "alpha_plus" in data
    assert data["alpha_plus"]["certified"]["certified"] is True  # relu's slope 1, exact
    assert main(["signature", "relu", "--certified", "--dps", "20", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["components"]["m2"]["certified"]["mid"].startswith("0.5")
    assert main(["signature", "relu", "--certified", "--dps", "20"]) == 0
    assert capsys.readouterr().out.count("certified: [") == 9
