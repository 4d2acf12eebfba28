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


def test_wide_series_where_doubles_cancel():
    # E_{0.8,0.7}(-3): the double series cancels (terms ~e^3.9 against |E| ~ 0.004), the
    # asymptotic expansion is far from converged, the float contour's estimate is above
    # 1e-14; E_{1.5,0.7}(-50): terms ~e^13.6 against |E| ~ 5e-5.  The series in integers
    # keeps every digit
    z = [-3.0, -0.5, -50.0, -7.575757575757576 + 6.969696969696969j]
    ab = [(0.8, 0.7), (0.8, 0.7), (1.5, 0.7), (0.8, 0.7)]
    for (a, b), v in zip(ab, z):
        r = mittag_leffler(a, b, [v], dps=15)
        assert r.method[0] == ("float series" if v == -0.5 else "float wide series")
        check(r, [plain_series(a, b, v)])
    # the plain double-precision series at -3 loses ~3 digits
    naive = sum((-3.0) ** k / math.gamma(0.8 * k + 0.7) for k in range(120))
    assert relative([naive], [plain_series(0.8, 0.7, -3)])[0] > 1e-14


def closed_form(a, b, v, ctx):
    """E_{a,b}(v) by elementary functions at the context's precision (v a double)."""
    z = ctx.mpc(v)
    if (a, b) == (1, 1):
        return ctx.exp(z)
    if (a, b) == (1, 2):
        return ctx.expm1(z) / z if z else ctx.mpf(1)
    if (a, b) == (2, 1):
        return ctx.cosh(ctx.sqrt(z))
    if (a, b) == (2, 2):
        return ctx.sinh(ctx.sqrt(z)) / ctx.sqrt(z) if z else ctx.mpf(1)
    return ctx.exp(z ** 2) * ctx.erfc(-z)  # a = 1/2, b = 1


def test_every_float_path_against_closed_forms():
    # E_{1,1} = exp, E_{1,2} = (e^z - 1)/z, E_{2,1}(z) = cosh sqrt z, E_{2,2}(z) = sinh sqrt z / sqrt z,
    # E_{1/2,1}(z) = e^(z^2) erfc(-z), on a complex grid and the real line (real z: the
    # mirrored contour); every point a float path accepts is within 1e-14 and its estimate
    ctx = mpmath.MPContext()
    ctx.dps = 40
    axis = np.linspace(-40, 40, 17)
    grid = np.concatenate([(axis[:, None] + 1j * axis[None, :]).ravel(), np.linspace(-60, 60, 31) + 0j])
    seen = set()
    for a, b in [(1, 1), (1, 2), (2, 1), (2, 2), (0.5, 1)]:
        points = grid[np.abs(grid) < (26 if a == 0.5 else 100)]  # e^(z^2) overflows beyond
        for z in (points, points.real[points.imag == 0]):
            r = mittag_leffler(a, b, z, dps=15)
            fast = np.array([m.startswith("float") for m in r.method])
            seen.update((m, np.isrealobj(z)) for m in r.method[fast])
            check_rows = np.flatnonzero(fast)
            truths = [complex(closed_form(a, b, complex(z[i]), ctx)) for i in check_rows]
            sub = MLArrayResult(r.value[check_rows], r.method[check_rows], r.error[check_rows], 15)
            check(sub, truths)
    for path in ("float series", "float asymptotic", "float contour", "float wide series"):
        assert (path, False) in seen and (path, True) in seen, path


def test_a_point_alone_equals_the_same_point_in_an_array():
    # every path works point by point: the other points of an array (their term counts,
    # node sets, the node cache) change no bit of a value or an error
    z = np.array([-3.0, -0.5, 4.0, -50.0, 2 + 3j, -6 + 1j, -7.5 + 6.9j, 9.0, -10 - 9j, 0.3j])
    for a, b in [(0.8, 0.7), (1.5, 0.7), (0.3, 1)]:
        together = mittag_leffler(a, b, z, dps=15)
        assert len(set(together.method.tolist())) >= 3
        for i, v in enumerate(z):
            alone = mittag_leffler(a, b, [v], dps=15)
            assert alone.method[0] == together.method[i]
            assert alone.value[0] == together.value[i] and alone.error[0] == together.error[i]


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
