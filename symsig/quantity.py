"""The value type of every number symsig reports.

A :class:`Quantity` is a value together with how it was obtained: the exact
SymPy form when there is one, the method, an error estimate for numeric
values, and a status (``exact``, ``numeric``, ``infinite``, ``undefined``).
Undefined quantities carry their reason instead of a silent NaN.
"""

from dataclasses import dataclass

import mpmath
import sympy

from .precision import format_value, to_mpmath, workdps

EXACT, NUMERIC, INFINITE, UNDEFINED = "exact", "numeric", "infinite", "undefined"


@dataclass(frozen=True)
class Quantity:
    """A reported number: ``value`` (mpmath), ``exact`` (SymPy or None), ``method``, ``error``.

    ``error`` is an absolute error estimate (0 for exact values, None where
    no number is given).  ``dps`` is the number of digits the value is good for.

    >>> q = Quantity.from_exact(sympy.sqrt(2), "closed form", dps=20)
    >>> str(q), q.status
    ('1.4142135623730950488', 'exact')
    """

    value: object
    exact: object
    method: str
    error: object
    status: str
    dps: int
    reason: str = None

    @classmethod
    def from_exact(cls, expr, method, dps):
        """The quantity of an exact SymPy expression, evaluated at ``dps`` digits."""
        expr = sympy.sympify(expr)
        if expr in (sympy.oo, -sympy.oo):
            return cls.infinite(1 if expr == sympy.oo else -1, method, dps, exact=expr)
        if expr.has(sympy.nan, sympy.zoo) or expr.free_symbols:
            raise ValueError(f"not a finite exact number: {expr}")
        with workdps(dps):
            value = to_mpmath(expr)
        return cls(value, expr, method, mpmath.mpf(0), EXACT, dps)

    @classmethod
    def numeric(cls, value, error, method, dps):
        """A numeric value; digits its error estimate does not support are not claimed.

        >>> import mpmath
        >>> str(Quantity.numeric(mpmath.mpf("1.234567"), mpmath.mpf("1e-4"), "test", 10))
        '1.235'
        >>> q = Quantity.numeric(mpmath.mpf("3e-26"), mpmath.mpf("1e-25"), "test", 10)
        >>> str(q), q.method
        ('0', 'test, zero to within 1.0e-25')
        """
        if value and error and error > abs(value) * mpmath.mpf(10) ** (-dps):
            good = int(mpmath.floor(mpmath.log10(abs(value) / error)))
            if good < 1:
                return cls(mpmath.mpf(0), None, f"{method}, zero to within {mpmath.nstr(error, 2)}",
                           error, NUMERIC, dps)
            return cls(value, None, f"{method}, {good} correct digits", error, NUMERIC, good)
        return cls(value, None, method, error, NUMERIC, dps)

    @classmethod
    def infinite(cls, sign, method, dps, exact=None, reason=None):
        exact = exact if exact is not None else (sympy.oo if sign > 0 else -sympy.oo)
        return cls(mpmath.inf if sign > 0 else -mpmath.inf, exact, method, None, INFINITE, dps, reason)

    @classmethod
    def undefined(cls, reason, method, dps):
        return cls(None, None, method, None, UNDEFINED, dps, reason)

    @property
    def is_finite(self):
        return self.status in (EXACT, NUMERIC)

    def __str__(self):
        return format_value(self.value, self.dps)

    def __float__(self):
        if self.value is None:
            raise ValueError(f"undefined: {self.reason}")
        return float(self.value)

    def error_str(self):
        if self.error is None:
            return None
        return mpmath.nstr(self.error, 3) if self.error else "0"

    def exact_str(self):
        return None if self.exact is None else sympy.sstr(self.exact)

    def as_dict(self):
        """JSON-ready form: value as a decimal string with ``dps`` digits (or oo/-oo/undefined)."""
        data = {"value": str(self), "exact": self.exact_str(), "method": self.method,
                "error": self.error_str()}
        if self.reason:
            data["reason"] = self.reason
        return data
