"""Independent checks of the numeric core (issue 11, item 7).

Every reference value here is computed by plain global ``mpmath`` in the test, at
20 more digits than asked of symsig, from activations written out by hand (no symsig
or SymPy code on the reference side), or is a closed form.  The same code at two
precisions would not be a second method.
"""

import mpmath
import pytest
import sympy

import symsig
from symsig import quadrature
from symsig.activations import x
from symsig.calculus import numeric_limit
from symsig.errors import ConvergenceError, DivergenceError
from symsig.precision import mp, workdps
from symsig.quantity import Quantity
from symsig.signature import Signature

DPS = 40
EXTRA = 20  # digits of the reference beyond DPS


# ---------------------------------------------------------------- references

def _sigmoid(t):
    return 1 / (1 + mpmath.exp(-t))


# phi, phi', asymptotic slopes (alpha_plus, alpha_minus), written from their definitions
ACTIVATIONS = {
    "swish": (lambda t: t * _sigmoid(t),
              lambda t: _sigmoid(t) * (1 + t * (1 - _sigmoid(t))), 1, 0),
    "softplus": (lambda t: mpmath.log(1 + mpmath.exp(t)), _sigmoid, 1, 0),
}


def _cutoff(sigma, dps):
    """Half-width L in z with the Gaussian tail of any |f| <= (1 + |x|)**2 below 10**-(dps + 10).

    For z >= L >= 1: (1 + sigma z)**2 <= (1 + sigma)**2 z**2 and
    integral_L^oo z**2 npdf(z) dz = L npdf(L) + Q(L) <= (L + 1/L) npdf(L); both tails doubled.
    """
    L = mpmath.mpf(2)
    while 2 * (1 + sigma) ** 2 * (L + 1 / L) * mpmath.npdf(L) > mpmath.mpf(10) ** (-dps - 10):
        L += 1
    return L


def _decimal(text):
    """The exact decimal ``text`` ("0.7" is 7/10, not a double) at the current precision."""
    r = sympy.Rational(text)
    return mpmath.mpf(r.p) / r.q


def gaussian_reference(f, sigma, mu, dps):
    """E[f(mu + sigma Z)] by mpmath.quad (tanh-sinh) on [-L, 0] and [0, L] (f is analytic)."""
    with mpmath.workdps(dps + EXTRA):
        sigma, mu = _decimal(sigma), _decimal(mu)
        L = _cutoff(sigma + abs(mu), dps)  # |mu + sigma z| <= (|mu| + sigma)|z| for |z| >= 1
        value, error = mpmath.quad(lambda z: f(mu + sigma * z) * mpmath.npdf(z), [-L, 0, L], error=True)
        assert error < mpmath.mpf(10) ** (-dps - 12)
        return +value


def tail_area_reference(name, dps):
    """C = integral |phi - l| by its definition: l(x) = alpha_plus x (x > 0), alpha_minus x (x < 0).

    |phi - l| <= x e^-|x| for both activations (|x| >= 1), so the area beyond |x| = L is
    below 2 (L + 1) e^-L; the direct subtraction loses relative digits far out but its
    absolute error, ~ L * 10**-(dps + EXTRA), is negligible.
    """
    phi, _, plus, minus = ACTIVATIONS[name]
    with mpmath.workdps(dps + EXTRA):
        L = mpmath.mpf(4)
        while 2 * (L + 1) * mpmath.exp(-L) > mpmath.mpf(10) ** (-dps - 10):
            L *= 2
        grid = [0] + [p for p in (4, 32) if p < L] + [L]
        right = mpmath.quad(lambda t: abs(phi(t) - plus * t), grid)
        left = mpmath.quad(lambda t: abs(phi(-t) + minus * t), grid)
        return right + left


def _agree(q, reference, dps):
    """symsig's value has all ``dps`` digits and its error claim covers the true error."""
    with mpmath.workdps(dps + EXTRA):
        value = mpmath.mpf(q.value)
        error = abs(value - reference)
        assert error <= mpmath.mpf(10) ** -dps * abs(reference), (q.method, value, reference)
        assert error <= mpmath.mpf(q.error) + mpmath.mpf(10) ** (-dps - 10) * abs(reference), \
            (q.method, error, q.error)


# ------------------------------------------- signature components, no closed form

@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("sigma, mu", [("0.7", "0.25"),  # mu != 0: g1 is numeric too, not symmetric
                                       pytest.param("0.7", 0, marks=pytest.mark.slow),
                                       pytest.param("1.3", 0, marks=pytest.mark.slow)])
def test_moments_against_independent_quadrature(name, sigma, mu):
    phi, dphi, _, _ = ACTIVATIONS[name]
    sig = symsig.signature(name, sigma=sigma, mu=mu, dps=DPS, components=("m1", "g1", "g2", "m2"))
    references = {"m1": gaussian_reference(phi, sigma, mu, DPS),
                  "g1": gaussian_reference(dphi, sigma, mu, DPS),
                  "m2": gaussian_reference(lambda t: phi(t) ** 2, sigma, mu, DPS)}
    with mpmath.workdps(DPS + EXTRA):
        references["g2"] = mpmath.sqrt(gaussian_reference(lambda t: dphi(t) ** 2, sigma, mu, DPS))
    for component, reference in references.items():
        _agree(sig[component], reference, DPS)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_tail_area_C_against_its_definition(name):
    """C is checked against the integral of |phi - l|, not against -B (built from the same integrals)."""
    reference = tail_area_reference(name, DPS)
    with mpmath.workdps(DPS + EXTRA):  # the test's own quadrature against the closed form pi^2/6
        assert abs(reference - mpmath.pi ** 2 / 6) < mpmath.mpf(10) ** (-DPS - 10)
    q = symsig.signature(name, sigma="0.7", dps=DPS, components=("C",))["C"]
    _agree(q, reference, DPS)


# ---------------------------------------------------------------- quadrature paths

def test_integrate_reports_a_capped_level_as_convergence_error(monkeypatch):
    # |t - 1/3| has a kink the caller did not list: tanh-sinh converges only like h^2
    monkeypatch.setattr(quadrature, "MAX_DEGREE", 6)
    kinked = lambda t: [abs(t - mp.mpf(1) / 3), t * t]
    with workdps(30):
        with pytest.raises(ConvergenceError, match="did not converge to 30 digits"):
            quadrature.integrate(kinked, 2, [(0, 1)], dps=30)
        result = quadrature.integrate(kinked, 2, [(0, 1)], dps=30, strict=False)
        assert not result.converged
        assert result.failures[0] and result.failures[1] is None  # only the kinked component fails
        assert abs(result.values[1] - mp.mpf(1) / 3) < mp.mpf(10) ** -30


def test_expectation_of_an_oscillating_integrand_is_undefined_not_digits(monkeypatch):
    # cos(1/x) oscillates without end at 0: E exists, but the quadrature cannot resolve it
    monkeypatch.setattr(quadrature, "MAX_DEGREE", 6)
    q = symsig.expectation(sympy.cos(1 / x), dps=15)
    assert q.status == "undefined" and not q.is_finite
    assert "did not converge" in q.reason


def test_gaussian_quadrature_raises_divergence_error_on_a_heavy_tail():
    with workdps(15):
        with pytest.raises(DivergenceError, match="tail does not decay"):
            quadrature.gaussian_quadrature(lambda t: [mp.exp(t * t)], 1, 1, 0, 15)


def test_expectation_raises_divergence_error_through_the_public_api():
    # E = int e^{x^2/2} / log(2 + x^2) npdf = oo; the symbolic tail verdict does not decide it
    with pytest.raises(DivergenceError):
        symsig.expectation(sympy.exp(x ** 2 / 2) / sympy.log(2 + x ** 2), dps=15)


def test_a_finite_expectation_is_not_called_divergent():
    # E = (1/sqrt(2 pi)) int dx / (1 + x^2) = sqrt(pi/2): a refusal is allowed, "diverges" is false
    try:
        q = symsig.expectation(sympy.exp(x ** 2 / 2) / (1 + x ** 2), dps=15)
    except ConvergenceError:
        return
    assert abs(mpmath.mpf(q.value) - mpmath.sqrt(mpmath.pi / 2)) < 1e-14


# ---------------------------------------------------------------- numeric limits

@pytest.mark.parametrize("expr, direction, truth", [
    ((1 + 1 / x) ** x, 1, lambda: mpmath.e),
    ((1 + 1 / x) ** x, -1, lambda: mpmath.e),
    (sympy.atan(x), 1, lambda: mpmath.pi / 2),
    (x * sympy.log(1 + 1 / x), 1, lambda: mpmath.mpf(1)),
    (x * (sympy.sqrt(x ** 2 + 3) - x), 1, lambda: mpmath.mpf(3) / 2),
])
def test_numeric_limit_to_full_digits(expr, direction, truth):
    q = numeric_limit(expr, direction, 30)
    assert q.status == "numeric" and q.method == "numeric limit"
    with mpmath.workdps(60):
        exact = +truth()
        error = abs(mpmath.mpf(q.value) - exact)
        assert error <= mpmath.mpf(10) ** -30 * abs(exact)
        assert error <= mpmath.mpf(q.error)


def test_numeric_limit_failure_paths():
    oscillating = numeric_limit(sympy.sin(x), 1, 30)
    assert oscillating.status == "undefined" and "does not settle" in oscillating.reason
    growing = numeric_limit(x ** 2 / (1 + x), -1, 30)
    assert growing.status == "infinite" and growing.value < 0
    # growth seen in samples is not a proof, and says so (the certified tier refuses it)
    assert growing.proved is False and growing.as_dict()["proved"] is False
    from symsig.certified.regularity import _from_quantity
    from symsig.certified import NotCertified
    with pytest.raises(NotCertified, match="seen numerically"):
        _from_quantity(growing, "alpha_minus", 30)


def test_an_infinity_from_analysis_is_proved_and_survives_a_process_boundary():
    from symsig.sweep import pack, unpack
    s = symsig.signature("exp(x)", dps=15)
    assert s["alpha_plus"].status == "infinite" and s["alpha_plus"].proved
    assert "proved" not in s["alpha_plus"].as_dict()
    seen = Quantity.infinite(1, "numeric limit (growing)", 15, proved=False)
    row = Signature(s.activation, s.sigma, s.mu, 15, {"alpha_plus": seen})
    assert unpack(s.activation, pack(row), s.mu, 15)["alpha_plus"].proved is False


@pytest.mark.parametrize("expr, t, via_double", [
    (sympy.exp(x) * sympy.tanh(x), "3", True),
    (sympy.cos(x) - 1 + x**2 / 2, "0.001", False),  # 4e-14 from terms of size 1: a double keeps 2 digits
    (x * sympy.tanh(sympy.exp(x)) - x, "3.5", False),  # 2e-28: a double rounds it to 0
])
def test_stable_value_is_right_with_or_without_the_double_look(expr, t, via_double):
    from symsig.calculus import _against_double, stable_value
    from symsig.precision import lambdify_mpmath
    func = lambdify_mpmath(x, expr)
    with workdps(50):
        point = mp.mpf(t)
        assert (_against_double(func, point, mp.prec) is not None) is via_double
        value, error = stable_value(func, point, lambda v: 2 * mp.eps * abs(v))
        truth = sympy.N(expr.subs(x, sympy.Rational(t)), 80)
        with mpmath.workdps(80):
            exact = mpmath.mpf(str(truth))
            assert abs(mpmath.mpf(value) - exact) <= max(mpmath.mpf(error), abs(exact) * mpmath.mpf(10) ** -55)
            assert abs(mpmath.mpf(value) - exact) <= abs(exact) * mpmath.mpf(10) ** -50
