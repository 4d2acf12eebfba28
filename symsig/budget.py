"""Time budgets for symbolic work that may not terminate in reasonable time.

``sympy.integrate``, ``limit`` and ``solve`` can run for minutes and then give
up; every such call in symsig runs under :func:`time_budget`, and a call that
runs out raises :class:`~symsig.errors.BudgetExceeded`, which callers turn into
"no closed form" and a numeric fallback.

The budget uses ``SIGALRM``, so it interrupts pure-Python SymPy code only on the
main thread of a POSIX process; elsewhere the block runs unbudgeted, which is
why callers also keep their symbolic steps small.
"""

import signal
import threading
from contextlib import contextmanager

from .errors import BudgetExceeded


def _can_use_alarm():
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_budget(seconds, what="symbolic computation"):
    """Raise :class:`BudgetExceeded` if the block runs longer than ``seconds``.

    Nested budgets keep the tighter deadline of the two.

    >>> import time
    >>> with time_budget(1.0):
    ...     1 + 1
    2
    >>> with time_budget(0.05, "a nap"):
    ...     time.sleep(1)
    Traceback (most recent call last):
    ...
    symsig.errors.BudgetExceeded: a nap exceeded its budget of 0.05 s
    """
    if not _can_use_alarm():
        yield
        return
    outer_remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    if outer_remaining and outer_remaining < seconds:
        yield  # the enclosing, tighter budget stays in force
        return

    def on_alarm(signum, frame):
        raise BudgetExceeded(f"{what} exceeded its budget of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_remaining:
            signal.setitimer(signal.ITIMER_REAL, max(outer_remaining - seconds, 1e-3))


def attempt(func, *args, seconds=2.0, what="symbolic computation", **kwargs):
    """Return ``func(*args, **kwargs)`` or None if it exceeds its budget or fails.

    For optional symbolic steps whose failure only means "no closed form".
    """
    try:
        with time_budget(seconds, what):
            return func(*args, **kwargs)
    except BudgetExceeded:
        return None
    except (NotImplementedError, ValueError, TypeError, ArithmeticError, RecursionError,
            AttributeError, IndexError, KeyError):
        return None


def simplify(expr, seconds=2.0):
    """``sympy.simplify`` within a budget; the expression unchanged when it runs out."""
    import sympy

    result = attempt(sympy.simplify, expr, seconds=seconds, what="simplify")
    return expr if result is None else result


def is_zero(expr, variable=None, seconds=2.0):
    """True only when ``expr`` is proved identically 0 (numeric screen, then budgeted simplify).

    >>> import sympy
    >>> t = sympy.Symbol("t", real=True)
    >>> is_zero(sympy.tanh(-t) + sympy.tanh(t), t), is_zero(sympy.tanh(t) - t, t)
    (True, False)
    """
    import sympy

    if expr == 0:
        return True
    free = sorted(expr.free_symbols, key=str)
    for probe in (sympy.Rational(7, 10), sympy.Rational(-13, 10), sympy.Rational(29, 10)):
        value = expr.subs({s: probe for s in free}).evalf(30)
        if value.is_number and value.is_comparable and abs(value) > sympy.Float("1e-25"):
            return False
    result = attempt(sympy.simplify, expr, seconds=seconds, what="simplify")
    return result == 0
