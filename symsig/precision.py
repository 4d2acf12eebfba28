"""Precision hygiene: guard digits, exact conversion of user numbers, formatting.

Numeric code works inside :func:`workdps`, which adds guard digits and always
restores mpmath's global precision, so callers only ever say ``dps`` (decimal
digits wanted) and never touch ``mpmath.mp``.
"""

from contextlib import contextmanager
from fractions import Fraction

import mpmath
import sympy

from .errors import DomainError, InputError, LimitError
from . import limits
from .parsing import parse_number

GUARD_DIGITS = 10


@contextmanager
def workdps(dps, guard=GUARD_DIGITS):
    """Run a block at ``dps + guard`` decimal digits and restore mpmath afterwards.

    >>> import mpmath
    >>> before = mpmath.mp.dps
    >>> with workdps(50):
    ...     mpmath.mp.dps
    60
    >>> mpmath.mp.dps == before
    True
    """
    dps = check_dps(dps)
    with mpmath.workdps(dps + guard):
        yield dps + guard


def check_dps(dps):
    """Validate a requested number of decimal digits (at most :data:`symsig.limits.MAX_DPS`).

    >>> check_dps(10**6)
    Traceback (most recent call last):
    ...
    symsig.errors.LimitError: dps = 1000000 exceeds MAX_DPS = 10000 ...
    """
    if isinstance(dps, bool) or not isinstance(dps, int) or dps < 1:
        raise DomainError(f"dps must be a positive integer number of decimal digits, got {dps!r}")
    if dps > limits.MAX_DPS:
        raise LimitError(f"dps = {dps} exceeds MAX_DPS = {limits.MAX_DPS} (symsig.limits); ask for at most "
                         f"{limits.MAX_DPS} digits, or raise symsig.limits.MAX_DPS deliberately")
    return dps


def exact_number(value, name="value", allow_infinity=False):
    """Turn a user number into an exact SymPy number.

    Strings are read by the safe number parser :func:`symsig.parsing.parse_number`
    as exact decimals (``"0.8"`` is 4/5, not the nearest double; ``oo`` only
    with ``allow_infinity=True``);
    Python floats are taken as the exact value of that float; SymPy numbers and
    exact expressions pass through.

    >>> exact_number("0.8")
    4/5
    >>> exact_number(0.5)
    1/2
    >>> exact_number("3+4j")
    3 + 4*I
    """
    if isinstance(value, bool):
        raise InputError(f"{name} must be a number, got {value!r}")
    if isinstance(value, sympy.Basic):
        expr = value
    elif isinstance(value, int):
        expr = sympy.Integer(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise DomainError(f"{name} must be finite, got {value!r}")
        expr = sympy.Rational(*Fraction(value).as_integer_ratio())
    elif isinstance(value, complex):
        expr = exact_number(value.real, name) + sympy.I * exact_number(value.imag, name)
    elif isinstance(value, (mpmath.mpf, mpmath.mpc)):
        expr = _mpf_to_rational(value)
    elif isinstance(value, str):
        expr = parse_number(value, name, allow_infinity)
    else:
        raise InputError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if expr.free_symbols:
        raise InputError(f"{name} must be a number, got the expression {expr}")
    return expr


def _mpf_to_rational(value):
    if isinstance(value, mpmath.mpc):
        return _mpf_to_rational(value.real) + sympy.I * _mpf_to_rational(value.imag)
    if not mpmath.isfinite(value):
        raise DomainError(f"number must be finite, got {value}")
    man, exp = mpmath.mpf(value).man_exp
    return sympy.Integer(man) * sympy.Integer(2) ** exp


def to_mpmath(expr):
    """Evaluate an exact SymPy number at mpmath's current precision (call inside :func:`workdps`)."""
    value = sympy.N(expr, mpmath.mp.dps + 5)
    if value.is_real:
        return mpmath.mpf(value)
    re, im = value.as_real_imag()
    return mpmath.mpc(mpmath.mpf(re), mpmath.mpf(im))


def format_value(value, dps):
    """Decimal string with ``dps`` significant digits; ``oo``/``-oo`` for infinities."""
    if value is None:
        return "undefined"
    if isinstance(value, mpmath.mpc):
        # the sign comes off the printed digits: abs() would round to the caller's precision
        imag = format_value(value.imag, dps)
        return f"{format_value(value.real, dps)}{'-' if imag.startswith('-') else '+'}{imag.lstrip('-')}j"
    if mpmath.isinf(value):
        return "oo" if value > 0 else "-oo"
    if mpmath.isnan(value):
        return "undefined"
    if value == 0:
        return "0"
    with mpmath.workdps(dps + GUARD_DIGITS):
        return mpmath.nstr(value, dps, min_fixed=-5, max_fixed=dps + 1, strip_zeros=False)


_SHORT = mpmath.MPContext()  # a private context: printing a few digits never touches mpmath.mp


def short_str(value, digits=3):
    """A few significant digits of ``value`` (error estimates, messages), at any exponent.

    ``mpmath.nstr`` of a tiny number held at thousands of digits converts a huge
    integer to text and hits Python's 4300-digit limit; rounding first avoids it.

    >>> import mpmath
    >>> with mpmath.workdps(4500):
    ...     tiny = mpmath.sqrt(2) * mpmath.mpf(10) ** -4400
    >>> short_str(tiny)
    '1.41e-4400'
    """
    return _SHORT.nstr(_SHORT.mpf(value), digits)


def lambdify_mpmath(args, expr):
    """A function evaluating ``expr`` with mpmath at the CURRENT precision (use inside :func:`workdps`).

    Knows symsig's own functions (Mittag-Leffler, Prabhakar) besides mpmath's.
    """
    modules = ["mpmath"]
    try:
        from .mittag_leffler import MPMATH_NAMESPACE
    except ImportError:
        pass
    else:
        modules.insert(0, MPMATH_NAMESPACE)
    return sympy.lambdify(args, expr, modules=modules)
