"""Rule-based closed forms for Gaussian expectations and definite integrals.

A table of normal integrals (in the spirit of D. B. Owen, "A table of normal
integrals", 1980) turned into code: the integrand is split into terms
``x**k exp(A x**2 + B x) prod Phi(c + d x)`` and each term is looked up in a
small set of rules (truncated normal moments, completing the square, Stein
integration by parts, Sheppard's arcsin and Owen's arctan results).  A term
outside the table means "no rule" and the answer is None, quickly; the caller
then falls back to quadrature.

* :func:`truncated_expectation` ``(g, x, a, b, sigma, mu)``: ``E[g(X); a < X < b]``;
* :func:`definite_integral` ``(g, x, a, b)``: ``int_a^b g(x) dx``.

Both return an :class:`ExactResult` ``(expr, rule)`` or None.  :func:`tidy`
brings a sum of such closed forms (e.g. over the pieces of an activation) into
the same readable shape.
"""

from .expectation import truncated_expectation
from .integrals import definite_integral
from .result import ExactResult
from .terms import Phi
from .tidy import tidy

__all__ = ["ExactResult", "Phi", "definite_integral", "tidy", "truncated_expectation"]
