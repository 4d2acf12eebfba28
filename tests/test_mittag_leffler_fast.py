"""Array input and the double-precision paths of mittag_leffler (symsig.mittag_leffler.fast).

Truths share no code with symsig: numpy/mpmath closed forms and a plain series summed here
with mpmath at a precision raised by the size of its largest term.
"""

import math

import mpmath
import numpy as np
import pytest

from symsig.errors import DomainError, InputError
from symsig.mittag_leffler import MLArrayResult, MLResult, mittag_leffler

RTOL = 1e-14


def plain_series(a, b, z, digits=30):
    """sum_k z^k / Gamma(a k + b) with the global-free mpmath context at enough digits."""
    ctx = mpmath.MPContext()
    radius = abs(z) ** (1 / a) if z else 0.0
    ctx.dps = digits + int(radius / math.log(10)) + 10
    a, b, z = ctx.mpf(a), ctx.mpf(b), ctx.mpc(z)
    total, power, k = ctx.mpf(0), ctx.mpf(1), 0
    while True:
        term = power * ctx.rgamma(a * k + b)
        total += term
        if a * k + b > radius + 10 and abs(term) < ctx.mpf(10) ** -(digits + 5) * abs(total):
            return complex(total)
        power *= z
        k += 1


def relative(values, truths):
    values, truths = np.asarray(values, complex), np.asarray(truths, complex)
    return np.abs(values - truths) / np.abs(truths)


def check(result, truths):
    """Every point within RTOL of the truth, and within its own error estimate (+ rounding)."""
    truths = np.asarray(truths, complex).ravel()
    err = np.abs(np.asarray(result.value, complex).ravel() - truths)
    assert (err <= RTOL * np.abs(truths)).all(), relative(result.value, truths).max()
    assert (err <= result.error.ravel() + 2.3e-16 * np.abs(truths)).all()


def test_exp_on_a_complex_grid():
    axis = np.linspace(-20, 20, 9)
    z = axis[:, None] + 1j * axis[None, :]
    r = mittag_leffler(1, 1, z, dps=15)
    assert isinstance(r, MLArrayResult) and r.value.shape == z.shape and r.value.dtype == complex
    check(r, [complex(mpmath.exp(complex(v))) for v in z.ravel()])


def test_cosh_sqrt_real_line():
    z = np.linspace(-60, 60, 25)
    r = mittag_leffler(2, 1, z, dps=15)
    assert r.value.dtype == np.float64
    ctx = mpmath.MPContext()
    ctx.dps = 40
    check(r, [complex(ctx.cosh(ctx.sqrt(ctx.mpc(v)))) for v in z])


def test_half_is_exp_square_erfc():
    z = np.array([-30, -7.5, -1, 0, 0.3, 2, 6, 3 + 4j, -5 + 2j, 1j * 4])
    r = mittag_leffler(0.5, 1, z, dps=15)
    ctx = mpmath.MPContext()
    ctx.dps = 40
    check(r, [complex(ctx.exp(ctx.mpc(v) ** 2) * ctx.erfc(-ctx.mpc(v))) for v in z])


@pytest.mark.parametrize("a, b", [(0.3, 1), (0.8, 0.7), (1.5, 1), (1.9, 0.7)])
def test_against_the_plain_series(a, b):
    z = np.array([-10, -3, -0.5, 0.9, 4, 2 + 3j, -6 + 1j, 5j, 1.5 - 2.5j])
    z = z[np.abs(z) ** (1 / a) <= 80]  # the truth's cost grows like e^(|z|^(1/a))
    r = mittag_leffler(a, b, z, dps=15)
    check(r, [plain_series(a, b, complex(v)) for v in z])


def test_poles_on_both_sides_of_the_parabola():
    # a = 1.9, z = 2+3j: one pole right of the parabola (residue added), one left of it
    # (not added); adding both once gave 3e-2 with a small error estimate
    r = mittag_leffler(1.9, 1, [2 + 3j, -2 + 3j, 1 - 5j], dps=15)
    assert "float contour" in r.method.tolist() or "float series" in r.method.tolist()
    check(r, [plain_series(1.9, 1, v) for v in (2 + 3j, -2 + 3j, 1 - 5j)])


def test_falls_back_where_doubles_cancel():
    # E_{0.8,0.7}(-3): the series cancels (terms ~e^3.9 against |E| ~ 0.02), the asymptotic
    # expansion is far from converged, the float contour is right to only ~3e-15 and its
    # estimate is above 1e-14: the point must go through mpmath and still be right
    r = mittag_leffler(0.8, 0.7, [-3.0, -0.5], dps=15)
    assert r.method.tolist() == ["series", "float series"]
    check(r, [plain_series(0.8, 0.7, -3), plain_series(0.8, 0.7, -0.5)])
    # the plain double-precision series at the same point loses ~3 digits
    naive = sum((-3.0) ** k / math.gamma(0.8 * k + 0.7) for k in range(120))
    assert relative([naive], [plain_series(0.8, 0.7, -3)])[0] > 1e-14


def test_large_arguments_overflow_honestly():
    r = mittag_leffler(0.5, 1, [800.0, -800.0], dps=15)
    assert math.isinf(r.value[0]) and math.isinf(r.error[0])
    assert abs(r.value[1] - 1 / (800 * math.sqrt(math.pi))) < 1e-5 * r.value[1]


def test_arrays_above_15_digits_and_prabhakar_use_mpmath():
    r = mittag_leffler("0.5", 1, [-1.0, 2.0], dps=30)
    assert r.value.dtype == object and r.method.tolist() == ["closed form", "closed form"]
    scalar = mittag_leffler("0.5", 1, -1.0, dps=30)
    assert r.value[0] == scalar.value and r.error[0] == scalar.error
    p = mittag_leffler("0.7", "1.9", [-4.0], gamma="0.45", dps=15)
    assert not p.method[0].startswith("float")
    assert abs(p.value[0] - 0.54793701283482226436) < 1e-14


def test_alpha_zero_closed_form_and_pole():
    z = np.array([-3.0, 0.5, 2.0])
    r = mittag_leffler(0, 2, z, dps=15)
    assert (r.method == "float closed form").all()
    check(r, 1 / (1 - z))
    with pytest.raises(DomainError):
        mittag_leffler(0, 1, [0.0, 1.0], dps=15)


def test_scalar_api_unchanged():
    r = mittag_leffler("0.5", 1, -10, dps=15)
    assert isinstance(r, MLResult) and r.method == "closed form"
    assert isinstance(r.value, mpmath.ctx_mp_python._mpf)


def test_input_checks():
    with pytest.raises(InputError):
        mittag_leffler(0.5, 1, ["0.1", "0.2"], dps=15)  # strings: exact decimals, one at a time
    with pytest.raises(DomainError):
        mittag_leffler(0.5, 1, np.array([1.0, np.inf]), dps=15)
    with pytest.raises(DomainError):
        mittag_leffler(-0.5, 1, [1.0], dps=15)
