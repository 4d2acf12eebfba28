"""Certified values: Arb balls ``[mid +/- rad]`` whose radius is a proven error bound.

Two tiers, each rigorous or refusing (see docs/certified.md):

* **exact tier**: a SymPy closed form evaluated node by node in Arb ball arithmetic
  (python-flint), at a precision raised until the ball meets the requested accuracy;
* **quadrature tier** for ``E[f(mu + sigma Z)]``: ``acb.integral`` of f times the
  Gaussian density on each smooth piece of ``[-T, T]`` (kinks are segment ends), plus
  the Gaussian tail beyond ``T`` bounded in closed form from a bound
  ``|f(x)| <= sum_j c_j |x|^j`` (|x| >= T) proved from the structure of f by
  :func:`tail_bound`; no bound, no value.

python-flint is the optional ``certified`` extra, imported on first use.

>>> import sympy
>>> b = certified_value(sympy.sqrt(2) / sympy.sqrt(sympy.pi), dps=20)
>>> str(b)
'[0.79788456080286535587989212 +/- 1.6e-28]'
>>> b.contains("0.797884560802865355879892119868763737"), b.contains("0.7978845608028653558798921")
(True, False)
"""

from .ball import Ball, ComplexBall, Infinite, NotCertified
from .expectation import certified_expectation, gaussian_tail, tail_bound
from .mittag_leffler import certified_mittag_leffler
from .regularity import certified_c, certified_slope, certified_slopes, certified_total_variation
from .signature import CERTIFIED_COMPONENTS, certified_signature
from .translate import certified_value, translate

__all__ = ["Ball", "ComplexBall", "Infinite", "NotCertified", "CERTIFIED_COMPONENTS", "certified_c",
           "certified_expectation", "certified_mittag_leffler", "certified_signature", "certified_slope",
           "certified_slopes", "certified_total_variation", "certified_value", "gaussian_tail",
           "tail_bound", "translate"]
