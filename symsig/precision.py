"""Precision hygiene: one private mpmath context per call, exact user numbers, formatting.

symsig never reads or writes the global ``mpmath.mp``.  Numeric work runs inside
:func:`workdps`, which creates a fresh private ``mpmath.MPContext`` at the requested
digits plus :data:`GUARD_DIGITS` (the one place guard digits are decided) and makes it
the *active* context of the calling thread (a :mod:`contextvars` variable, so no other
thread or task sees it).  Engine code reaches it through :data:`mp`, which forwards
every attribute to the active context: ``mp.exp(x)``, ``mp.mpf(1)``, ``mp.workprec(p)``.

Public entry points are wrapped in :func:`engine_call`: SymPy's own numeric evaluation
(``evalf`` of erf, gamma, tanh, ...) sets mpmath's *global* precision while it works,
which is not thread-safe, so symsig runs one call at a time per process and is
parallel across processes (an executor of processes, Dask workers).
"""

import contextvars
import functools
import importlib
import threading
import types
from contextlib import contextmanager
from fractions import Fraction

import mpmath
import sympy
from mpmath.ctx_mp_python import _mpc, _mpf

from .errors import DomainError, InputError, LimitError
import symsig.limits as limits  # the module, not the package root: limits are read at call time
from .parsing import parse_number

GUARD_DIGITS = 10

#: the types of real and complex mpmath numbers of *any* context (``mpmath.mpf`` is the
#: global context's own subclass, so ``isinstance(v, mpmath.mpf)`` is False for ours)
REAL, COMPLEX = _mpf, _mpc

_ACTIVE = contextvars.ContextVar("symsig_mpmath_context")
_ENGINE_LOCK = threading.RLock()


def private_context(dps):
    """A new mpmath context at exactly ``dps`` decimal digits that nothing else shares."""
    ctx = mpmath.MPContext()
    ctx.dps = dps
    return ctx


@contextmanager
def workdps(dps, guard=GUARD_DIGITS):
    """Run a block in a private mpmath context at ``dps + guard`` digits; yields the context.

    The global ``mpmath.mp`` is neither read nor changed.

    >>> import mpmath
    >>> before = mpmath.mp.dps
    >>> with workdps(50) as ctx:
    ...     ctx.dps, mp.dps, mpmath.mp.dps == before
    (60, 60, True)
    """
    with at_digits(check_dps(dps) + guard) as ctx:
        yield ctx


@contextmanager
def at_digits(digits):
    """Run a block in a fresh private context at exactly ``digits`` working digits.

    For engines that decide their own working precision (already validated at the
    API boundary, guard digits included); the enclosing context is restored after.
    """
    ctx = private_context(digits)
    token = _ACTIVE.set(ctx)
    try:
        yield ctx
    finally:
        _ACTIVE.reset(token)


def active_digits(default=15):
    """Working digits of the active context, or ``default`` outside any symsig call."""
    ctx = _ACTIVE.get(None)
    return default if ctx is None else ctx.dps


def current():
    """The active private context (inside :func:`workdps`)."""
    try:
        return _ACTIVE.get()
    except LookupError:
        raise RuntimeError("symsig numeric code ran outside a precision context "
                           "(wrap it in symsig.precision.workdps)") from None


class _ActiveContext:
    """``mp.name`` is ``name`` of the calling thread's active private context."""

    __slots__ = ()

    def __getattr__(self, name):
        if name.startswith("__"):  # introspection (doctest, copy, pickle) finds nothing here
            raise AttributeError(name)
        return getattr(current(), name)

    def __setattr__(self, name, value):
        raise AttributeError("set precision with symsig.precision.workdps or mp.workprec, "
                             "not by assignment")


mp = _ActiveContext()


def engine_call(func):
    """Run a public entry point while holding the engine lock (one symsig call at a time
    per process; see the module docstring).  Re-entrant: engines call each other freely."""
    @functools.wraps(func)
    def locked(*args, **kwargs):
        with _ENGINE_LOCK:
            return func(*args, **kwargs)
    if hasattr(func, "cache_clear"):  # a wrapped lru_cache stays clearable
        locked.cache_clear = func.cache_clear
    return locked


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
    elif isinstance(value, (REAL, COMPLEX)):
        expr = _mpf_to_rational(value)
    elif isinstance(value, str):
        expr = parse_number(value, name, allow_infinity)
    else:
        raise InputError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if expr.free_symbols:
        raise InputError(f"{name} must be a number, got the expression {expr}")
    return expr


def _mpf_to_rational(value):
    if isinstance(value, COMPLEX):
        return _mpf_to_rational(value.real) + sympy.I * _mpf_to_rational(value.imag)
    if not FIXED.isfinite(value):
        raise DomainError(f"number must be finite, got {value}")
    sign, man, exp, _ = value._mpf_  # man_exp drops the sign: mpf(-0.5).man_exp == (1, -1)
    return (-1) ** sign * sympy.Integer(man) * sympy.Integer(2) ** exp


def to_mpmath(expr):
    """Evaluate an exact SymPy number in the active context, to its precision."""
    ctx = current()
    value = sympy.N(expr, ctx.dps + 5)
    if value.is_real:
        return ctx.mpf(value)
    re, im = value.as_real_imag()
    return ctx.mpc(ctx.mpf(re), ctx.mpf(im))


def format_value(value, dps):
    """Decimal string with ``dps`` significant digits; ``oo``/``-oo`` for infinities."""
    if value is None:
        return "undefined"
    if isinstance(value, COMPLEX):
        # the sign comes off the printed digits: abs() would round to the caller's precision
        imag = format_value(value.imag, dps)
        return f"{format_value(value.real, dps)}{'-' if imag.startswith('-') else '+'}{imag.lstrip('-')}j"
    if FIXED.isinf(value):
        return "oo" if value > 0 else "-oo"
    if FIXED.isnan(value):
        return "undefined"
    if value == 0:
        return "0"
    ctx = private_context(dps + GUARD_DIGITS)
    return ctx.nstr(ctx.mpf(value), dps, min_fixed=-5, max_fixed=dps + 1, strip_zeros=False)


#: A private context at 15 digits that no code changes: for magnitudes, comparisons of
#: error sizes, exact constants (0, inf) and short printing, in or outside a call.
FIXED = mpmath.MPContext()


def short_str(value, digits=3):
    """A few significant digits of ``value`` (error estimates, messages), at any exponent.

    ``mpmath.nstr`` of a tiny number held at thousands of digits converts a huge
    integer to text and hits Python's 4300-digit limit; rounding first avoids it.

    >>> with workdps(4500):
    ...     tiny = mp.sqrt(2) * mp.mpf(10) ** -4400
    >>> short_str(tiny)
    '1.41e-4400'
    """
    return FIXED.nstr(FIXED.mpf(value), digits)


# sympy's lambdify prints mpmath names (``erf``, ``mpf``, ``pi``) and SymPy names that it
# translates (``Abs`` -> ``fabs``); a context's namespace binds all of them to that context
_TRANSLATIONS = dict(importlib.import_module("sympy.utilities.lambdify").MPMATH_TRANSLATIONS)
_PUBLIC_NAMES = [n for n in dir(mpmath) if not n.startswith("_")]


def _namespace(ctx):
    namespace = getattr(ctx, "_symsig_namespace", None)
    if namespace is None:
        namespace = {name: getattr(ctx, name, getattr(mpmath, name)) for name in _PUBLIC_NAMES}
        namespace.update({s: getattr(ctx, m) for s, m in _TRANSLATIONS.items() if hasattr(ctx, m)})
        ctx._symsig_namespace = namespace
    return namespace


class ContextFunction:
    """A lambdified expression evaluated in the active private context of each call.

    The generated code is compiled once; its global names are rebound to the context
    that is active when it is called, so constants such as ``pi`` and functions such as
    ``erf`` run at that context's precision.  Functions with a numeric implementation
    (``_imp_``, e.g. symsig's Mittag-Leffler classes) are found by lambdify itself.

    >>> f = lambdify_mpmath(sympy.Symbol("t"), sympy.pi * sympy.Symbol("t"))
    >>> with workdps(40):
    ...     str(f(1))[:42]
    '3.1415926535897932384626433832795028841971'
    """

    __slots__ = ("_template", "_bound", "_double")

    def __init__(self, template):
        self._template = template
        self._bound = (None, None)
        self._double = None

    def __call__(self, *args):
        ctx = current()
        bound_ctx, func = self._bound
        if bound_ctx is not ctx:
            imps = {k: v for k, v in self._template.__globals__.items() if k not in _namespace(ctx)}
            func = types.FunctionType(self._template.__code__, {**imps, **_namespace(ctx)})
            self._bound = (ctx, func)
        # an argument from another context would make the result that context's number
        return func(*map(ctx.convert, args))

    def in_floats(self, *args):
        """The same code in double precision (mpmath's stateless ``fp`` context): a cheap first
        look, e.g. at a sign, to be confirmed by an evaluation in a private context.

        >>> f = lambdify_mpmath(sympy.Symbol("t"), sympy.tanh(sympy.Symbol("t")) - 1)
        >>> f.in_floats(2.0)
        -0.03597241992418...
        """
        if self._double is None:
            imps = {k: v for k, v in self._template.__globals__.items() if k not in _namespace(mpmath.fp)}
            self._double = types.FunctionType(self._template.__code__, {**imps, **_namespace(mpmath.fp)})
        return self._double(*map(float, args))


def lambdify_mpmath(args, expr):
    """``expr`` as a :class:`ContextFunction` of ``args`` (call it inside :func:`workdps`)."""
    return ContextFunction(sympy.lambdify(args, expr, modules="mpmath"))
