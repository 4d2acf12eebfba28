"""Mittag-Leffler and Prabhakar functions and the unified gated activations built on them.

* :func:`mittag_leffler` evaluates ``E^gamma_{a,b}(z)`` to any number of digits,
  with the path it took and an error estimate (:mod:`.numeric`);
* :class:`MittagLeffler` and :class:`Prabhakar` are SymPy functions
  (:mod:`.functions`), evaluated numerically through the same engine;
* :func:`gated_activation` and its presets build ``x^gamma E(f)/E(g)``
  activations (:mod:`.gated`);
* :func:`series_expectation` gives Gaussian expectations term by term (:mod:`.moments`).
"""

from .numeric import MLResult, mittag_leffler, mittag_leffler_derivative
from .functions import MPMATH_NAMESPACE, MittagLeffler, Prabhakar, to_elementary
from .gated import PRESET_NAMES, classical, elu, gated_activation, preset, prove_preset, x
from .moments import SeriesExpectation, series_expectation
