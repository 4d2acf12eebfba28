"""The standard normal density and distribution function, in the active precision context.

One definition for every numeric engine.  Arguments are converted into the
active private context first, so a number from another context (or a Python
float) never decides the precision; ``sf`` is the upper tail computed without
the cancellation of ``1 - cdf(z)`` (at z = 40 that difference is 0, sf is 3.7e-350).

>>> from symsig.precision import mp, workdps
>>> with workdps(30):
...     str(pdf(0))[:32], str(cdf(0)), mp.nstr(sf(40), 5)
('0.398942280401432677939946059934', '0.5', '3.6559e-350')
"""

from .precision import current, mp


def pdf(z):
    """``exp(-z**2/2) / sqrt(2 pi)``."""
    z = mp.convert(z)
    return mp.exp(-z * z / 2) * _inverse_sqrt_2pi()


def _inverse_sqrt_2pi():
    # once per context and precision: quadrature calls pdf at every node
    ctx = current()
    cache = getattr(ctx, "_symsig_inverse_sqrt_2pi", None)
    if cache is None or cache[0] != ctx.prec:
        cache = ctx._symsig_inverse_sqrt_2pi = (ctx.prec, 1 / ctx.sqrt(2 * ctx.pi))
    return cache[1]


def cdf(z):
    """``P(Z <= z)``, accurate in the lower tail (``erfc`` form)."""
    return mp.erfc(-mp.convert(z) / mp.sqrt(2)) / 2


def sf(z):
    """``P(Z > z) = cdf(-z)``, accurate in the upper tail."""
    return mp.erfc(mp.convert(z) / mp.sqrt(2)) / 2
