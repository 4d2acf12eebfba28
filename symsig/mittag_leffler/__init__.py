"""Mittag-Leffler and Prabhakar functions and the unified gated activations built on them.

* :func:`mittag_leffler` evaluates ``E^gamma_{a,b}(z)`` to any number of digits,
  with the path it took and an error estimate (:mod:`.numeric`);
* :class:`MittagLeffler` and :class:`Prabhakar` are SymPy functions
  (:mod:`.functions`), evaluated numerically through the same engine;
* :func:`gated_activation` and its presets build ``x^gamma E(f)/E(g)``
  activations (:mod:`.gated`);
* :func:`series_expectation` gives Gaussian expectations term by term (:mod:`.moments`).

``symsig.mittag_leffler`` is always this package, whichever way it is reached; calling it
calls :func:`mittag_leffler`:

>>> import symsig
>>> from symsig import mittag_leffler as ml
>>> ml is symsig.mittag_leffler, str(ml(1, 1, 0, dps=5).value)
(True, '1.0')
"""

import sys
import types

from .numeric import MLArrayResult, MLResult, mittag_leffler, mittag_leffler_derivative
from .functions import MittagLeffler, Prabhakar, to_elementary
from .gated import PRESET_NAMES, classical, elu, gated_activation, preset, prove_preset, x
from .moments import SeriesExpectation, series_expectation


class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs):
        return mittag_leffler(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
