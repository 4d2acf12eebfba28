"""Mittag-Leffler and Prabhakar functions to any number of digits.

``E^g_{a,b}(z) = sum_k (g)_k z^k / (k! Gamma(a k + b))``; ``g = 1`` is the
two-parameter function ``E_{a,b}``.  Four paths, each with an error estimate:

* **closed form**: a = 0, (1, 1), (1, 2), (2, 1), (2, 2), (1/2, 1), and
  Kummer's 1F1 for a = 1 with any g;
* **series**: the power series at a working precision raised by the size of
  its largest term, so cancellation cannot eat the digits (the plain series at
  15 digits is wrong by 25 orders of magnitude at ``E_{1/2,1}(-10)``); the tail
  is bounded by a geometric majorant;
* **asymptotic**: the exponential residues plus the algebraic series
  ``-sum z^-k / Gamma(b - a k)`` truncated at the smallest term of its
  envelope ``|z|^-k Gamma(1 + a k - b) / pi`` (g = 1 only);
* **contour**: the Hankel integral on a parabola ``s = mu (1 + i u)^2`` by
  tanh-sinh quadrature plus residues (g = 1, or 0 < a < 1 with |arg z| > a pi).

``mittag_leffler`` picks the path from ``r = |z|^(1/a)``: series while
``r <= 1.3 P ln 10`` (P the working digits), asymptotic beyond, falling back to
the contour and to a heavily guarded series when an estimate is not good
enough.  ``MLResult.error`` is an estimated ABSOLUTE error of ``value``.

An array (or list) of z gives an :class:`MLArrayResult`; at ``dps <= 15`` its points go
through the double-precision paths of :mod:`.fast` where their error estimates allow, the
others through the paths above.
"""

import functools
import math
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction

import sympy

from .. import display
from ..errors import ConvergenceError, DomainError, InputError
from ..quantity import Quantity
from ..precision import (active_digits, at_digits, check_dps, COMPLEX, engine_call, exact_number, FIXED,
                         GUARD_DIGITS, mp, REAL, to_mpmath)

LN10 = math.log(10)
MAX_SERIES_TERMS = 50_000
MAX_GUARD_DIGITS = 3000  # a series needing more guard digits than this is refused
METHODS = ("auto", "closed form", "series", "asymptotic", "contour")
FAST_MAX_DPS = 15  # arrays at up to this many digits take the double-precision paths first


@dataclass(frozen=True)
class MLResult:
    """A value of E^g_{a,b}(z) with the path that produced it.

    ``value`` is an mpmath ``mpf`` (real z and parameters) or ``mpc``;
    ``error`` is an estimated absolute error of ``value``; ``method`` names the
    path; ``dps`` the digits asked for.
    """

    value: object
    method: str
    error: object
    dps: int

    @property
    def rel_error(self):
        """``error / |value|`` (``inf`` at an exact zero)."""
        size = abs(self.value)
        return self.error / size if size else FIXED.inf

    def __float__(self):
        return float(self.value)

    def __complex__(self):
        return complex(self.value)

    def _repr_html_(self):
        return display.quantity_html(Quantity.numeric(self.value, self.error, self.method, self.dps))

    def _repr_latex_(self):
        return display.quantity_latex(Quantity.numeric(self.value, self.error, self.method, self.dps), "E")


@dataclass(frozen=True)
class MLArrayResult:
    """Values of E^g_{a,b}(z) on an array of z, point by point.

    ``value`` has the shape of z: float64 (real z) or complex128 at ``dps <= 15``, else an
    object array of mpmath numbers; ``error`` holds the estimated absolute errors (float64,
    or mpmath numbers at ``dps > 15``); ``method`` (object array of str) names each point's
    path, "float ..." for the double-precision paths.  A value outside the double range is
    ``inf`` (or a rounded subnormal) and its error says so: ``inf``, or the rounding.
    """

    value: object
    method: object
    error: object
    dps: int

    @property
    def rel_error(self):
        """``error / |value|`` per point (``inf`` at an exact zero)."""
        import numpy as np

        size = np.abs(self.value)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(size != 0, self.error / np.where(size != 0, size, 1), np.inf)


class _Arg:
    """A user number kept exact and evaluated at whatever precision is current.

    Python and mpmath numbers (of any context) are used as they are, exactly; SymPy
    numbers and strings go through :func:`exact_number`.  The fast path matters: a
    lambdified activation calls the engine once per quadrature node.
    """

    def __init__(self, value, name, real=False):
        if isinstance(value, (REAL, COMPLEX, int, float, complex)) and not isinstance(value, bool):
            if not FIXED.isfinite(value):
                raise DomainError(f"{name} must be finite, got {value}")
            self.exact = None
            self._mp = value
            self.approx = complex(value)
            self.is_real = self.approx.imag == 0 and not isinstance(value, COMPLEX)
        else:
            self.exact = exact_number(value, name)
            self._mp = None
            try:
                self.approx = complex(self.exact.evalf(20))
            except TypeError:
                raise InputError(f"{name} must be a number, got {self.exact}") from None
            self.is_real = self.approx.imag == 0 and bool(self.exact.is_real)
        if real and self.approx.imag != 0:
            raise DomainError(f"{name} must be real, got {value!r}")

    def at(self):
        """The value in the active context, at its current precision."""
        # convert is lossless; a number of another context would impose its precision
        value = mp.convert(self._mp) if self._mp is not None else to_mpmath(self.exact)
        return value.real if self.is_real and isinstance(value, COMPLEX) else value

    @property
    def rational(self):
        """The exact value as a Fraction when it is a real rational, else None."""
        if self._mp is not None:
            if not self.is_real:
                return None
            value = self._mp.real if isinstance(self._mp, complex) else self._mp
            if isinstance(value, (int, float)):
                return Fraction(value)
            sign, man, exp, _ = value._mpf_  # man_exp drops the sign
            return (-1) ** sign * Fraction(man) * Fraction(2) ** exp
        if self.exact.is_Rational:
            return Fraction(int(self.exact.p), int(self.exact.q))
        return None


@contextmanager
def _context(dps):
    """The one private context of an evaluation, working at ``dps + GUARD_DIGITS``: the
    caller's own inside a symsig call (precision raised meanwhile, restored after), else a
    fresh one at ``dps`` digits, so that the returned values print with ``dps`` digits.

    Creating an mpmath context costs ~0.4 ms, more than many evaluations; the inner
    paths only change this context's precision with ``mp.workdps``.
    """
    if active_digits(None) is None:
        with at_digits(dps), mp.workdps(dps + GUARD_DIGITS):
            yield
    else:
        with mp.workdps(dps + GUARD_DIGITS):
            yield


# ---------------------------------------------------------------- public API

@engine_call
def mittag_leffler(a, b, z, gamma=1, dps=30, method="auto", certified=False):
    """``E^gamma_{a,b}(z)`` to ``dps`` significant digits, as an :class:`MLResult`.

    ``a >= 0`` (a = 0 is the closed form ``(1 - z)^-gamma / Gamma(b)``), real
    ``b``, real ``gamma >= 0``, real or complex ``z``.  Strings are exact
    decimals, floats are taken at their exact binary value.  ``method`` forces a
    path ("series", "asymptotic", "contour", "closed form") for cross-checks.

    >>> from mpmath import nstr
    >>> r = mittag_leffler("0.5", 1, -10, dps=20)
    >>> nstr(r.value, 20), r.method
    ('0.056140992743822585858', 'closed form')
    >>> nstr(mittag_leffler("0.5", 1, -10, dps=20, method="series").value, 20)
    '0.056140992743822585858'
    >>> nstr(mittag_leffler(1, 1, 1, dps=25).value, 25)
    '2.718281828459045235360287'

    ``z`` may be a NumPy array or a list of numbers (not strings; each float is exact): the
    result is an :class:`MLArrayResult` of the same shape.  At ``dps <= 15`` with
    ``method="auto"`` and ``gamma = 1``, each point first tries double-precision paths
    (series, asymptotic expansion, Garrappa's parabolic contour, and for moderate ``|z|^(1/a)``
    the series summed exactly in binary with a rigorous bound) and keeps their value when
    the estimated error is at most ``10^(1-dps) |E|`` (1e-14 at dps 15); the other points
    take the paths above and are rounded to doubles:

    >>> import numpy as np
    >>> r = mittag_leffler("0.5", 1, np.array([-1.0, 0.25, 20.0]), dps=15)
    >>> r.value.dtype, bool((r.rel_error <= 1e-14).all())
    (dtype('float64'), True)
    >>> r.method.tolist()
    ['float series', 'float series', 'float asymptotic']
    >>> mittag_leffler(0.8, 0.7, [-3, -0.5], dps=15).method.tolist()  # -3: exact binary sums
    ['float wide series', 'float series']

    With ``certified=True`` (the ``certified`` extra; one z; ``method`` "auto", "series" or
    "hypergeometric") the value is a proven Arb ball, a :class:`~symsig.certified.Ball` for real
    z or a :class:`~symsig.certified.ComplexBall`, or :class:`~symsig.certified.NotCertified`
    says why not: :func:`symsig.certified.certified_mittag_leffler`.

    >>> str(mittag_leffler("0.5", 1, -10, dps=20, certified=True))  # exp(100) erfc(10)
    '[0.0561409927438225858575174 +/- 1.8e-26]'
    """
    dps = check_dps(dps)
    if certified:
        # lazy, and from the submodules: symsig.certified's package imports the activations
        from ..certified.ball import NotCertified
        from ..certified.mittag_leffler import certified_mittag_leffler

        if _is_array(z):
            raise NotCertified("certified Mittag-Leffler values take one z, not an array")
        return certified_mittag_leffler(a, b, z, dps, method, gamma=gamma)
    if method not in METHODS:
        raise InputError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if _is_array(z):
        return _array(*_parameters(a, b, gamma), z, dps, method)
    a, b, g = _checked(a, b, gamma)
    z = _Arg(z, "z")
    with _context(dps):
        result = _evaluate(a, b, g, z, dps, method)
        return _finish(result.value, result.method, result.error, dps, z, a, b, g)


def _checked(a, b, gamma):
    a, b, g = _Arg(a, "alpha", real=True), _Arg(b, "beta", real=True), _Arg(gamma, "gamma", real=True)
    if a.approx.real < 0:
        raise DomainError(f"alpha must be >= 0 (alpha = 0 means 1/(Gamma(beta)(1-z))), got {a.approx.real:g}")
    if g.approx.real < 0:
        raise DomainError(f"gamma must be >= 0, got {g.approx.real:g}")
    return a, b, g


@engine_call
def mittag_leffler_derivative(a, b, z, order=1, dps=30):
    """The ``order``-th z-derivative of ``E_{a,b}(z)`` as an :class:`MLResult`.

    Uses ``E' = (E_{a,a+b-1} + (1-b) E_{a,a+b}) / a`` repeatedly, so every path of
    :func:`mittag_leffler` is available; cancellation in the combination is
    undone by re-evaluating with more digits.

    >>> from mpmath import nstr
    >>> nstr(mittag_leffler_derivative("0.75", 1, -1, dps=20).value, 20)
    '0.30965029346794857593'
    """
    dps = check_dps(dps)
    if isinstance(order, bool) or not isinstance(order, int) or order < 0:
        raise InputError(f"order must be a non-negative integer, got {order!r}")
    a, b, z = _Arg(a, "alpha", real=True), _Arg(b, "beta", real=True), _Arg(z, "z")
    one = _Arg(1, "gamma")
    if a.approx.real < 0:
        raise DomainError(f"alpha must be >= 0, got {a.approx.real:g}")
    with _context(dps):
        if a.approx.real == 0:
            zz = _pole_check(z.at())
            value = mp.factorial(order) * mp.rgamma(b.at()) / (1 - zz) ** (order + 1)
            return _finish(value, "closed form", abs(value) * mp.mpf(10) ** (-dps - 5), dps, z, a, b, one)
        result = _combination(a, _derivative_terms(b, order, a), z, dps)
        return _finish(result.value, result.method, result.error, dps, z, a, b, one)


# ---------------------------------------------------------------- arrays

def _is_array(z):
    # an ndarray exists only once numpy is imported: scalar calls never import it
    numpy = sys.modules.get("numpy")
    return isinstance(z, (list, tuple)) or (numpy is not None and isinstance(z, numpy.ndarray))


def _array(a, b, g, z, dps, method):
    import numpy as np

    from . import fast

    try:
        points = np.asarray(z)
    except ValueError as exc:
        raise InputError(f"z must be an array of numbers: {exc}") from None
    if points.dtype.kind not in "iufc":
        raise InputError(f"an array z must hold numbers (int, float, complex), got dtype {points.dtype}; "
                         "pass exact strings one at a time")
    flat = points.astype(complex).ravel()
    if not np.isfinite(flat).all():
        raise DomainError("z must be finite at every point")
    real = points.dtype.kind != "c"
    low = dps <= FAST_MAX_DPS
    if low and method == "auto" and g.rational == 1:
        value, error, path, done = fast.evaluate(_coefficients(a, b), flat, 10.0 ** (1 - dps))
        methods = np.array([fast.PATHS[i] if i >= 0 else "" for i in path], dtype=object)
    else:
        value, error, done = np.zeros(flat.shape, complex), np.zeros(flat.shape), np.zeros(flat.shape, bool)
        methods = np.full(flat.shape, "", dtype=object)
    if not low:
        value, error = value.astype(object), error.astype(object)
    rest = np.flatnonzero(~done)
    if rest.size:
        with _context(dps):
            for i in rest:
                point = _Arg(float(flat[i].real) if real else complex(flat[i]), "z")
                result = _evaluate(a, b, g, point, dps, method)
                result = _finish(result.value, result.method, result.error, dps, point, a, b, g)
                methods[i] = result.method
                value[i], error[i] = _as_double(result) if low else (result.value, result.error)
    if low and real:
        value = value.real
    shape = points.shape
    return MLArrayResult(value.reshape(shape), methods.reshape(shape), error.reshape(shape), dps)


def _as_double(result):
    """The nearest double to an MLResult value, with the rounding added to its error."""
    double = complex(result.value)
    if not (math.isfinite(double.real) and math.isfinite(double.imag)):
        return double, math.inf
    rounding = abs(mp.convert(double) - result.value)
    return double, float(result.error + rounding) * (1 + 1e-15)


def _parameters(a, b, gamma):
    """The checked parameters of an array call; a repeated call (a plot, a sweep) with the
    same parameters does not parse them again."""
    try:
        return _cached_parameters(a, b, gamma)
    except TypeError:  # unhashable input: checked every time
        return _checked(a, b, gamma)


@functools.lru_cache(maxsize=64, typed=True)
def _cached_parameters(a, b, gamma):
    return _checked(a, b, gamma)


@functools.lru_cache(maxsize=64)
def _coefficients(a, b):
    """The double-precision data of (a, b), computed once per pair of checked parameters."""
    from .fast import Coefficients

    return Coefficients(a.at, b.at)


# ---------------------------------------------------------------- dispatch

def _evaluate(a, b, g, z, dps, method):
    try:
        return _by_path(a, b, g, z, dps, method)
    except OverflowError:
        # the paths size their work in doubles (|z|^(1/alpha), terms, precisions)
        exponent = float(mp.log10(abs(z.at()))) / a.approx.real if a.approx.real else math.inf
        raise DomainError(f"|z|^(1/alpha) = 10^{exponent:.0f} is too large: the estimates that size the evaluation "
                          "(powers of |z|^(1/alpha)) overflow double precision; keep |z|^(1/alpha) much smaller, "
                          "e.g. below 10^100") from None


def _by_path(a, b, g, z, dps, method):
    if method in ("auto", "closed form"):
        found = _closed_form(a, b, g, z, dps)
        if found is not None or method == "closed form":
            if found is None:
                raise InputError("no closed form for these parameters; use method='auto'")
            return found
    if a.approx.real == 0:
        raise DomainError("alpha = 0 has only the closed form 1/(Gamma(beta)(1-z))^gamma")
    if method == "series":
        return _series(a, b, g, z, dps)
    if method == "asymptotic":
        if g.rational != 1:
            raise InputError("the asymptotic path covers gamma = 1 only")
        found = _asymptotic(a, b, z, dps)
        if found is None:
            raise ConvergenceError("|z|^(1/alpha) is too small for the asymptotic expansion at "
                                   f"{dps} digits; use method='auto'")
        return found
    if method == "contour":
        found = _contour(a, b, g, z, dps)
        if found is None:
            raise ConvergenceError("the contour path does not apply here (gamma != 1 needs "
                                   "0 < alpha < 1 and |arg z| > alpha*pi) or did not converge")
        return found
    return _auto(a, b, g, z, dps)


def _auto(a, b, g, z, dps):
    alpha = a.approx.real
    radius = abs(z.approx) ** (1 / alpha) if z.approx else 0.0
    if radius <= _series_radius(dps):
        return _series(a, b, g, z, dps)
    gamma = g.rational
    if gamma == 1:
        found = _asymptotic(a, b, z, dps)
        if found is not None:
            return found
    elif gamma is not None and gamma.denominator == 1:
        order = int(gamma) - 1  # E^{m+1}_{a,b} = D^m E_{a,b-am} / m!
        terms = _derivative_terms(_shift(b, -a.approx.real * order, a, order), order, a)
        scale = Fraction(1, math.factorial(order))
        return _combination(a, {beta: c * scale for beta, c in terms.items()}, z, dps)
    found = _contour(a, b, g, z, dps)
    if found is not None:
        return found
    return _series(a, b, g, z, dps)


def _series_radius(dps):
    """Largest |z|^(1/a) where the guarded series is the path of choice."""
    return 1.3 * (dps + GUARD_DIGITS) * LN10


def _real_case(a, b, g, z):
    return z.is_real and a.is_real and b.is_real and g.is_real


def _finish(value, method, error, dps, z, *params):
    """Round to dps digits; the rounding joins the error estimate."""
    with mp.workdps(dps):
        value = +value
        if isinstance(value, COMPLEX) and _real_case(params[0], params[1], params[2], z):
            value = value.real
        error = mp.mpf(error) + abs(value) * mp.eps
    return MLResult(value, method, error, dps)


def _pole_check(z):
    if z == 1:
        raise DomainError("E_{0,beta}(z) = 1/(Gamma(beta)(1-z)) has a pole at z = 1")
    return z


# ---------------------------------------------------------------- closed forms

def _closed_form(a, b, g, z, dps):
    alpha, beta, gamma = a.rational, b.rational, g.rational
    if alpha is None or beta is None:
        return None
    size = abs(z.approx)
    extra = math.log10(size + 1) * 2 + 5
    with mp.workdps(dps + GUARD_DIGITS + int(extra)):
        zz = z.at()
        value = _closed_value(alpha, beta, gamma, g, b, zz)
        if value is None:
            return None
        error = abs(value) * mp.mpf(10) ** (-dps - GUARD_DIGITS // 2)
    return MLResult(value, "closed form", error, dps)


def _closed_value(alpha, beta, gamma, g, b, z):
    if gamma == 0 or z == 0:  # only the k = 0 term: exactly 0 when beta is a pole of Gamma
        return mp.rgamma(b.at())
    if alpha == 0:
        if not isinstance(z, COMPLEX) and z > 1 and (gamma is None or gamma.denominator != 1):
            # (1 - z)^-gamma takes different values above and below its cut: no real value to give
            raise DomainError("E^gamma_(0,beta)(z) = (1 - z)^-gamma / Gamma(beta) has a branch cut on z > 1 "
                              "for non-integer gamma; give z off the real axis (e.g. z + 1e-30j)")
        return mp.rgamma(b.at()) * (1 - _pole_check(z)) ** (-g.at())
    if alpha == 1 and gamma != 1 and not (beta <= 0 and beta.denominator == 1):
        return mp.hyp1f1(g.at(), b.at(), z) * mp.rgamma(b.at())
    if gamma != 1:
        return None
    if (alpha, beta) == (1, 1):
        return mp.exp(z)
    if (alpha, beta) == (1, 2):
        return mp.expm1(z) / z if z != 0 else mp.mpf(1)
    if alpha == 2 and beta in (1, 2):
        return _cosh_sinc(z, beta)
    if (alpha, beta) == (Fraction(1, 2), 1):
        return mp.exp(z * z) * mp.erfc(-z)
    return None


def _cosh_sinc(z, beta):
    """E_{2,1}(z) = cosh sqrt z and E_{2,2}(z) = sinh(sqrt z)/sqrt z, cos/sin for z < 0."""
    negative = isinstance(z, REAL) and z < 0
    root = mp.sqrt(-z) if negative else mp.sqrt(z)
    if beta == 1:
        return mp.cos(root) if negative else mp.cosh(root)
    if root == 0:
        return mp.mpf(1)
    return (mp.sin(root) if negative else mp.sinh(root)) / root


# ---------------------------------------------------------------- series

def _log_term(k, alpha, beta, gamma, log_z):
    """log |k-th series term| in double precision (-inf where 1/Gamma vanishes)."""
    x = alpha * k + beta
    if x <= 0 and x == int(x):
        return -math.inf
    log_poch = 0.0
    if gamma != 1:
        if gamma == 0 and k > 0:
            return -math.inf
        log_poch = math.lgamma(gamma + k) - math.lgamma(gamma) - math.lgamma(k + 1)
    return k * log_z - math.lgamma(x) + log_poch


def _series_plan(alpha, beta, gamma, size, digits):
    """(log of the largest term, number of terms) for `digits` digits below it."""
    if size == 0:
        return -math.lgamma(beta) if beta > 0 else 0.0, 1
    log_z = math.log(size)
    peak, k = -math.inf, 0
    while k < MAX_SERIES_TERMS:
        t = _log_term(k, alpha, beta, gamma, log_z)
        peak = max(peak, t)
        past = alpha * k + beta > 1 and t < peak - digits * LN10 - 5
        if past and _ratio_bound(k, alpha, beta, gamma, size) < 0.5:
            if peak / LN10 > MAX_GUARD_DIGITS:
                break
            return peak, k + 1
        k += 1
    raise ConvergenceError(f"the series for |z| = {size:.3g}, alpha = {alpha:g} needs more than "
                           f"{MAX_SERIES_TERMS} terms or {MAX_GUARD_DIGITS} guard digits, and no "
                           "other path applies; ask for fewer digits or a smaller |z|")


def _ratio_bound(k, alpha, beta, gamma, size):
    """Bound of |t_{j+1}/t_j| for every j >= k (needs alpha k + beta > 0).

    Gamma(x)/Gamma(x + alpha) decreases for x > 0 (log-convexity) and
    (gamma + j)/(j + 1) is monotone with limit 1, so its value at k or 1 bounds it.
    """
    x = alpha * k + beta
    poch = max(1.0, (gamma + k) / (k + 1))
    return size * poch * math.exp(math.lgamma(x) - math.lgamma(x + alpha))


def _series(a, b, g, z, dps):
    alpha, beta, gamma = a.approx.real, b.approx.real, g.approx.real
    size = abs(z.approx)
    target = dps + GUARD_DIGITS
    log_peak, terms = _series_plan(alpha, beta, gamma, size, target)
    lost = max(0.0, log_peak / LN10)  # assume |E| >= 1 first, then measure
    for _ in range(4):
        wp = int(target + lost + math.log10(terms + 1)) + 5
        with mp.workdps(wp):
            total, tail, biggest = _series_sum(a.at(), b.at(), g.at(), z.at(), wp, alpha, beta, gamma)
            magnitude = abs(total)
            roundoff = biggest * mp.mpf(10) ** (-wp + 1) * mp.sqrt(terms + 1)
            error = roundoff + tail
            if magnitude and error <= magnitude * mp.mpf(10) ** (-dps - 2):
                return MLResult(total, "series", error, dps)
        if magnitude:
            lost = max(lost + 1, float(mp.log10(biggest / magnitude)) + 2)
        else:
            lost += dps + 5
        if lost > 20 * dps + 500:
            break
    raise ConvergenceError(f"series for E_{{{alpha:g},{beta:g}}}({z.approx}) lost its digits "
                           "(the value is near a zero); no digits returned")


def _series_sum(a, b, g, z, wp, alpha, beta, gamma):
    """Sum the series at the current precision; return (sum, tail bound, largest |term|)."""
    eps = mp.mpf(10) ** (-wp)
    total, power, poch, biggest = mp.mpf(0), mp.mpf(1), mp.mpf(1), mp.mpf(0)
    size = float(abs(z)) if z else 0.0
    k = 0
    while True:
        term = power * poch * mp.rgamma(a * k + b)
        total += term
        biggest = max(biggest, abs(term))
        if alpha * k + beta > 1 and size == 0:
            return total, mp.mpf(0), biggest
        if alpha * k + beta > 1 and abs(term) <= eps * biggest:
            rho = _ratio_bound(k, alpha, beta, gamma, size)
            if rho < 0.5:
                tail = abs(term) * rho / (1 - rho)
                if tail <= eps * biggest:
                    return total, tail, biggest
        if k > MAX_SERIES_TERMS:
            raise ConvergenceError("series did not converge within its term budget")
        power *= z
        poch *= (g + k) / (k + 1)
        k += 1


# ---------------------------------------------------------------- asymptotics

def _asymptotic(a, b, z, dps):
    """Exponential residues plus the envelope-truncated algebraic series, or None."""
    alpha, beta = a.approx.real, b.approx.real
    size = abs(z.approx)
    if size == 0:
        return None
    radius = size ** (1 / alpha)
    wp = dps + GUARD_DIGITS + int(math.log10(radius + 1)) + 5
    with mp.workdps(wp):
        aa, bb, zz = a.at(), b.at(), z.at()
        total = _exponential_part(aa, bb, zz)
        algebraic, envelope = _algebraic_part(aa, bb, zz, alpha, beta, total, wp)
        total += algebraic
        beyond = mp.exp(-radius) * max(1, radius ** (1 - beta)) / alpha  # Stokes-line terms
        error = envelope + beyond + abs(total) * mp.mpf(10) ** (-wp + 2)
        if not total or error > abs(total) * mp.mpf(10) ** (-dps - 2):
            return None
    return MLResult(total, "asymptotic", error, dps)


def _poles(alpha, z):
    """Angles arg z + 2 pi j with |arg z + 2 pi j| < alpha pi: the residues s_j = r e^(i angle/alpha)."""
    theta = mp.arg(z)
    lo = math.ceil((-alpha * math.pi - float(theta)) / (2 * math.pi))
    hi = math.floor((alpha * math.pi - float(theta)) / (2 * math.pi))
    angles = [theta + 2 * mp.pi * j for j in range(lo, hi + 1)]
    return [t for t in angles if abs(t) < alpha * mp.pi]


def _exponential_part(a, b, z):
    radius = abs(z) ** (1 / a)
    total = mp.mpf(0)
    for angle in _poles(float(a), z):
        s = radius * mp.expjpi(angle / (a * mp.pi))
        total += s ** (1 - b) * mp.exp(s) / a
    return total


def _algebraic_part(a, b, z, alpha, beta, exponential, wp):
    """-sum_k z^-k / Gamma(b - a k), stopped at the envelope minimum or below 10^-wp."""
    log_size = math.log(abs(complex(z)))
    total, inverse, k = mp.mpf(0), 1 / z, 1
    power = inverse
    previous = math.inf
    floor = abs(exponential)
    while True:
        x = 1 + alpha * k - beta
        envelope = math.exp(-k * log_size + math.lgamma(x) - math.log(math.pi)) if x > 0 else math.inf
        if x > 1 and envelope > previous:
            return total, mp.mpf(previous)
        term = power * mp.rgamma(b - a * k)
        total -= term
        reference = max(floor, abs(total))
        if x > 1 and reference and envelope < float(reference) * 10.0 ** (-wp):
            return total, mp.mpf(envelope)
        previous = envelope if x > 1 else math.inf
        power *= inverse
        k += 1


# ---------------------------------------------------------------- contour

def _contour(a, b, g, z, dps):
    """Hankel integral on the parabola s = mu (1 + i u)^2 plus residues, or None."""
    alpha, gamma = a.approx.real, g.approx.real
    if alpha <= 0:
        return None
    with mp.workdps(30):
        angles = [float(t) / alpha for t in _poles(alpha, mp.mpc(z.approx))] if z.approx else []
    if gamma != 1 and (angles or alpha >= 1):
        return None  # branch points of (s^a - z)^-g: no residue theorem
    radius = abs(z.approx) ** (1 / alpha) if z.approx else 0.0
    levels = [radius * math.cos(phi / 2) ** 2 for phi in angles]
    mu = _parabola_parameter(levels, dps)
    if mu is None:
        return None
    wp = dps + GUARD_DIGITS + int(mu / LN10) + 5
    reach = math.sqrt((wp * LN10 + 10) / mu) + 1
    splits = sorted({round(x, 6) for x in [-reach + i * reach / 8 for i in range(17)]
                     + [math.tan(phi / 2) for phi in angles if abs(math.tan(phi / 2)) < reach]})
    with mp.workdps(wp):
        aa, bb, gg, zz = a.at(), b.at(), g.at(), z.at()
        power = aa * gg - bb

        def integrand(u):
            w = 1 + 1j * u
            s = mu * w * w
            return mp.exp(s) * s ** power * (s ** aa - zz) ** (-gg) * mu * w / mp.pi

        value, quad_error = mp.quad(integrand, splits, error=True, maxdegree=10)
        exact_radius = abs(zz) ** (1 / aa) if zz else 0
        for angle, level in zip(_poles(alpha, zz) if zz else [], levels):
            if level > mu:  # the pole lies right of the parabola: add its residue
                s = exact_radius * mp.expj(angle / aa)
                value += s ** (1 - bb) * mp.exp(s) / aa
        error = quad_error * 10 + abs(value) * mp.mpf(10) ** (-wp + 2)
        if error > abs(value) * mp.mpf(10) ** (-dps - 2):
            return None
    return MLResult(value, "contour", error, dps)


def _parabola_parameter(levels, dps):
    """mu between the levels r cos^2(phi/2) of the poles, as far from all of them as possible."""
    ceiling = (dps + GUARD_DIGITS) * LN10  # costs at most as many extra digits as asked for
    marks = sorted(set([0.0] + levels))
    best, best_score = None, -math.inf
    for lo, hi in zip(marks, marks[1:] + [math.inf]):
        if hi == math.inf:
            mu = max(2 * lo, lo + 4, 2.0)
        else:
            mu = math.sqrt(max(lo, 0.5) * hi) if lo else min(hi / 2, max(1.0, hi / 4))
        if mu > ceiling or mu <= lo or mu >= hi:
            continue
        score = min(mu / lo if lo else 10.0, hi / mu) - mu / ceiling
        if score > best_score:
            best, best_score = mu, score
    return best


# ---------------------------------------------------------------- derivatives

def _derivative_terms(b, order, a):
    """{beta: coefficient} with D^order E_{a,b} = sum coefficient E_{a,beta}."""
    alpha, beta0 = a.rational, b.rational
    exact = alpha is not None and beta0 is not None
    alpha = alpha if exact else a.approx.real
    terms = {beta0 if exact else b.approx.real: Fraction(1) if exact else 1.0}
    for _ in range(order):
        nxt = {}
        for beta, c in terms.items():
            for shift, factor in ((alpha - 1, 1), (alpha, 1 - beta)):
                if factor:
                    key = beta + shift
                    nxt[key] = nxt.get(key, 0) + c * factor / alpha
        terms = {k: v for k, v in nxt.items() if v}
    return terms


def _shift(b, amount, a, order):
    """The parameter b - a*order, kept exact when a and b are rational."""
    if a.rational is not None and b.rational is not None:
        return _Arg(sympy.Rational(b.rational - a.rational * order), "beta")
    return _Arg(mp.mpf(b.approx.real + amount), "beta")


def _combination(a, terms, z, dps):
    """sum c_i E_{a,beta_i}(z), re-evaluated with more digits when it cancels."""
    digits = dps
    for _ in range(4):
        parts = [(c, mittag_leffler(_as_input(a), _as_input_beta(beta), _as_input(z), dps=digits + 5))
                 for beta, c in terms.items()]
        with mp.workdps(digits + GUARD_DIGITS):
            coefficient = lambda c: mp.mpf(c.numerator) / c.denominator if isinstance(c, Fraction) \
                else mp.mpf(c)
            total = mp.fsum(coefficient(c) * r.value for c, r in parts)
            scale = mp.fsum(abs(coefficient(c) * r.value) for c, r in parts)
            error = mp.fsum(abs(coefficient(c)) * r.error for c, r in parts)
            if total and error <= abs(total) * mp.mpf(10) ** (-dps - 1):
                methods = sorted({r.method for _, r in parts})
                return MLResult(total, " + ".join(methods), error, dps)
            lost = float(mp.log10(scale / abs(total))) if total else dps
        digits = dps + int(lost) + 5 if lost < 10 * dps else digits * 2
    raise ConvergenceError("the derivative combination cancels to below the working precision")


def _as_input(arg):
    return arg._mp if arg._mp is not None else arg.exact


def _as_input_beta(beta):
    return sympy.Rational(beta.numerator, beta.denominator) if isinstance(beta, Fraction) \
        else mp.mpf(beta)
