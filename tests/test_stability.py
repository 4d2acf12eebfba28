"""Variance map, Lyapunov constants, kernel bound: against the notes' table, hand algebra and mpmath.quad."""

import mpmath
import pytest
import sympy

from symsig.activations import get_activation, x
from symsig.errors import DomainError, UndefinedError
from symsig.stability import edge_of_chaos, kernel_bound, lyapunov, variance_fixed_points

PAIRS = [("1.0", "0.1"), ("1.5", "0.05"), ("2.0", "0.1")]

# /work/shared/notes/signature-theory.md section 5.3, printed to 5 decimals: q* / F'(q*) / chi_1.
# None: no finite fixed point.  An independent source (the notes' own 30-digit computation).
NOTES_TABLE = {
    "relu": [(0.2, 0.5, 0.5), (0.2, 0.75, 0.75), None],
    "leaky_relu": [(0.20002, 0.50005, 0.50005), (0.20006, 0.75008, 0.75008), None],
    "tanh": [(0.29499, 0.45649, 0.68884), (0.41804, 0.55198, 0.93864), (0.81464, 0.43831, 1.00301)],
    "sigmoid": [(0.36968, 0.04574, 0.05363), (0.46056, 0.06436, 0.07803), (0.66374, 0.07529, 0.09781)],
    "swish": [(0.13759, 0.29407, 0.28031), (0.08290, 0.41727, 0.40373), (0.23473, 0.63641, 0.59558)],
    "gelu": [(0.14396, 0.34994, 0.32106), (0.08768, 0.47751, 0.44620), (0.34083, 0.83677, 0.75635)],
    "mish": [(0.16445, 0.41679, 0.40373), (0.11810, 0.60708, 0.59057), (1.21868, 0.98279, 0.97298)],
    "telu": [(0.22952, 0.54541, 0.58391), (0.30748, 0.80384, 0.87130), None],
}
# The notes print 5 decimals; one unit in the last place is allowed because the notes' Swish
# q* at (1.5, 0.05) is 0.08290 where the value 0.0828946... rounds to 0.08289.
TOLERANCE = 1.0e-5


def _stable_point(result):
    """The notes tabulate the stable fixed point (the smallest q*)."""
    return result.points[0]


# the exact ones and tanh in the default run: test_regularity_independent checks the other numeric
# fixed points to 30 digits
@pytest.mark.parametrize("name", [n if n in ("relu", "leaky_relu", "tanh") else pytest.param(n, marks=pytest.mark.slow)
                                  for n in sorted(NOTES_TABLE)])
def test_fixed_point_table_of_the_notes(name):
    for (sw, sb), printed in zip(PAIRS, NOTES_TABLE[name]):
        result = variance_fixed_points(name, sw, sb, dps=10)
        if printed is None:
            assert result.points == [] and result.reason
            continue
        point = _stable_point(result)
        assert point.stable
        for quantity, value in zip((point.q, point.slope, point.chi1), printed):
            assert abs(float(quantity.value) - value) <= TOLERANCE, (name, sw, sb, quantity, value)
            assert quantity.error < 1e-9


@pytest.mark.slow  # the same code at two precisions; test_regularity_independent checks 30 digits
@pytest.mark.parametrize("name", ["tanh", "sigmoid", "swish", "mish", "telu"])
def test_fixed_points_agree_at_two_precisions(name):
    for sw, sb in PAIRS:
        low, high = (variance_fixed_points(name, sw, sb, dps=d) for d in (10, 25))
        assert len(low.points) == len(high.points)
        for a, b in zip(low.points, high.points):
            assert b.q.error < mpmath.mpf(10) ** -24
            with mpmath.workdps(40):
                assert abs(a.q.value - b.q.value) <= a.q.error + b.q.error
                assert abs(a.chi1.value - b.chi1.value) <= a.chi1.error + b.chi1.error


@pytest.mark.parametrize("sw, sb", [("1", "0.1"), ("1.5", "0.05"), ("0.3", "2"), ("1.99", "0.01")])
def test_relu_fixed_point_is_exact(sw, sb):
    result = variance_fixed_points("relu", sw, sb)
    w, b = sympy.Rational(sw), sympy.Rational(sb)
    assert result.exact and len(result.points) == 1
    point = result.points[0]
    assert point.q.exact == b / (1 - w / 2)
    assert point.slope.exact == point.chi1.exact == w / 2  # He initialisation (w = 2) is critical


def test_relu_critical_and_supercritical_lines():
    critical = variance_fixed_points("relu", 2, 0)
    assert critical.every_q_fixed and critical.points == []
    # sigma_W^2 > 2 without bias: only q* = 0, and it is unstable with slope sigma_W^2 / 2
    (zero,) = variance_fixed_points("relu", 3, 0).points
    assert zero.q.exact == 0 and zero.slope.exact == sympy.Rational(3, 2) and not zero.stable


def test_no_finite_fixed_point_for_relu_and_leaky_under_he_with_bias_is_exact():
    for name in ("relu", "leaky_relu"):
        result = variance_fixed_points(name, "2.0", "0.1")
        assert result.exact and result.points == [] and "no root" in result.reason


def _m2_quad(name, s, dps=30):
    """E[phi(sZ)^2] by mpmath.quad split at 0, on |z| <= 13 (tail < 1e-37): independent of symsig."""
    f = sympy.lambdify(x, get_activation(name).expr ** 2, "mpmath")
    with mpmath.workdps(dps):
        return mpmath.quad(lambda z: f(s * z) * mpmath.npdf(z), [-13, -5, -1, 0, 1, 5, 13])


def test_telu_has_no_fixed_point_under_he_with_bias_numeric_evidence():
    result = variance_fixed_points("telu", "2.0", "0.1", dps=10)
    assert not result.exact and result.points == []
    assert "numeric evidence, not a proof" in result.reason
    # the notes' reason: m2(s) > s^2/2, e.g. m2(2) = 2.0286, so F(q) - q >= sigma_b^2 > 0
    assert abs(_m2_quad("telu", 2) - mpmath.mpf("2.0286")) < 1e-4
    for s in ("0.1", "1", "3", "10", "30"):
        assert _m2_quad("telu", mpmath.mpf(s)) > mpmath.mpf(s) ** 2 / 2


@pytest.mark.parametrize("name, printed", [("swish", 675.16), ("gelu", 11.298), ("mish", 4.7471)])
def test_second_unstable_fixed_point_at_he_with_bias(name, printed):
    result = variance_fixed_points(name, "2.0", "0.1", dps=10)
    assert len(result.points) == 2
    upper = result.points[1]
    assert not upper.stable and upper.slope.value > 1
    q = upper.q.value
    assert abs(float(q) - printed) < 1e-4 * printed
    # independent confirmation: G(q) = 2 m2(sqrt q) + 0.1 - q changes sign across the root (mpmath.quad)
    with mpmath.workdps(30):
        g = lambda v: 2 * _m2_quad(name, mpmath.sqrt(v)) + mpmath.mpf("0.1") - v
        assert g(q * (1 - mpmath.mpf(10) ** -4)) < 0 < g(q * (1 + mpmath.mpf(10) ** -4))


def test_gelu_second_root_from_the_notes_closed_form_of_m2():
    # notes 4.2: m2(s) = s^2/4 + s^2 asin(s^2/(1+s^2))/(2 pi) + s^4/(pi (1+s^2) sqrt(1+2s^2))
    with mpmath.workdps(30):
        def m2(q):
            return (q / 4 + q * mpmath.asin(q / (1 + q)) / (2 * mpmath.pi)
                    + q**2 / (mpmath.pi * (1 + q) * mpmath.sqrt(1 + 2 * q)))
        roots = [mpmath.findroot(lambda q: 2 * m2(q) + mpmath.mpf("0.1") - q, start) for start in (0.3, 11)]
        result = variance_fixed_points("gelu", "2.0", "0.1", dps=20)
        for root, point in zip(roots, result.points):
            assert abs(point.q.value - root) < mpmath.mpf(10) ** -18 * root


def test_edge_of_chaos():
    for p in edge_of_chaos("relu", ["0.5", 2], dps=15):
        # ReLU: the critical line is sigma_b^2 = 0, sigma_W^2 = 2, exactly
        assert (p.sigma_w2.exact, p.sigma_b2.exact) == (2, 0)
    p, = edge_of_chaos("tanh", ["0.5"], dps=12)
    point = variance_fixed_points("tanh", sympy.Float(p.sigma_w2.value, 15), sympy.Float(p.sigma_b2.value, 15),
                                  dps=12).points[0]
    assert abs(point.q.value - 0.5) < 1e-10 and abs(point.chi1.value - 1) < 1e-10


def test_lyapunov_constants_by_hand():
    r = lyapunov("relu", "0.5")
    assert (r.contraction["rate"], r.contraction["descent"], r.primitive["descent"]) == (
        sympy.Rational(1, 2), sympy.Rational(3, 4), sympy.Rational(1, 2))
    # sigmoid: Lip = 1/4, so a = 2 contracts at rate 1/2; inf(a phi') = 0 gives beta = 1
    s = lyapunov("sigmoid", 2)
    assert abs(float(s.lipschitz) - 0.25) < 1e-12 and abs(float(s.contraction["rate"]) - 0.5) < 1e-12
    assert abs(float(s.primitive["descent"]) - 0.5) < 1e-12
    # leaky ReLU with a = -1: L = 1 (no contraction) and inf(a phi') = -1, beta = 2 (no descent)
    leaky = lyapunov("leaky_relu", -1)
    assert not leaky.contraction["holds"] and not leaky.primitive["holds"]
    # GELU: Lip(phi) = 1.128904145 (notes 4.1), at the peak x = sqrt 2 of phi' = Phi(x) + x npdf(x)
    gelu = lyapunov("gelu", "0.5")
    peak = mpmath.ncdf(mpmath.sqrt(2)) + mpmath.sqrt(2) * mpmath.npdf(mpmath.sqrt(2))
    assert abs(float(gelu.lipschitz) - float(peak)) < 1e-12 and gelu.contraction["holds"]
    # phi' unbounded: not Lipschitz, both certificates fail with the reason
    square = lyapunov("relu_pow", "0.1")
    assert not square.contraction["holds"] and "not Lipschitz" in square.contraction["reason"]


def test_relu_kernel_bound_constants_are_exact():
    # E[phi'(sZ)^2 Z^2] = 1/2 = E[phi'(sZ)^2] for every s: C_rms = (1/2)/(1/2) = 1, C_ms = (1/2)/(1/4) = 2
    kb = kernel_bound("relu", dps=15)
    assert abs(kb.rms.value - 1) < 1e-14 and abs(kb.mean_square.value - 2) < 1e-14
    assert kb.at_endpoint == {"rms": False, "mean_square": False}  # flat in sigma: no endpoint effect


def test_tanh_kernel_bound_sits_at_the_small_sigma_end():
    kb = kernel_bound("tanh", "0.02", "0.5", points=7, dps=12)
    assert kb.at_endpoint["rms"] and abs(kb.argmax_rms - mpmath.mpf("0.02")) < 1e-12
    with mpmath.workdps(30):  # A/G at sigma = 0.02 by mpmath.quad
        d = sympy.lambdify(x, sympy.diff(sympy.tanh(x), x) ** 2, "mpmath")
        s = mpmath.mpf("0.02")
        a = mpmath.quad(lambda z: d(s * z) * z**2 * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf])
        g = mpmath.quad(lambda z: d(s * z) * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf])
        assert abs(kb.rms.value - a / g) < 1e-10 and abs(kb.mean_square.value - a / g**2) < 1e-9


def test_errors():
    with pytest.raises(DomainError):
        variance_fixed_points("relu", 0, "0.1")
    with pytest.raises(UndefinedError):
        variance_fixed_points("Heaviside(x)", 1, "0.1")
    with pytest.raises(DomainError):
        lyapunov("relu", 0)
    with pytest.raises(DomainError):
        kernel_bound("relu", 2, 1)


def test_tanh_without_bias_has_only_the_marginal_zero_fixed_point():
    # tanh(0) = 0 and tanh'(0) = 1: q* = 0 with F'(0) = 1 exactly; m2(s) < s^2 leaves no other root
    (point,) = variance_fixed_points("tanh", 1, 0, dps=10).points
    assert point.q.value == 0 and point.slope.value == 1 and point.verdict.startswith("marginal")


def test_elu_closed_form_of_m2_far_out_keeps_its_digits():
    # ELU's m2(s) holds exp(2 s^2) (1 - erf(sqrt(2) s)): evaluated as written it cancels every digit
    # near s = 5.65, where the scan used to see a spurious jump of F(q) - q to +oo
    result = variance_fixed_points("elu", "2.0", "0.1", dps=15)
    assert result.points == [] and result.complete
    assert not any("jumps" in note for note in result.notes)
    assert "c- = -1" in result.notes[0] and "kappa = alpha+ c+ - alpha- c- = 0" in result.notes[0]


@pytest.mark.parametrize("s", ["5.65", "10"])
def test_elu_statistics_far_out_against_quadrature(s):
    from symsig.precision import mp, workdps
    from symsig.stability import M2, _Stats
    stats = _Stats(get_activation("elu").expr)
    with workdps(30):
        value, error = stats.at(mp.mpf(s), 30, (M2,))[M2]
    with mpmath.workdps(40):
        reference = _m2_quad("elu", mpmath.mpf(s), dps=40)
        assert abs(mpmath.mpf(value) - reference) < 1e-27 * reference and mpmath.mpf(error) < 1e-27 * reference


@pytest.mark.parametrize("phi, sw, sb, sign", [("x + tanh(x)", "1", "0", 1), ("x - tanh(x)", "1", "0.1", -1)])
def test_critical_tail_sign_from_the_asymptote_offsets(phi, sw, sb, sign):
    # phi - x -> c+- = +-1 (x + tanh) or -+1 (x - tanh): F(q) - q ~ 2 kappa sqrt(q / (2 pi)), kappa = 2 c+
    result = variance_fixed_points(phi, sw, sb, dps=20)
    assert result.complete and f"kappa = alpha+ c+ - alpha- c- = {2 * sign}" in result.notes[0]
    if sign < 0:  # F(0) = 0.1 > 0 and F(q) - q -> -oo: exactly one crossing, checked by quadrature
        (point,) = result.points
        q = mpmath.mpf(point.q.value)
        assert abs(_m2_quad(phi, mpmath.sqrt(q)) + mpmath.mpf(sb) - q) < 1e-12
    else:
        assert [p.q.value for p in result.points] == [0]
