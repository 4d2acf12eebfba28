"""The value type of every number symsig reports.

A :class:`Quantity` is a value together with how it was obtained: the exact
SymPy form when there is one, the method, an error estimate for numeric
values, and a status (``exact``, ``numeric``, ``infinite``, ``undefined``).
Undefined quantities carry their reason instead of a silent NaN.
"""

from dataclasses import dataclass
from enum import StrEnum

import sympy
from sympy.codegen.cfunctions import log1p
from sympy.core.evalf import PrecisionExhausted

from . import display
from .errors import ConvergenceError, UndefinedError
from .precision import FIXED, format_value, mp, short_str, to_mpmath, workdps



class Status(StrEnum):
    """How a :class:`Quantity` was obtained; compares equal to its lower-case name."""

    EXACT = "exact"
    NUMERIC = "numeric"
    INFINITE = "infinite"
    UNDEFINED = "undefined"


EXACT, NUMERIC, INFINITE, UNDEFINED = Status


@dataclass(frozen=True)
class Quantity:
    """A reported number: ``value`` (mpmath), ``exact`` (SymPy or None), ``method``, ``error``.

    ``error`` is an absolute error estimate (0 for exact values, None where
    no number is given).  ``dps`` is the number of digits the value is good for.

    >>> q = Quantity.from_exact(sympy.sqrt(2), "closed form", dps=20)
    >>> str(q), q.status
    ('1.4142135623730950488', <Status.EXACT: 'exact'>)
    """

    value: object
    exact: object
    method: str
    error: object
    status: Status
    dps: int
    reason: str = None
    cause: type = UndefinedError  # for UNDEFINED: the error class of the reason (ConvergenceError: numerics failed)
    proved: bool = True  # for INFINITE: False when the infinity was only seen numerically (samples that grow)

    @classmethod
    def from_exact(cls, expr, method, dps):
        """The quantity of an exact SymPy expression, evaluated at ``dps`` digits."""
        expr = sympy.sympify(expr, strict=True)
        if expr in (sympy.oo, -sympy.oo):
            return cls.infinite(1 if expr == sympy.oo else -1, method, dps, exact=expr)
        if expr.has(sympy.nan, sympy.zoo) or expr.free_symbols:
            raise UndefinedError(f"not a finite exact number: {expr}")
        with workdps(dps):
            try:
                value = _evaluate_exact(expr)
            except (PrecisionExhausted, OverflowError, ValueError, MemoryError) as exc:
                raise ConvergenceError(f"the closed form cannot be evaluated to {dps} digits "
                                       f"({exc.__class__.__name__}: {exc})") from None
        return cls(value, expr, method, FIXED.zero, EXACT, dps)

    @classmethod
    def numeric(cls, value, error, method, dps):
        """A numeric value; digits its error estimate does not support are not claimed.

        >>> with workdps(10):
        ...     str(Quantity.numeric(mp.mpf("1.234567"), mp.mpf("1e-4"), "test", 10))
        ...     q = Quantity.numeric(mp.mpf("3e-26"), mp.mpf("1e-25"), "test", 10)
        '1.235'
        >>> str(q), q.method, q.value.context is not FIXED
        ('0', 'test, zero to within 1.0e-25', True)
        """
        if value and error and error > abs(value) * FIXED.mpf(10) ** (-dps):
            good = int(FIXED.floor(FIXED.log10(abs(value) / error)))
            if good < 1:
                # 0 of the value's own context: FIXED's would be a 15-digit left operand later
                return cls(value * 0, None, f"{method}, zero to within {short_str(error, 2)}",
                           error, NUMERIC, dps)
            return cls(value, None, f"{method}, {good} correct digits", error, NUMERIC, good)
        return cls(value, None, method, error, NUMERIC, dps)

    @classmethod
    def infinite(cls, sign, method, dps, exact=None, reason=None, proved=True):
        """+-oo; ``proved=False`` when a numeric observation (not an analysis) found it."""
        exact = exact if exact is not None else (sympy.oo if sign > 0 else -sympy.oo)
        return cls(FIXED.inf if sign > 0 else -FIXED.inf, exact, method, None, INFINITE, dps, reason,
                   proved=proved)

    @classmethod
    def undefined(cls, reason, method, dps, cause=UndefinedError):
        return cls(None, None, method, None, UNDEFINED, dps, reason, cause)

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
        return short_str(self.error, 3) if self.error else "0"

    def exact_str(self):
        return None if self.exact is None else sympy.sstr(self.exact)

    def as_dict(self):
        """JSON-ready form: value as a decimal string with ``dps`` digits (or oo/-oo/undefined)."""
        data = {"value": str(self), "exact": self.exact_str(), "method": self.method,
                "error": self.error_str()}
        if self.reason:
            data["reason"] = self.reason
        if self.status == UNDEFINED and issubclass(self.cause, ConvergenceError):
            data["decided"] = False  # symsig could not decide; not a mathematical "undefined"
        if self.status == INFINITE and not self.proved:
            data["proved"] = False  # seen numerically, not proved
        return data

    def _repr_html_(self):
        return display.quantity_html(self)

    def _repr_latex_(self):
        return display.quantity_latex(self)


def _evaluate_exact(expr):
    """An exact number at the current precision, checked by a second, finer evaluation.

    evalf's ``strict`` catches cancellation in sums (1/2 - erf(u)/2 at u = 1e20 gave a
    number of size 1e-193) but not an ill-conditioned function: erfc(u) at u ~ 1e20
    needs u to 20 more digits.  Both evaluations carry extra digits for the largest
    number in ``expr``, and must agree.
    """
    expr = without_erf_cancellation(expr)
    digits = max((int(n).bit_length() * 3 // 10 for a in expr.atoms(sympy.Rational)
                  for n in (a.p, a.q)), default=0)
    coarse = expr.evalf(mp.dps + 5 + 2 * digits, strict=True)
    fine = expr.evalf(mp.dps + 20 + 4 * digits, strict=True)
    value = to_mpmath(fine)
    if abs(to_mpmath(coarse) - value) > abs(value) * mp.mpf(10) ** (5 - mp.dps):
        raise ConvergenceError("the closed form is too ill-conditioned to evaluate here")
    return value


def without_erf_cancellation(expr):
    """``F (c + k erf(u))`` with ``c = +-k`` as ``+-k F erfc(-+u)``: far in a tail (gelu at
    mu = -30, Phi(mu) at mu = -1e20, ELU's exp(2 s^2) (1 - erf(sqrt(2) s)) at s = 6) the sum
    cancels every digit.  ``F`` is any common factor of the two terms.

    >>> u = sympy.Symbol("u")
    >>> without_erf_cancellation(sympy.Rational(1, 2) - sympy.erf(u) / 2)
    erfc(u)/2
    >>> without_erf_cancellation(sympy.exp(u**2) - sympy.exp(u**2) * sympy.erf(u) + u)
    u + exp(u**2)*erfc(u)
    """
    def stable(add):
        terms = list(add.args)
        for i, term in enumerate(terms):
            erfs = [f for f in sympy.Mul.make_args(term) if isinstance(f, sympy.erf)]
            if len(erfs) != 1:
                continue
            cofactor = term / erfs[0]
            for j, other in enumerate(terms):
                # other + cofactor erf(u) = +-cofactor erfc(-+u) when other = +-cofactor
                sign = 1 if other == cofactor else -1 if other == -cofactor else 0
                if j != i and sign:
                    paired = sign * cofactor * sympy.erfc(-sign * erfs[0].args[0], evaluate=False)
                    rest = [t for k, t in enumerate(terms) if k not in (i, j)]
                    return stable(sympy.Add(*rest, paired)) if rest else paired
        return add
    return expr.replace(lambda e: e.is_Add and e.has(sympy.erf), stable)


def tanh_ends(expr):
    """``c + k tanh(u)`` with ``c = -+k`` as ``-+2k / (exp(+-2u) + 1)``, and ``c + k tanh(u)**2``
    with ``c = -k`` as ``c / cosh(u)**2``: the decay at the ends made explicit (for the size
    reading of :func:`symsig.singularities.growth`, and for evaluation without cancellation).

    >>> u = sympy.Symbol("u")
    >>> tanh_ends(sympy.tanh(u) - 1), tanh_ends(3 - 3 * sympy.tanh(u)**2)
    (-2/(exp(2*u) + 1), 3/cosh(u)**2)
    """
    def explicit(term):
        constant, rest = term.as_coeff_Add()
        if not constant:
            return term
        for arg in sympy.Add.make_args(rest):
            k, factor = arg.as_coeff_Mul()
            if isinstance(factor, sympy.tanh) and constant / k in (1, -1):
                sign = constant / k
                return rest - arg + 2 * sign * k / (sympy.exp(-2 * sign * factor.args[0]) + 1)
            if factor.is_Pow and isinstance(factor.base, sympy.tanh) and factor.exp == 2 and constant == -k:
                return rest - arg + constant / sympy.cosh(factor.base.args[0])**2
        return term
    return expr.replace(lambda e: e.is_Add and e.has(sympy.tanh), explicit)


def explicit_ends(expr):
    """Common factors pulled out, then erf pairs as erfc and the ends of tanh as exponentials:
    the form in which both the size reading and an evaluation see the decay of phi - l."""
    return tanh_ends(without_erf_cancellation(sympy.factor_terms(expr)))


def without_cancellation(expr):
    """``expr`` in a form whose evaluation keeps its digits where the activation meets its
    limits: common factors pulled out (``x tanh(u) - x = x (tanh(u) - 1)``), erf pairs as erfc
    (:func:`without_erf_cancellation`), the ends of tanh as exponentials (:func:`tanh_ends`), and
    ``log(1 + v)`` as ``log1p(v)`` (softplus at x = -100 is 1e-44, not the log of a rounded 1).

    >>> u = sympy.Symbol("u", real=True)
    >>> without_cancellation(u * sympy.tanh(sympy.log(sympy.exp(u) + 1)) - u)
    -2*u/((exp(u) + 1)**2 + 1)
    >>> without_cancellation(sympy.log(1 + sympy.exp(u)))
    log1p(exp(u))
    """
    return explicit_ends(expr).replace(lambda e: isinstance(e, sympy.log) and e.args[0].is_Add and sympy.S.One in e.args[0].args,
                        lambda e: log1p(e.args[0] - 1))
