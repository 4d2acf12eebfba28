"""One integrator: the 1-D (tanh-sinh) and 2-D (nested Gauss-Legendre panel) rules share the
driver, the error model and the tail rule.  Truths are closed forms computed by hand."""

import mpmath
import pytest
import sympy

import symsig
from symsig import quadrature
from symsig.activations import x
from symsig.errors import DivergenceError
from symsig.precision import mp, workdps

# (q1, q2, q12, a, b): a generic covariance, a negative correlation, and rho = 1 (one Gaussian)
PAIRS = [("1", "2", "7/10", "1/3", "-1/2"), ("3", "1/2", "-1", "1/2", "1/5"), ("2", "1/2", "1", "1/4", "-1/3")]
CASES = [(15, *p) for p in PAIRS] + [pytest.param(40, *p, marks=pytest.mark.slow) for p in PAIRS[:2]] + [(40, *PAIRS[2])]


def _exact(v):
    return sympy.Rational(v)


@pytest.mark.parametrize("dps, q1, q2, q12, a, b", CASES)
def test_2d_exponential_moment(dps, q1, q2, q12, a, b):
    # E[exp(aU) exp(bV)] = exp((a^2 q1 + 2ab q12 + b^2 q2) / 2): the moment generating function
    q1, q2, q12, a, b = map(_exact, (q1, q2, q12, a, b))
    truth = sympy.exp((a**2 * q1 + 2 * a * b * q12 + b**2 * q2) / 2)
    with workdps(dps):
        A, B = mp.mpf(sympy.N(a, 60)), mp.mpf(sympy.N(b, 60))
        value, error = quadrature.gaussian_expectation_2d(
            lambda u: mp.exp(A * u), lambda v: mp.exp(B * v),
            *(mp.mpf(sympy.N(v, 60)) for v in (q1, q2, q12)), dps)
    with mpmath.workdps(60):
        t = mpmath.mpf(sympy.N(truth, 60))
        actual = abs(mpmath.mpf(value) - t)
        assert actual < mpmath.mpf(10) ** -dps * t
        assert error < mpmath.mpf(10) ** -dps * t and actual <= error


@pytest.mark.slow
def test_2d_tail_rule_widens_itself_for_exp_c_x_squared():
    # E[exp(c U^2 + c V^2)] = det(I - 2c Sigma)^(-1/2); the probe along the major axis finds the cut
    c, q12 = sympy.Rational(1, 4), sympy.Rational(1, 2)
    truth = 1 / sympy.sqrt((sympy.eye(2) - 2 * c * sympy.Matrix([[1, q12], [q12, 1]])).det())
    with workdps(30):
        f = lambda u: mp.exp(u * u / 4)
        value, error = quadrature.gaussian_expectation_2d(f, f, mp.mpf(1), mp.mpf(1), mp.mpf(0.5), 30)
    with mpmath.workdps(50):
        t = mpmath.mpf(sympy.N(truth, 50))
        assert abs(mpmath.mpf(value) - t) <= min(error, mpmath.mpf(10) ** -30 * t)


def test_1d_tail_rule_widens_itself_for_exp_c_x_squared():
    # E[exp(c Z^2)] = (1 - 2c)^(-1/2)
    with workdps(30):
        r = quadrature.gaussian_quadrature(lambda t: [mp.exp(3 * t * t / 8)], 1, 1, 0, 30)
    with mpmath.workdps(50):
        assert abs(mpmath.mpf(r.values[0]) - 2) <= min(r.errors[0], mpmath.mpf(10) ** -30 * 2)


def test_both_rules_share_the_error_model_and_the_tail_rule(monkeypatch):
    calls = []
    for name in ("_estimate", "tail_cutoff", "_refine"):
        original = getattr(quadrature, name)
        monkeypatch.setattr(quadrature, name,
                            lambda *args, _name=name, _f=original, **kw: calls.append(_name) or _f(*args, **kw))
    with workdps(15):
        quadrature.gaussian_quadrature(lambda t: [mp.cos(t)], 1, 1, 0, 15)
        one_d, calls[:] = set(calls), []
        quadrature.gaussian_expectation_2d(mp.cos, mp.cos, mp.mpf(1), mp.mpf(1), mp.mpf(0.5), 15)
        two_d = set(calls)
    assert one_d == two_d == {"_estimate", "tail_cutoff", "_refine"}


@pytest.mark.parametrize("dps", [15, 30])
def test_algebraic_tail_is_integrated_to_infinity(dps):
    # exp(x^2/2) npdf = 1/sqrt(2 pi): E[exp(x^2/2)/(1+x^2)] = sqrt(pi/2), E[x^2 exp(x^2/2)/(1+x^4)] = sqrt(pi)/2
    for expr, truth in ((sympy.exp(x**2 / 2) / (1 + x**2), lambda: mpmath.sqrt(mpmath.pi / 2)),
                        (x**2 * sympy.exp(x**2 / 2) / (1 + x**4), lambda: mpmath.sqrt(mpmath.pi) / 2)):
        q = symsig.expectation(expr, dps=dps)
        with mpmath.workdps(dps + 20):
            t = truth()
            actual = abs(mpmath.mpf(q.value) - t)
            assert actual < mpmath.mpf(10) ** -dps * t and actual <= q.error


def test_slower_tails_stay_divergent():
    # 1/|x| after the density: +oo, decided by the singularities module before any quadrature
    assert str(symsig.expectation(sympy.exp(x**2 / 2) / (1 + abs(x)), dps=15)) == "oo"
    # 1/log: the tail rule measures no algebraic decay and refuses
    with pytest.raises(DivergenceError):
        symsig.expectation(sympy.exp(x**2 / 2) / sympy.log(2 + x**2), dps=15)


def _lorentzian_truth(scale):
    # E[1/(1 + s^2 Z^2)] = sqrt(pi/2)/s * exp(1/(2 s^2)) * erfc(1/(s sqrt 2)), by hand
    s = sympy.nsimplify(scale)
    return sympy.sqrt(sympy.pi / 2) / s * sympy.exp(1 / (2 * s**2)) * sympy.erfc(1 / (s * sympy.sqrt(2)))


@pytest.mark.parametrize("a, sigma, rule", [(1, "1/2", "trapezoidal"), (1, "3", "trapezoidal"),
                                            (30, "1", "tanh-sinh")])
def test_smooth_integrand_on_the_whole_line(a, sigma, rule):
    # poles at x = +-i/a: a strip of half-width 1/(a sigma) in z.  Wide enough, the trapezoidal
    # rule converges; at 1/30 it does not within its steps and tanh-sinh takes over
    q = symsig.expectation(1 / (1 + a**2 * x**2), sigma=sigma, dps=50, exact=False)
    assert q.method.startswith(f"quadrature ({rule}")
    with mpmath.workdps(70):
        t = mpmath.mpf(sympy.N(_lorentzian_truth(a * sympy.Rational(sigma)), 70))
        assert abs(mpmath.mpf(q.value) - t) < mpmath.mpf(10) ** -50 * t
        assert abs(mpmath.mpf(q.value) - t) <= q.error


@pytest.mark.parametrize("sigma", ["1/2", "2"])
def test_erf_squared_by_the_trapezoidal_rule(sigma):
    # E[erf(Z s)^2] = (2/pi) asin(2 s^2 / (1 + 2 s^2)), with the exact tier switched off
    q = symsig.expectation(sympy.erf(x) ** 2, sigma=sigma, dps=50, exact=False)
    s2 = sympy.Rational(sigma) ** 2
    truth = 2 / sympy.pi * sympy.asin(2 * s2 / (1 + 2 * s2))
    assert q.method == "quadrature (trapezoidal, whole line)"
    with mpmath.workdps(70):
        t = mpmath.mpf(sympy.N(truth, 70))
        assert abs(mpmath.mpf(q.value) - t) < mpmath.mpf(10) ** -50 * t


def test_a_square_from_the_shared_evaluation_matches_the_identity():
    # m2 = E[tanh^2] is formed from phi's value at each node (phi squared), g1 = E[sech^2] from phi':
    # tanh' = 1 - tanh^2, so m2 + g1 = 1 to every digit
    s = symsig.signature("tanh", sigma="0.7", dps=50)
    with mpmath.workdps(60):
        assert abs(mpmath.mpf(s["m2"].value) + mpmath.mpf(s["g1"].value) - 1) < mpmath.mpf(10) ** -50
