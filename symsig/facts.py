"""What symsig knows about an activation, computed once and shared by every engine.

:func:`facts` returns the one :class:`ActivationFacts` of an activation
expression: its smooth pieces, their derivatives, the jumps of each
derivative (the kinks), the breakpoints, smoothness degree, the asymptotic
slopes, growth class and the regularity functionals (TV(phi'), Lip, C, B).
The signature, the laws' instance checks, stability, the kernels and the
Hermite spectra all read them from here, so an activation is decomposed and
differentiated once per process, and its slopes once per precision.

Every fact is a pure function of the expression (and of ``dps`` for the
numeric ones), so caching them cannot change an answer.

>>> import sympy
>>> from symsig.activations import x
>>> f = facts(sympy.Min(sympy.Max(x, 0), 6))
>>> f.breakpoints, f.jumps(0), f.kinks, f.smoothness_degree
([0, 6], {}, {0: 1, 6: -1}, 1)
>>> [str(q) for q in f.slopes(15)], f.growth(15)
(['0', '0'], 'A0')
"""

from functools import cached_property, lru_cache

import sympy

from .calculus import decompose, growth_class, slopes, smoothness_degree
from .components import DDPHI, DPHI, PHI
from .quantity import INFINITE, UNDEFINED
from .regularity import areas, lipschitz, total_variation


class ActivationFacts:
    """The facts of one activation ``expr`` (a SymPy expression in x)."""

    def __init__(self, expr):
        self.expr = expr
        self._derivatives, self._jumps = {}, {}

    @cached_property
    def pieces(self):
        """phi as a :class:`~symsig.calculus.PiecewiseSmooth`."""
        return decompose(self.expr)

    def derivative(self, order):
        """The classical derivative of the given order, piece by piece."""
        if order == 0:
            return self.pieces
        if order not in self._derivatives:
            self._derivatives[order] = self.derivative(order - 1).diff()
        return self._derivatives[order]

    @property
    def first(self):
        return self.derivative(1)

    @property
    def second(self):
        return self.derivative(2)

    def jumps(self, order=0):
        """``{point: jump}`` of the derivative of that order (order 0: phi's own jumps)."""
        if order not in self._jumps:
            self._jumps[order] = self.derivative(order).jumps()
        return self._jumps[order]

    @property
    def kinks(self):
        """Jumps of phi' (the Dirac masses of phi'')."""
        return self.jumps(1)

    @property
    def breakpoints(self):
        return self.pieces.breakpoints

    @cached_property
    def smoothness_degree(self):
        return smoothness_degree(self.expr)

    def value_at(self, point):
        """phi at a breakpoint where it is continuous (its left piece's end value)."""
        index = next(i for i, p in enumerate(self.pieces.pieces) if p.hi == point)
        return self.pieces.one_sided(index, point)

    def classical(self, integrand):
        """``integrand`` in PHI, DPHI, DDPHI as a piecewise function of x (classical derivatives)."""
        parts = iter([integrand.xreplace({PHI: p0.expr, DPHI: p1.expr, DDPHI: p2.expr}) for p0, p1, p2
                      in zip(self.pieces.pieces, self.first.pieces, self.second.pieces)])
        return self.pieces.map(lambda e: next(parts))

    def dirac_part(self, integrand, sigma, mu):
        """What the Dirac masses of phi' and phi'' add to E[integrand] at ``X = mu + sigma Z``.

        ``(exact value, None)``, or ``(None, (status, reason))`` when they make the
        expectation infinite (a squared mass) or undefined (a mass times a function
        that jumps at the same point).

        >>> from symsig.activations import x
        >>> facts(sympy.Heaviside(x)).dirac_part(DPHI, 1, 0)
        (sqrt(2)/(2*sqrt(pi)), None)
        >>> facts(sympy.Heaviside(x)).dirac_part(PHI * DPHI, 1, 0)[1][0]
        <Status.UNDEFINED: 'undefined'>
        """
        integrand = sympy.expand(integrand)
        total = sympy.Integer(0)
        # phi is continuous at the masses of phi'' (unless it also jumps), never at those of phi'
        for masses, symbol, allowed in ((self.jumps(0), DPHI, set()), (self.kinks, DDPHI, {PHI})):
            if not masses or not integrand.has(symbol):
                continue
            if symbol == DDPHI and self.jumps(0):
                return None, (UNDEFINED, "phi jumps, so phi'' contains derivatives of Dirac masses")
            degree = sympy.degree(integrand, symbol)
            if degree >= 2:
                coefficient = integrand.coeff(symbol, degree)
                if coefficient.free_symbols or coefficient > 0:
                    return None, (INFINITE, f"{symbol.name}**{degree} squares a Dirac mass")
            coefficient = integrand.coeff(symbol, 1)
            if coefficient.free_symbols - allowed:
                return None, (UNDEFINED, "a Dirac mass multiplies a function that jumps at the same point")
            for point, jump in masses.items():
                density = sympy.exp(-(point - mu) ** 2 / (2 * sigma**2)) / (sigma * sympy.sqrt(2 * sympy.pi))
                total += jump * coefficient.xreplace({PHI: self.value_at(point)}) * density
        return total, None

    def slopes(self, dps):
        """``(alpha_plus, alpha_minus)`` as :class:`~symsig.quantity.Quantity` objects."""
        return slopes(self.expr, dps)

    def growth(self, dps):
        """``"A0"``, ``"A1"``, ``"A>1"`` or ``"undefined"`` (see :func:`symsig.calculus.growth_class`)."""
        return growth_class(self.expr, dps)

    def total_variation(self, dps):
        return total_variation(self.expr, dps)

    def lipschitz(self, dps):
        return lipschitz(self.expr, dps)

    def areas(self, dps):
        """``(C, B)``: the tail-compensated and signed areas between phi and its asymptotes."""
        return areas(self.expr, *self.slopes(dps), dps)


@lru_cache(maxsize=512)
def facts(expr):
    """The :class:`ActivationFacts` of ``expr`` (one object per expression)."""
    return ActivationFacts(expr)


__all__ = ["ActivationFacts", "facts"]
