"""One safeguarded bracket-and-refine root finder.

Given ``f`` and a bracket ``[a, b]`` on which ``f`` changes sign, :func:`refine_root`
shrinks the bracket by the Illinois variant of regula falsi, falling back to
bisection whenever a step does not at least halve the bracket over two steps, to
``digits`` correct decimal digits.  The bracket always contains a sign change, so
the result is right whatever the shape of ``f`` (no starting-point luck, unlike
a secant or Newton iteration), and the work is bounded: at most
:data:`MAX_ITERATIONS` evaluations.

Call inside a ``workdps`` block; the sign at the bracket ends is checked at the
current precision, and a bracket whose signs agree there (a sign change seen
only at low precision) is reported by :class:`NoSignChange`.

>>> from symsig.precision import workdps
>>> with workdps(50):
...     r = refine_root(lambda t: t * t - 2, 1, 2, digits=50)
...     abs(r - mp.sqrt(2)) < mp.mpf(10)**-50
True
"""


from .errors import ConvergenceError, SymsigError
from .precision import mp

MAX_ITERATIONS = 4000  # bisection alone gains 3.3 bits a step: enough for ~1000 digits


class NoSignChange(SymsigError, ArithmeticError):
    """The function does not change sign on the bracket at the working precision."""


def _sign(value):
    return (value > 0) - (value < 0)


def refine_root(f, a, b, digits, max_iterations=MAX_ITERATIONS):
    """A point within ``10**-digits`` (relative to max(1, |root|)) of a sign change of ``f`` in [a, b].

    ``f(a)`` and ``f(b)`` must have opposite signs at the current precision
    (else :class:`NoSignChange`); an end where ``f`` is exactly 0 is returned.
    Raises :class:`ConvergenceError` if ``max_iterations`` evaluations do not suffice.
    """
    a, b = mp.mpf(a), mp.mpf(b)
    if a > b:
        a, b = b, a
    fa, fb = mp.mpf(f(a)), mp.mpf(f(b))
    if fa == 0:
        return a
    if fb == 0:
        return b
    if _sign(fa) == _sign(fb):
        raise NoSignChange(f"no sign change of the function on [{mp.nstr(a, 8)}, {mp.nstr(b, 8)}] "
                           "at the working precision")
    tolerance = mp.mpf(10) ** (-digits)
    side = 0  # the end that moved last: Illinois halves the other end's value when it stays twice
    width = b - a
    for iteration in range(max_iterations):
        if b - a <= tolerance * max(1, abs(a), abs(b)):
            return (a + b) / 2
        bisect = False
        if iteration % 3 == 0:  # three steps that do not halve the bracket: bisect once
            bisect = iteration > 0 and b - a > width / 2
            width = b - a
        c = (a + b) / 2 if bisect else b - fb * (b - a) / (fb - fa)
        if not a < c < b:
            c = (a + b) / 2
            if not a < c < b:  # a and b are adjacent numbers: no finer answer exists
                return c
        fc = mp.mpf(f(c))
        if fc == 0:
            return c
        if _sign(fc) == _sign(fa):
            a, fa = c, fc
            if side == -1:
                fb /= 2
            side = -1
        else:
            b, fb = c, fc
            if side == 1:
                fa /= 2
            side = 1
    raise ConvergenceError(f"root refinement did not reach {digits} digits in {max_iterations} steps")
