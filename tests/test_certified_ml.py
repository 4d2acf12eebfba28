"""Certified Mittag-Leffler balls (symsig.certified.certified_mittag_leffler) against
closed forms evaluated by plain mpmath at high precision (no symsig code)."""

from decimal import Decimal
from fractions import Fraction

import mpmath
import pytest

pytest.importorskip("flint")

from symsig.certified import Ball, ComplexBall, NotCertified, certified_mittag_leffler  # noqa: E402
from symsig.mittag_leffler.numeric import mittag_leffler  # noqa: E402

TRUTH = mpmath.MPContext()
TRUTH.dps = 120
SERIES = mpmath.MPContext()  # mpmath's own series (nsum): 60 digits is 20 beyond the balls
SERIES.dps = 60


def _exact(v):
    """An mpmath number as exact Fractions (symsig's exact_number drops an mpf's sign:
    mpf.man_exp is the unsigned mantissa)."""
    def one(x):
        sign, man, exp, _ = TRUTH.mpf(x)._mpf_
        return (-1) ** sign * Fraction(man) * Fraction(2) ** exp
    v = TRUTH.mpmathify(v)
    return (one(v.real), one(v.imag)) if isinstance(v, TRUTH.mpc) else (one(v),)


def _holds(ball, value):
    parts = _parts(ball)
    exact = _exact(value)
    if len(parts) == 1 and len(exact) == 2:
        assert exact[1] == 0
        exact = exact[:1]
    return all(p.contains(e) for p, e in zip(parts, exact))


def _erfc_form(z):
    """E_{1/2,1}(z) = exp(z^2) erfc(-z)."""
    z = TRUTH.mpmathify(z)
    return TRUTH.exp(z * z) * TRUTH.erfc(-z)


def _parts(ball):
    return (ball.real, ball.imag) if isinstance(ball, ComplexBall) else (ball,)


def _rel_rad(ball, truth):
    return max(Fraction(Decimal(b.rad)) for b in _parts(ball)) / Fraction(abs(complex(truth)))


@pytest.mark.parametrize("z", [-50, 20j, 3 + 4j])
@pytest.mark.parametrize("method", ["auto", "series"])
def test_half_contains_exp_erfc(z, method):
    ball = certified_mittag_leffler("1/2", 1, z, dps=30, method=method)
    truth = _erfc_form(z)
    assert isinstance(ball, ComplexBall if isinstance(z, complex) else Ball)
    assert _holds(ball, truth)
    assert _rel_rad(ball, truth) < Fraction(1, 10**30)


@pytest.mark.parametrize("method", ["auto", "series"])
def test_exp_and_cos(method):
    for z in (1, -7, "2.5", 3 - 2j):
        assert _holds(certified_mittag_leffler(1, 1, z, dps=40, method=method), TRUTH.exp(TRUTH.mpmathify(z)))
    for t in (0.5, 3, 9):
        ball = certified_mittag_leffler(2, 1, -t * t, dps=40, method=method)
        assert _holds(ball, TRUTH.cos(t)) and Fraction(Decimal(ball.rad)) < Fraction(1, 10**40)


def test_other_closed_forms():
    # E_{2,2}(z^2) = sinh(z)/z, E_{1,2}(z) = (e^z - 1)/z, E_{0,b}(z) = 1/(Gamma(b)(1 - z))
    assert _holds(certified_mittag_leffler(2, 2, 9, dps=30), TRUTH.sinh(3) / 3)
    assert _holds(certified_mittag_leffler(1, 2, -4, dps=30), (TRUTH.exp(-4) - 1) / -4)
    assert _holds(certified_mittag_leffler(0, "1/3", "0.5", dps=30), 2 / TRUTH.gamma(TRUTH.mpf(1) / 3))


@pytest.mark.parametrize("a,b,z", [("1/3", 1, -4), ("3/2", "1/3", -2 + 1j), ("3/4", 1, -5), ("5/3", -2, 2 - 1j),
                                   ("1/4", "5/2", 1 + 2j), ("1/3", -1, "1.5"), ("2/5", "0.7", 6j)])
def test_hypergeometric_identity_matches_series(a, b, z):
    """The 1F_p sum (Gauss multiplication) and the plain series share no code but the input."""
    hyp = certified_mittag_leffler(a, b, z, dps=30, method="hypergeometric")
    series = certified_mittag_leffler(a, b, z, dps=30, method="series")
    for h, s in zip(_parts(hyp), _parts(series)):
        (h_lo, h_hi), (s_lo, s_hi) = h.interval, s.interval
        assert h_lo <= s_hi and s_lo <= h_hi
    # and both against mpmath's own series at 120 digits (independent of flint)
    a_, b_, z_ = (SERIES.mpmathify(Fraction(v) if isinstance(v, str) and "/" in v else v) for v in (a, b, z))
    truth = SERIES.nsum(lambda k: z_ ** k * SERIES.rgamma(a_ * k + b_), [0, SERIES.inf])
    assert _holds(hyp, truth) and _holds(series, truth)


def test_irrational_alpha_takes_the_series():
    import sympy
    ball = certified_mittag_leffler(sympy.sqrt(2) / 2, 1, -3, dps=30)
    assert ball.method.startswith("series")
    a = SERIES.sqrt(2) / 2
    assert _holds(ball, SERIES.nsum(lambda k: (-3) ** k * SERIES.rgamma(a * k + 1), [0, SERIES.inf]))


@pytest.mark.parametrize("z", [-50, 20j])
def test_one_unit_in_the_last_proven_digit_is_outside(z):
    ball = certified_mittag_leffler("1/2", 1, z, dps=30)
    part = ball if isinstance(ball, Ball) else ball.imag
    digits, unit = part.proven()
    assert part.contains(digits)
    assert not part.contains(Fraction(Decimal(digits)) + unit)
    assert not part.contains(Fraction(Decimal(digits)) - unit)


def test_refusals_give_the_reason():
    with pytest.raises(NotCertified, match="cancellation: the series terms reach 2\\^9.02e\\+06"):
        certified_mittag_leffler("1/4", 1, -50)
    with pytest.raises(NotCertified, match="beyond the caps of 65536 guard bits and 50000 terms"):
        certified_mittag_leffler("1/4", 1, 20j, method="series")
    with pytest.raises(NotCertified, match="lies outside the range"):
        certified_mittag_leffler(1, 1, -10**6)
    with pytest.raises(NotCertified, match="needs a rational alpha"):
        import sympy
        certified_mittag_leffler(sympy.sqrt(2), 1, 1, method="hypergeometric")


def test_ball_agrees_with_the_estimate_and_the_cli_prints_it(capsys):
    from symsig.cli import main
    ball = certified_mittag_leffler("0.5", 1, -50, dps=30)
    assert _holds(ball, _erfc_form(-50))
    assert ball.as_dict()["certified"] is True
    # the estimated (non-certified) value agrees with the ball to the 30 digits asked for
    estimate = _exact(mittag_leffler("0.5", 1, -50, dps=30).value)[0]
    assert abs(Fraction(Decimal(ball.mid)) - estimate) < Fraction(1, 10**31)
    assert main(["ml", "0.5", "1", "-50", "--dps", "30", "--certified"]) == 0
    assert f"[{ball.mid[:20]}" in capsys.readouterr().out
    assert main(["ml", "0.5", "1", "1", "--gamma", "2", "--certified"]) == 2
