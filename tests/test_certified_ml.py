"""Certified Mittag-Leffler balls (symsig.certified.certified_mittag_leffler) against
closed forms evaluated by plain mpmath at high precision (no symsig code)."""

import json
from decimal import Decimal
from fractions import Fraction

import mpmath
import pytest

pytest.importorskip("flint")

from symsig.certified import Ball, ComplexBall, NotCertified, certified_mittag_leffler  # noqa: E402
from symsig.errors import InputError  # noqa: E402
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
    assert main(["ml", "1", "2", "1.5", "--gamma", "2", "--certified", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["certified"] is True and out["gamma"] == "2"
    assert Ball(out["mid"], out["rad"]).contains(_exact(TRUTH.exp(TRUTH.mpf("1.5")))[0])
    assert main(["ml", "0.25", "1", "-50", "--gamma", "2", "--certified"]) == 2


# ------------------------------------------------------------------ Prabhakar, gamma != 1

def _prabhakar_nsum(a, b, g, z, ctx=SERIES):
    """mpmath's own series (nsum) of sum_k (g)_k z^k / (k! Gamma(a k + b))."""
    return ctx.nsum(lambda k: ctx.rf(g, k) * z ** k / ctx.factorial(k) * ctx.rgamma(a * k + b), [0, ctx.inf])


def test_prabhakar_at_gamma_one_is_the_two_parameter_function():
    """The Prabhakar series code with g = 1 against the 1F_p sum (no shared code) and g = None."""
    import flint
    from symsig.certified.mittag_leffler import _ml_series
    for a, b, z in (("1/3", 1, -4), ("3/2", "1/3", -2 + 1j), ("2/5", "0.7", 6j)):
        hyp = certified_mittag_leffler(a, b, z, dps=30, method="hypergeometric")
        p, q = (int(v) for v in a.split("/"))
        bb = Fraction(b) if isinstance(b, str) and "/" in b else Fraction(Decimal(str(b)))
        saved, flint.ctx.prec = flint.ctx.prec, 200
        try:
            zz = flint.acb(z.real, z.imag) if isinstance(z, complex) else flint.acb(z)
            b_arb = flint.arb(flint.fmpq(bb.numerator, bb.denominator))
            a_arb = flint.arb(flint.fmpq(p, q))
            with_g, _ = _ml_series(a_arb, b_arb, zz, None, 200, flint.arb(1))
            plain, _ = _ml_series(a_arb, b_arb, zz, None, 200)
        finally:
            flint.ctx.prec = saved
        for value in (with_g, plain):
            for part, ball in ((value.real, _parts(hyp)[0]), (value.imag, _parts(hyp)[-1])):
                if part.mid() == 0 and part.rad() == 0:
                    continue
                lo, hi = ball.interval
                assert Fraction(str(part.lower().str(40, radius=False))) <= hi + Fraction(1, 10**35)
                assert Fraction(str(part.upper().str(40, radius=False))) >= lo - Fraction(1, 10**35)
    assert str(certified_mittag_leffler("1/2", 1, -3, gamma="1.0")) == str(certified_mittag_leffler("1/2", 1, -3))


@pytest.mark.parametrize("g", ["0.3", "1/2", 2, "2.5", 7])
@pytest.mark.parametrize("z", [-20, 7, 2 + 3j])
def test_prabhakar_alpha_one_is_kummer(g, z):
    """E^g_{1,1}(z) = 1F1(g; 1; z) (the coefficients agree: (g)_k / (k! k!)), mpmath at 120 digits."""
    g_ = TRUTH.mpf(Fraction(g).numerator) / Fraction(g).denominator
    ball = certified_mittag_leffler(1, 1, z, dps=40, gamma=g)
    assert ball.method.startswith("series")
    truth = TRUTH.hyp1f1(g_, 1, TRUTH.mpmathify(z))
    assert _holds(ball, truth)
    assert _rel_rad(ball, truth) < Fraction(1, 10**40)


@pytest.mark.parametrize("z", [-30, "1.5", 4 - 2j])
def test_prabhakar_e2_12_is_exp(z):
    """E^2_{1,2}(z) = sum (k+1)! z^k / (k! (k+1)!) = exp(z)."""
    ball = certified_mittag_leffler(1, 2, z, dps=40, gamma=2)
    assert _holds(ball, TRUTH.exp(TRUTH.mpmathify(z if not isinstance(z, str) else TRUTH.mpf(z))))


@pytest.mark.parametrize("z", [-50, -3, 1 + 2j, 20j])
def test_prabhakar_e2_half(z):
    """(2)_k / k! = k + 1 gives E^2_{a,b} = (E_{a,b-1} + (1 + a - b) E_{a,b}) / a, and
    E_{1/2,0}(z) = z E'_{1/2,1}(z) / (1/2) with E_{1/2,1}(z) = exp(z^2) erfc(-z), so
    E^2_{1/2,1}(z) = (2 z^2 + 1) exp(z^2) erfc(-z) + 2 z / sqrt(pi)."""
    w = TRUTH.mpmathify(z)
    truth = (2 * w * w + 1) * _erfc_form(z) + 2 * w / TRUTH.sqrt(TRUTH.pi)
    if abs(w) < 5:  # the identity itself, against mpmath's series
        assert abs(truth - _prabhakar_nsum(TRUTH.mpf(1) / 2, 1, 2, w, TRUTH)) < TRUTH.mpf(10) ** -100
    ball = certified_mittag_leffler("1/2", 1, z, dps=40, gamma=2)
    assert _holds(ball, truth)
    assert _rel_rad(ball, truth) < Fraction(1, 10**40)


@pytest.mark.parametrize("a,b,g,z", [("0.7", "0.3", "3.5", -4), ("3/2", "1/3", "1/2", 2 - 1j),
                                     ("1/3", -1, "0.25", "1.5"), ("5/2", 2, 4, -6)])
def test_prabhakar_against_mpmath_series(a, b, g, z):
    ball = certified_mittag_leffler(a, b, z, dps=40, gamma=g)
    a_, b_, g_, z_ = (SERIES.mpmathify(Fraction(v)) if isinstance(v, str) and "/" in v else SERIES.mpmathify(v)
                      for v in (a, b, g, z))
    assert _holds(ball, _prabhakar_nsum(a_, b_, g_, z_))


def test_prabhakar_irrational_alpha():
    import sympy
    ball = certified_mittag_leffler(sympy.sqrt(2) / 2, 1, -3, dps=40, gamma=3)
    a = SERIES.sqrt(2) / 2
    assert _holds(ball, _prabhakar_nsum(a, 1, 3, SERIES.mpf(-3)))


def test_prabhakar_closed_forms_and_refusals():
    # a = 0: (1 - z)^-g / Gamma(b); g = 0: 1 / Gamma(b)
    assert _holds(certified_mittag_leffler(0, 1, "0.5", dps=30, gamma="1/2"), TRUTH.sqrt(2))
    assert _holds(certified_mittag_leffler(0, 3, -3, dps=30, gamma="2.5"), TRUTH.mpf(4) ** -2.5 / 2)
    assert certified_mittag_leffler("1/2", 2, 100, gamma=0).contains(1)
    with pytest.raises(NotCertified, match="not real"):
        certified_mittag_leffler(0, 1, 3, gamma="1/2")  # (1 - 3)^(-1/2) is imaginary
    with pytest.raises(NotCertified, match="E\\^2_\\{1/4,1\\}\\(-50\\) reach 2\\^9.02e\\+06"):
        certified_mittag_leffler("1/4", 1, -50, gamma=2)
    with pytest.raises(NotCertified, match="rational alpha and gamma = 1"):
        certified_mittag_leffler("1/2", 1, 1, gamma=2, method="hypergeometric")
    with pytest.raises(InputError, match="gamma must be >= 0"):
        certified_mittag_leffler("1/2", 1, 1, gamma=-1)


def test_prabhakar_one_unit_in_the_last_digit_is_outside():
    ball = certified_mittag_leffler("1/2", 1, -50, dps=30, gamma=2)
    digits, unit = ball.proven()  # the rounded digits need not lie in the ball; one unit off never does
    assert not ball.contains(Fraction(Decimal(digits)) + unit)
    assert not ball.contains(Fraction(Decimal(digits)) - unit)


@pytest.mark.parametrize("a,b,z", [("1/4", 1, 3 + 4j), ("1/2", 1, 20j), ("2/3", "1/2", -7), ("3/2", 2, 5 - 5j)])
def test_prabhakar_two_from_the_hypergeometric_path(a, b, z):
    """(2)_k / k! = k + 1 and (a k + b - 1) / Gamma(a k + b) = 1 / Gamma(a k + b - 1) give
    E^2_{a,b} = (E_{a,b-1} + (1 + a - b) E_{a,b}) / a; the right side by the 1F_p sum (no series code).
    At complex z the series multiplies rectangles: z^k must not be a running product (the
    wrapping effect would widen it by (|Re z| + |Im z|) / |z| per term)."""
    aa, bb = Fraction(a), Fraction(b)
    dps = 30
    left = certified_mittag_leffler(a, b, z, dps=dps, gamma=2)
    lower = certified_mittag_leffler(a, str(bb - 1), z, dps=dps + 5, method="hypergeometric")
    upper = certified_mittag_leffler(a, b, z, dps=dps + 5, method="hypergeometric")
    for part, lo_part, up_part in zip(_parts(left), _parts(lower), _parts(upper)):
        value = (Fraction(Decimal(lo_part.mid)) + (1 + aa - bb) * Fraction(Decimal(up_part.mid))) / aa
        slack = (Fraction(Decimal(lo_part.rad)) + abs(1 + aa - bb) * Fraction(Decimal(up_part.rad))) / aa
        lo, hi = part.interval
        assert lo - slack <= value <= hi + slack
        assert Fraction(Decimal(part.rad)) < Fraction(1, 10**dps) * max(abs(value), Fraction(1, 10**3))
