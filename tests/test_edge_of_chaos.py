"""The edge of chaos chi_1 = 1: given q*, given sigma_b^2 (the classic question) or given sigma_W^2.

Independent truths: plain mpmath.quad of E[phi(sZ)^2] and E[phi'(sZ)^2] on the activation written
directly in mpmath, and for erf the closed forms m2(s) = (2/pi) asin(2 s^2/(1 + 2 s^2)),
E[phi'(sZ)^2] = (4/pi)/sqrt(1 + 4 s^2) (kernels notes), evaluated at 100 digits.
"""

import mpmath
import pytest
import sympy

from symsig.errors import InputError, UndefinedError
from symsig.stability import edge_of_chaos


def _quad_moments(phi, dphi, q, dps):
    """``q`` is a string or a symsig value: it is read at ``dps`` digits, not at mpmath's default 15."""
    with mpmath.workdps(dps):
        s = mpmath.sqrt(mpmath.mpf(q))
        m2 = mpmath.quad(lambda z: phi(s * z) ** 2 * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf])
        chi = mpmath.quad(lambda z: dphi(s * z) ** 2 * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf])
        return m2, chi


def _erf_moments(q):
    q = mpmath.mpf(q)
    return 2 / mpmath.pi * mpmath.asin(2 * q / (1 + 2 * q)), 4 / mpmath.pi / mpmath.sqrt(1 + 4 * q)


def _close(value, truth, digits):
    return abs(mpmath.mpf(value) - truth) <= mpmath.mpf(10) ** (-digits) * abs(truth)


def test_given_bias_variance_is_on_the_edge():
    p, = edge_of_chaos("erf", sigma_b2="0.1", dps=15)
    with mpmath.workdps(100):
        m2, chi = _erf_moments(mpmath.mpf(p.q.value))
        assert abs(mpmath.mpf(p.sigma_w2.value) * chi - 1) < mpmath.mpf(10) ** -14      # chi_1 = 1
        q = mpmath.mpf(p.sigma_w2.value) * m2 + mpmath.mpf(1) / 10                     # F(q*) = q*
        assert _close(p.q.value, q, 14)
    assert str(p.sigma_b2) == "0.100000000000000"


def test_given_bias_variance_tanh_at_30_digits():
    p, = edge_of_chaos("tanh", sigma_b2="0.05", dps=30)
    m2, chi = _quad_moments(mpmath.tanh, lambda t: 1 / mpmath.cosh(t) ** 2, p.q.value, 50)
    with mpmath.workdps(50):
        assert abs(mpmath.mpf(p.sigma_w2.value) * chi - 1) < mpmath.mpf(10) ** -29
        assert _close(p.q.value, mpmath.mpf(p.sigma_w2.value) * m2 + mpmath.mpf(5) / 100, 29)


def test_given_weight_variance_is_the_converse():
    p, = edge_of_chaos("erf", sigma_w2=2, dps=20)
    with mpmath.workdps(100):
        m2, chi = _erf_moments(mpmath.mpf(p.q.value))
        assert abs(2 * chi - 1) < mpmath.mpf(10) ** -19
        assert _close(p.sigma_b2.value, mpmath.mpf(p.q.value) - 2 * m2, 18)


def test_small_q_keeps_its_digits():
    """Once 3.3e-47 for 1.33e-48 (erf) and a failure (tanh): q - m2/chi cancels like q^2."""
    p, = edge_of_chaos("erf", ["1e-16"], dps=20)
    with mpmath.workdps(100):
        m2, chi = _erf_moments(mpmath.mpf("1e-16"))
        assert _close(p.sigma_b2.value, mpmath.mpf("1e-16") - m2 / chi, 19)
    p, = edge_of_chaos("tanh", ["1e-10"], dps=20)
    m2, chi = _quad_moments(mpmath.tanh, lambda t: 1 / mpmath.cosh(t) ** 2, "1e-10", 80)
    with mpmath.workdps(80):
        assert _close(p.sigma_b2.value, mpmath.mpf("1e-10") - m2 / chi, 19)
        assert p.sigma_b2.error <= abs(p.sigma_b2.value) * mpmath.mpf(10) ** -20


@pytest.mark.slow
def test_tiny_bias_variance_is_found_far_below_one():
    p, = edge_of_chaos("tanh", sigma_b2="1e-30", dps=20)
    m2, chi = _quad_moments(mpmath.tanh, lambda t: 1 / mpmath.cosh(t) ** 2, p.q.value, 80)
    with mpmath.workdps(80):
        q = mpmath.mpf(p.q.value)
        assert abs(q - mpmath.cbrt(mpmath.mpf("0.75e-30"))) < q * mpmath.mpf("1e-9")  # B(q) ~ 4/3 q^3
        assert _close("1e-30", q - m2 / chi, 18)
        assert abs(mpmath.mpf(p.sigma_w2.value) * chi - 1) < mpmath.mpf(10) ** -19


def test_the_origin_and_the_degenerate_cases():
    p, = edge_of_chaos("erf", sigma_b2=0)  # q* = 0, sigma_W^2 = 1/erf'(0)^2 = pi/4
    assert (p.q.exact, p.sigma_w2.exact, p.sigma_b2.exact) == (0, sympy.pi / 4, 0)
    p, = edge_of_chaos("tanh", sigma_w2=1)
    assert p.q.exact == 0
    p, = edge_of_chaos("relu", sigma_b2=0)
    assert p.sigma_w2.exact == 2
    with pytest.raises(UndefinedError, match="no point of the edge of chaos"):
        edge_of_chaos("relu", sigma_b2="0.1")  # ReLU's edge is the line sigma_b^2 = 0
    with pytest.raises(InputError, match="exactly one"):
        edge_of_chaos("tanh", ["0.5"], sigma_b2="0.1")
    with pytest.raises(InputError, match="exactly one"):
        edge_of_chaos("tanh")
