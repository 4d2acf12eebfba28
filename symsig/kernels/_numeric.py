"""Activations compiled for quadrature: their smooth pieces as mpmath callables.

An activation is handled as its smooth pieces (:func:`symsig.facts.facts`),
each compiled once to an mpmath function; the integrals themselves are
:mod:`symsig.quadrature`'s, split at the kinks (:meth:`CompiledPieces.breakpoints`).
"""

from bisect import bisect_right
from functools import lru_cache

import sympy

from ..activations import x
from ..facts import facts
from ..errors import UndefinedError
from ..precision import lambdify_mpmath, mp
from .closed import elementary_form


class CompiledPieces:
    """A piecewise-smooth function as mpmath callables between sorted breakpoints."""

    def __init__(self, pieces):
        self.symbolic = pieces
        self.breakpoints_exact = pieces.breakpoints
        self._funcs = [lambdify_mpmath(x, elementary_form(p.expr, division_free=True)) for p in pieces.pieces]

    def breakpoints(self):
        return [mp.mpf(sympy.N(b, mp.dps + 5)) for b in self.breakpoints_exact]

    def __call__(self, value, points):
        return self._funcs[bisect_right(points, value)](value)

    def at(self, points):
        """``self`` as a function of x alone, with the ``points`` from :meth:`breakpoints`."""
        return lambda value: self(value, points)


@lru_cache(maxsize=128)
def compiled(phi, derivative=False):
    """The compiled pieces of ``phi`` (or of its classical derivative)."""
    known = facts(phi)
    if derivative:
        jumps = known.jumps(0)
        if jumps:
            raise UndefinedError(
                f"phi jumps at x = {sorted(jumps, key=float)}, so phi' carries a Dirac mass: "
                "E[phi'(U) phi'(V)] then depends on how the mass is counted (autograd counts 0); "
                "use a continuous activation")
    return CompiledPieces(known.derivative(1 if derivative else 0))
