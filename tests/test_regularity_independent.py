"""Numeric fixed points, C, TV(phi') and Lip checked to full digits by methods that share no symsig code.

Each reference is computed here with the global mpmath at 50 digits: Gaussian integrals and
areas by plain ``mpmath.quad``, fixed points by ``mpmath.findroot``, critical points of phi'
by a sign scan of phi'' (differentiated by SymPy) and ``mpmath.findroot``.  None of them
goes through symsig's quadrature, root finder, limits or closed forms.
"""

import mpmath
import pytest
import sympy

from symsig.activations import get_activation, x
from symsig.calculus import slopes
from symsig.regularity import areas, lipschitz, total_variation
from symsig.stability import derivative_range, lyapunov, variance_fixed_points

DIGITS = 30
REFERENCE_DIGITS = 50
SW, SB = "1.5", "0.05"


def _mp(name, order=0):
    """phi^(order) of a catalogue activation as a function of the global mpmath."""
    return sympy.lambdify(x, sympy.diff(get_activation(name).expr, x, order), "mpmath")


def _gaussian(f, s):
    """E[f(sZ)] by mpmath.quad on |z| <= 16 (the rest is below 1e-55 here), split at 0 and +-4."""
    return mpmath.quad(lambda z: f(s * z) * mpmath.npdf(z), [-16, -4, 0, 4, 16])


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "swish", "mish", "telu"])
def test_numeric_fixed_point_to_full_digits(name):
    result = variance_fixed_points(name, SW, SB, dps=DIGITS, q_max=10)
    point = result.points[0]
    phi, dphi = _mp(name), _mp(name, 1)
    with mpmath.workdps(REFERENCE_DIGITS):
        w, b = mpmath.mpf(3) / 2, mpmath.mpf(1) / 20
        q = mpmath.findroot(lambda q: w * _gaussian(lambda u: phi(u) ** 2, mpmath.sqrt(q)) + b - q,
                            mpmath.mpf(point.q.value), tol=mpmath.mpf(10) ** -45)
        chi1 = w * _gaussian(lambda u: dphi(u) ** 2, mpmath.sqrt(q))
        assert point.q.error < mpmath.mpf(10) ** -(DIGITS - 1) * q
        assert abs(point.q.value - q) <= point.q.error + mpmath.mpf(10) ** -45
        assert abs(point.chi1.value - chi1) <= point.chi1.error + mpmath.mpf(10) ** -45
        assert point.chi1.error < mpmath.mpf(10) ** -(DIGITS - 1) * chi1


# phi'(-oo), phi'(+oo), by hand: Swish, Mish and TeLU all tend to 0 on the left and to x on the right
ENDS = {"swish": (0, 1), "mish": (0, 1), "telu": (0, 1)}


def _slope_values(name):
    """phi' at -oo, at the sign changes of phi'' in [-20, 20] (findroot) and at +oo."""
    d1, d2 = _mp(name, 1), _mp(name, 2)
    grid = [mpmath.mpf(k) / 4 for k in range(-80, 81)]
    roots = [mpmath.findroot(d2, (a, b), solver="anderson") for a, b in zip(grid, grid[1:])
             if mpmath.sign(d2(a)) * mpmath.sign(d2(b)) < 0]
    low, high = ENDS[name]
    return [mpmath.mpf(low)] + [d1(r) for r in roots] + [mpmath.mpf(high)]


@pytest.mark.parametrize("name", sorted(ENDS))
def test_tv_and_lipschitz_to_full_digits(name):
    phi = get_activation(name).expr
    tv, lip = total_variation(phi, DIGITS), lipschitz(phi, DIGITS)
    with mpmath.workdps(REFERENCE_DIGITS):
        values = _slope_values(name)
        assert len(values) == 4  # two critical points of phi': a minimum below 0, a maximum above 1
        ref_tv = sum(abs(b - a) for a, b in zip(values, values[1:]))
        ref_lip = max(abs(v) for v in values)
        for got, ref in ((tv, ref_tv), (lip, ref_lip)):
            assert got.error < mpmath.mpf(10) ** -DIGITS * ref
            assert abs(got.value - ref) <= got.error + mpmath.mpf(10) ** -45
        low, high, _ = derivative_range(phi, DIGITS)  # the same sup |phi'| as lipschitz
        assert abs(mpmath.mpf(sympy.N(high, 45)) - ref_lip) < mpmath.mpf(10) ** -DIGITS
        assert abs(mpmath.mpf(sympy.N(low, 45)) - min(values)) < mpmath.mpf(10) ** -DIGITS


@pytest.mark.parametrize("name", ["mish", "telu"])
def test_area_c_to_full_digits(name):
    # alpha+ = 1, alpha- = 0: C = integral of |phi| on x < 0 plus |phi - x| on x > 0 (no closed form)
    phi = get_activation(name).expr
    c, _ = areas(phi, *slopes(phi, DIGITS), dps=DIGITS)
    f = _mp(name)
    with mpmath.workdps(REFERENCE_DIGITS):
        ref = (mpmath.quad(lambda t: abs(f(t)), [-mpmath.inf, -8, -1, 0])
               + mpmath.quad(lambda t: abs(f(t) - t), [0, 1, 2, 4, 8, 32, 128]))  # beyond: < 1e-100
        assert c.error < mpmath.mpf(10) ** -DIGITS * ref
        assert abs(c.value - ref) <= c.error + mpmath.mpf(10) ** -45


def test_lipschitz_of_tanh_is_one_in_both_engines():
    # tanh' = 1 - tanh^2 <= 1 with the maximum at 0: stability and regularity read one list
    tanh = sympy.tanh(x)
    assert lipschitz(tanh, 20).exact == 1 and derivative_range(tanh) == (0, 1, derivative_range(tanh)[2])
    assert lyapunov("tanh", "1/2").lipschitz == 1


@pytest.mark.slow  # ~45 s of CPU: 2000 evaluations of a Mittag-Leffler ratio and its derivatives
def test_gated_tanh_has_the_regularity_of_tanh():
    # x E_{2,2}(x^2) / E_{2,1}(x^2) = tanh x: Lip = 1 (was a crash in lipschitz and ConvergenceError in
    # derivative_range), TV(phi') = 2, range of phi' = [0, 1]
    from symsig.mittag_leffler.gated import preset
    phi = preset("tanh").subs(sympy.Symbol("x", real=True), x)
    assert abs(lipschitz(phi, 20).value - 1) < 1e-20
    low, high, _ = derivative_range(phi, 20)
    assert abs(float(low)) < 1e-20 and abs(float(high) - 1) < 1e-20
    assert abs(total_variation(phi, 20).value - 2) < 1e-20



def test_sign_changes_when_every_root_is_known():
    """Roots known exactly skip the scan; the signs between them decide.  Truths: a double root
    is no sign change; tanh(x)^2 = 1/4 at x = +-log(3)/2; sin x = 1/2 (not injective) has six
    roots in (-10, 10), where solve names only two."""
    from symsig.regularity import _critical_points
    assert _critical_points((x - 1)**2 * (x + 2), -sympy.oo, sympy.oo, DIGITS) == ((-2,), True)
    points, exact = _critical_points(sympy.tanh(x)**2 - sympy.Rational(1, 4), -sympy.oo, sympy.oo, DIGITS)
    assert exact and [sympy.simplify((p - s * sympy.log(3) / 2).rewrite(sympy.log)) for p, s in zip(points, (-1, 1))] == [0, 0]
    points, _ = _critical_points(sympy.sin(x) - sympy.Rational(1, 2), -10, 10, DIGITS)
    expected = sorted(float(r + 2 * k * sympy.pi) for r in (sympy.pi / 6, 5 * sympy.pi / 6) for k in (-1, 0, 1))
    assert [round(float(p), 12) for p in points] == [round(r, 12) for r in expected]


def test_tv_through_a_double_root():
    """phi'' = x^2 exp(-x^2) >= 0: phi' is monotone and TV(phi') = sqrt(pi)/2 (closed form)."""
    phi = sympy.sqrt(sympy.pi) / 4 * (x * sympy.erf(x) + sympy.exp(-x**2) / sympy.sqrt(sympy.pi)) + sympy.exp(-x**2) / 4
    assert sympy.simplify(sympy.diff(phi, x, 2) - x**2 * sympy.exp(-x**2)) == 0
    got = total_variation(phi, dps=DIGITS)
    with mpmath.workdps(REFERENCE_DIGITS):
        assert abs(mpmath.mpf(got.value) - mpmath.sqrt(mpmath.pi) / 2) < mpmath.mpf(10) ** -DIGITS


def test_roots_of_a_cubic_in_tanh():
    """phi = e^x tanh x: phi'' = e^x (2 (tanh^2 - 1) tanh - 2 tanh^2 + tanh + 2), a cubic in
    tanh x with one real root u (2u^3 - 2u^2 - u + 2 = 0, |u| < 1), so one critical point of
    phi' at atanh(u); checked against mpmath.findroot on phi'' (solve took 90 s here)."""
    from symsig.regularity import _critical_points
    d2 = sympy.diff(sympy.exp(x) * sympy.tanh(x), x, 2)
    (point,), exact = _critical_points(d2, -sympy.oo, sympy.oo, DIGITS)
    with mpmath.workdps(REFERENCE_DIGITS):
        u = mpmath.findroot(lambda t: 2 * t**3 - 2 * t**2 - t + 2, -0.8)
        reference = mpmath.findroot(sympy.lambdify(x, d2, "mpmath"), mpmath.atanh(u))
        assert exact and abs(sympy.N(point, REFERENCE_DIGITS) - sympy.Float(reference, REFERENCE_DIGITS)) < 1e-40
