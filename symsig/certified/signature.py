"""Certified m1, g1, g2, m2, eta (expectations plus ball arithmetic), alpha+-, TV and C."""

from decimal import Decimal
from fractions import Fraction


from ..components import DPHI, PHI
from ..errors import DivergenceError, SymsigError, UndefinedError
from ..precision import engine_call
from ..quantity import INFINITE
from .ball import Ball, GUARD_BITS, KEPT_DIGITS, _flint, _precision
from .expectation import certified_expectation
from .regularity import certified_c, certified_slope, certified_total_variation
from .translate import _number

CERTIFIED_COMPONENTS = ("m1", "g1", "g2", "m2", "eta", "alpha_plus", "alpha_minus", "TV", "C")


@engine_call
def certified_signature(phi, sigma=1, mu=0, dps=50):
    """``{name: Ball, Infinite or refusal reason (str)}`` for :data:`CERTIFIED_COMPONENTS`.

    Expectations come from :func:`certified_expectation` (plus Dirac masses of phi' as
    exact closed forms); g2 = sqrt(chi) and eta = sigma^2 g1^2 / (m2 - m1^2) are ball
    arithmetic on the unrounded input balls; the slopes, TV and C come from
    :mod:`symsig.certified.regularity` (Infinite where an infinity is proved).
    """
    from ..activations import get_activation
    from ..facts import facts
    from ..gaussian_exact import check_gaussian

    _flint()
    sigma, mu, dps = check_gaussian(sigma, mu, dps)
    known = facts(get_activation(phi).expr)
    work = dps + KEPT_DIGITS  # the derived components lose a few digits to the arithmetic
    balls = {}
    for name, integrand in (("m1", PHI), ("g1", DPHI), ("chi", DPHI**2), ("m2", PHI**2)):
        try:
            extra, verdict = known.dirac_part(integrand, sigma, mu)
            if verdict is not None:
                raise (DivergenceError if verdict[0] == INFINITE else UndefinedError)(verdict[1])
            ball = certified_expectation(known.classical(integrand), sigma, mu, work)
            balls[name] = ball if extra == 0 else _combine(lambda v, e: v + e, [ball, extra], work)
        except SymsigError as exc:
            balls[name] = f"refused: {exc}"
    out = {name: balls[name] for name in ("m1", "g1", "m2")}
    out["g2"] = _derived(lambda chi: chi.sqrt(), [balls["chi"]], dps, "g2")
    out["eta"] = _derived(lambda g1, m1, m2: _number(sigma) ** 2 * g1 ** 2 / (m2 - m1 ** 2),
                          [balls["g1"], balls["m1"], balls["m2"]], dps, "eta")
    expr = get_activation(phi).expr
    for name, compute in (("alpha_plus", lambda: certified_slope(expr, 1, dps)),
                          ("alpha_minus", lambda: certified_slope(expr, -1, dps)),
                          ("TV", lambda: certified_total_variation(expr, dps)),
                          ("C", lambda: certified_c(expr, dps))):
        try:
            out[name] = compute()
        except SymsigError as exc:
            out[name] = f"refused: {exc}"
    return {name: out[name] for name in CERTIFIED_COMPONENTS}


def _arb(item):
    """A Ball (its exact interval) or an exact SymPy number, as an arb at the current precision."""
    if isinstance(item, Ball):
        flint = _flint()
        mid, rad = (Fraction(Decimal(v)) for v in (item.mid, item.rad))
        to_arb = (lambda q: flint.arb(flint.fmpq(q.numerator, q.denominator)))
        return to_arb(mid) + flint.arb(0, to_arb(rad).upper())
    return _number(item)


def _combine(formula, inputs, dps):
    with _precision(int(dps * 3.33) + GUARD_BITS):
        return Ball.from_arb(formula(*[_arb(v) for v in inputs]), dps + KEPT_DIGITS, "ball arithmetic")


def _derived(formula, inputs, dps, name):
    refused = [v for v in inputs if isinstance(v, str)]
    if refused:
        return f"refused: needs an input that was refused ({refused[0]})"
    with _precision(int(dps * 3.33) + 2 * GUARD_BITS):
        value = formula(*[_arb(v) for v in inputs])
        if not value.is_finite():
            return f"refused: {name} is not finite in ball arithmetic (a denominator ball contains 0)"
        return Ball.from_arb(value, dps + KEPT_DIGITS, "ball arithmetic on certified inputs")
