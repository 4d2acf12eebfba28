"""Arb balls ``[mid +/- rad]`` and the precision policy of certified values."""

from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
import math

import sympy

from ..errors import ConvergenceError, InputError
from ..precision import COMPLEX, REAL, exact_number


#: bits beyond the requested digits, and the largest working precision tried (a multiple of the first)
GUARD_BITS, PREC_CAP_FACTOR = 32, 8
#: the digits a Ball keeps beyond the requested ones (its radius absorbs the rounding)
KEPT_DIGITS = 6


class NotCertified(InputError):
    """No proven enclosure: the extra is missing, a function has no ball translation, or no tail bound."""


def _flint():
    try:
        import flint
    except ImportError:
        raise NotCertified("certified values need python-flint: pip install 'symsig[certified]'") from None
    return flint


@contextmanager
def _precision(bits):
    """flint's precision is global: set it for one block and always put it back."""
    ctx = _flint().ctx
    saved = ctx.prec
    ctx.prec = bits
    try:
        yield
    finally:
        ctx.prec = saved


def _exact(value):
    """An exact Fraction of a number given exactly (int, Fraction, decimal string, mpf, SymPy rational)."""
    if isinstance(value, COMPLEX):
        raise InputError("a Ball is real; compare the real part")
    if isinstance(value, (REAL, str)):
        value = exact_number(value)
    if isinstance(value, sympy.Float):
        value = sympy.Rational(value)  # the Float's exact binary value
    if isinstance(value, sympy.Basic):
        if not value.is_Rational:
            raise InputError(f"{value} is not an exact number; evaluate it to a decimal or mpf first")
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, (int, Fraction)) and not isinstance(value, bool):
        return Fraction(value)
    raise InputError(f"cannot compare {value!r} with a Ball exactly")


def _decimal(q):
    """The exact decimal string of a Fraction whose denominator divides a power of 10
    (scientific notation for small and large numbers, as :class:`decimal.Decimal` prints)."""
    n, d = q.numerator, q.denominator
    k = 0
    while 10**k % d:
        k += 1
    return str(Decimal(f"{n * (10**k // d)}E-{k}"))  # from a string: exact, no context rounding


def _exponent10(q):
    """floor(log10(q)) of a positive Fraction, exactly (no float underflow at 1e-400)."""
    e = len(str(q.numerator)) - len(str(q.denominator))
    while Fraction(10) ** e > q:
        e -= 1
    while Fraction(10) ** (e + 1) <= q:
        e += 1
    return e


@dataclass(frozen=True)
class Ball:
    """The closed interval ``[mid - rad, mid + rad]``; ``mid``, ``rad`` exact decimal strings."""

    mid: str
    rad: str
    method: str = ""

    @classmethod
    def from_arb(cls, value, digits, method=""):
        """An arb rounded to ``digits`` significant decimals, the rounding added to the radius."""
        mid, rad = (Fraction(int(m)) * Fraction(2) ** int(e) for m, e in
                    (value.mid().man_exp(), value.rad().man_exp()))
        if mid:
            unit = Fraction(10) ** (_exponent10(abs(mid)) - digits + 1)
            rounded = round(mid / unit) * unit
        else:
            rounded = Fraction(0)
        rad += abs(rounded - mid)
        if rad:  # two significant digits, rounded up
            unit = Fraction(10) ** (_exponent10(rad) - 1)
            rad = math.ceil(rad / unit) * unit
        return cls(_decimal(rounded), _decimal(rad), method)

    @property
    def interval(self):
        mid, rad = Fraction(Decimal(self.mid)), Fraction(Decimal(self.rad))
        return mid - rad, mid + rad

    def contains(self, value):
        lo, hi = self.interval
        return lo <= _exact(value) <= hi

    def proven(self):
        """``(digits, unit)``: mid rounded at the coarsest decimal unit ``u`` with ``rad < u/2``,
        so every printed digit is proven and ``digits +/- u`` lies outside the ball."""
        mid, rad = Fraction(Decimal(self.mid)), Fraction(Decimal(self.rad))
        if not rad:
            return self.mid, Fraction(0)
        exponent = _exponent10(2 * rad) + 1  # 10**exponent > 2 rad
        unit = Fraction(10) ** exponent
        return _decimal(round(mid / unit) * unit), unit

    def as_dict(self):
        return {"mid": self.mid, "rad": self.rad, "certified": True}

    def __str__(self):
        digits, unit = self.proven()
        if not unit:
            return f"[{digits} +/- 0]"
        mid = Fraction(Decimal(self.mid))
        rad = Fraction(Decimal(self.rad)) + abs(Fraction(Decimal(digits)) - mid)
        exponent = _exponent10(rad)
        head = math.ceil(rad / Fraction(10) ** (exponent - 1))  # two digits, rounded up
        if head == 100:
            head, exponent = 10, exponent + 1
        return f"[{digits} +/- {head // 10}{'.%d' % (head % 10) if head % 10 else ''}e{exponent}]"


def _real(value, what):
    """The real part of an acb that encloses a real number; refuse a non-finite ball."""
    if not value.is_finite():
        raise NotCertified(f"{what}: the ball is not finite (a pole, a branch cut or a precision cap)")
    if not value.imag.contains(0):
        raise NotCertified(f"{what}: the ball is not real")
    return value.real


def _accurate(ball, dps, last):
    """Relative accuracy 10**-dps; at the last precision also a ball around 0 of radius
    10**-dps (a value that is 0, or too small to separate from 0 within the cap)."""
    flint = _flint()
    tol = flint.arb(10) ** (-dps)
    if ball.contains(0):
        return last and bool(ball.rad() <= tol)
    return bool(ball.rad() <= tol * abs(ball).lower())


def _refine(evaluate, dps, what):
    """Call ``evaluate()`` (an arb) at rising precision until it is accurate to ``dps`` digits."""
    first = int(dps * 3.33) + GUARD_BITS
    bits = first
    while bits <= PREC_CAP_FACTOR * first:
        with _precision(bits):
            ball = evaluate()
            if ball.is_finite() and _accurate(ball, dps, 2 * bits > PREC_CAP_FACTOR * first):
                return ball
        bits *= 2
    raise ConvergenceError(f"{what}: no ball accurate to {dps} digits at up to {bits // 2} bits")


@dataclass(frozen=True)
class ComplexBall:
    """A complex value as two real balls: the rectangle ``real x imag``."""

    real: Ball
    imag: Ball
    method: str = ""

    def contains(self, value):
        if isinstance(value, (str, sympy.Basic)):
            re, im = exact_number(value).as_real_imag()
        else:  # Python and mpmath numbers
            re, im = value.real, value.imag
        return self.real.contains(re) and self.imag.contains(im)

    def as_dict(self):
        return {"real": self.real.as_dict(), "imag": self.imag.as_dict(), "certified": True}

    def __str__(self):
        return f"{self.real} + {self.imag}*I"


@dataclass(frozen=True)
class Infinite:
    """A component proved to be +oo or -oo, with the reason."""

    sign: int
    reason: str
    method: str = ""

    def as_dict(self):
        return {"value": "oo" if self.sign > 0 else "-oo", "certified": True, "reason": self.reason}

    def __str__(self):
        return f"{'+' if self.sign > 0 else '-'}oo (proved: {self.method})"
