"""symsig.stability is total: every odd input gets a correct result or a typed SymsigError (issue 10)."""

import mpmath
import pytest
import sympy

from symsig.errors import ConvergenceError, DivergenceError, DomainError, LimitError, UndefinedError
from symsig.stability import derivative_range, edge_of_chaos, kernel_bound, lyapunov, variance_fixed_points

ONE_TENTH = sympy.Rational(1, 10)


@pytest.mark.parametrize("phi, c", [("Max(tanh(-1), -1)", -sympy.tanh(1)), ("(pi)**-1", 1 / sympy.pi),
                                    ("pi**-1 + softplus(relu(1e-3))",
                                     1 / sympy.pi + sympy.log(1 + sympy.exp(sympy.Rational(1, 1000))))])
def test_constant_activation_has_the_exact_fixed_point(phi, c):
    # phi = c: F(q) = sigma_w2 c^2 + sigma_b2 for every q (was NotImplementedError from real_roots)
    r = variance_fixed_points(phi, sigma_w2="3/2", sigma_b2="0.1", dps=15)
    (point,) = r.points
    assert r.exact and sympy.simplify(point.q.exact - (sympy.Rational(3, 2) * c**2 + ONE_TENTH)) == 0
    assert point.slope.value == 0 and point.chi1.value == 0


def test_relu_plus_one_irrational_coefficients():
    # m2(s) = s^2/2 + 2 s / sqrt(2 pi) + 1 (by hand); the fixed point solves q = m2(sqrt q) + 1/10
    (point,) = variance_fixed_points("relu(x) + 1", "1", "0.1", dps=30).points
    with mpmath.workdps(40):
        q = mpmath.findroot(lambda q: q / 2 + 2 * mpmath.sqrt(q / (2 * mpmath.pi)) + mpmath.mpf(11) / 10 - q, 5)
        assert abs(point.q.value - q) < mpmath.mpf(10) ** -28 * q


def test_identity_fixed_points():
    # F(q) = sigma_w2 q + sigma_b2
    assert [p.q.exact for p in variance_fixed_points("x", "1/2", "0.1").points] == [sympy.Rational(1, 5)]
    assert variance_fixed_points("x", 1, 0).every_q_fixed
    assert [p.q.exact for p in variance_fixed_points("x", 2, 0).points] == [0]
    assert variance_fixed_points("x", 2, "0.1").points == []


@pytest.mark.parametrize("dps, error", [(0, DomainError), (10**6, LimitError)])
def test_exact_path_checks_dps(dps, error):
    with pytest.raises(error):
        variance_fixed_points("relu", 2, "0.1", dps=dps)


def test_complex_activation_is_a_domain_error():
    with pytest.raises(DomainError, match="complex"):
        variance_fixed_points("log(x)", sigma_w2="1e8", sigma_b2="0.1", dps=15)


def test_pole_makes_the_variance_map_infinite():
    r = variance_fixed_points("1/x", "1", "0.1", dps=15)
    assert r.points == [] and "+oo" in r.reason


def test_heavy_tail_fixed_points_below_the_divergence():
    # E[exp(2 s^2 Z^2)] = 1/sqrt(1 - 4 s^2) for s^2 < 1/4, +oo beyond: q = w / sqrt(1 - 4 q)
    r = variance_fixed_points("exp(x**2)", "0.01", "0", dps=10, q_max=1)
    with mpmath.workdps(30):
        truth = [mpmath.findroot(lambda q: mpmath.mpf("0.01") / mpmath.sqrt(1 - 4 * q) - q, bracket, solver="anderson")
                 for bracket in ((mpmath.mpf("0.01"), mpmath.mpf("0.02")), (mpmath.mpf("0.2"), mpmath.mpf("0.2499")))]
    assert len(r.points) == 2
    for p, q in zip(r.points, truth):
        assert abs(p.q.value - q) < 1e-8 * q
    assert any(note.startswith("F(q) = +oo for q >= 0.25") for note in r.notes)  # m2 = +oo from q = 1/4


def test_root_beyond_q_max_is_not_reported_as_none():
    # tanh: F(q) - q = 20000 + m2 - q > 0 on [0, 10^4] but -> -oo: the fixed point q ~ 20001 lies beyond q_max
    r = variance_fixed_points("tanh", "1", "20000", dps=10)
    assert r.points == [] and "beyond q_max" in r.reason


def test_edge_of_chaos_odd_inputs():
    assert edge_of_chaos("3", [1, "0.5"], dps=15) == []  # E[phi'^2] = 0: no sigma_w2 gives chi_1 = 1
    p, = edge_of_chaos("x", ["1/2"], dps=15)  # chi = 1: sigma_w2 = 1, sigma_b2 = q - q = 0
    assert (p.q.exact, p.sigma_w2.exact, p.sigma_b2.exact) == (sympy.Rational(1, 2), 1, 0)
    with pytest.raises(DomainError, match="q"):
        edge_of_chaos("tanh", [-1])


def test_kernel_bound_odd_inputs():
    with pytest.raises(UndefinedError):
        kernel_bound("3")
    with pytest.raises(DivergenceError):
        kernel_bound("1/x", dps=15)
    with pytest.raises(DomainError):
        kernel_bound("relu", points=1)
    with pytest.raises(DomainError):
        kernel_bound("relu", "1+2j", 3)


def test_derivative_range_odd_inputs():
    assert derivative_range("1/x")[0] == -sympy.oo  # phi' = -1/x^2
    assert derivative_range("Heaviside(x)")[1] == sympy.oo  # a Dirac mass in phi'
    assert derivative_range("sin(x)")[:2] == (-1, 1)  # cos has no limit at +-oo: one period decides
    with pytest.raises(ConvergenceError):
        derivative_range("sin(x) + tanh(x)")  # neither a limit nor a period at +-oo
    # a jump is not Lipschitz: no contraction certificate (was rate 0)
    assert not lyapunov("Heaviside(x)").contraction["holds"]
    with pytest.raises(DomainError):
        lyapunov("relu", "1+2j")
    with pytest.raises(DomainError):
        derivative_range("log(x)")
