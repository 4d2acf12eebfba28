"""symsig: exact and arbitrary-precision integral signatures of activation functions.

Layers, with dependencies pointing one way (CLI -> API -> engines):

* :mod:`symsig.parsing`, :mod:`symsig.activations` -- the safe parser and the catalogue;
* :mod:`symsig.precision` -- one private mpmath context per call;
* :mod:`symsig.components` -- what each component of the signature is (the registry);
* :mod:`symsig.calculus` -- symbolic pieces, jumps, slopes, smoothness, growth;
* :mod:`symsig.exact` -- rule-based closed forms of Gaussian integrals;
* :mod:`symsig.quadrature`, :mod:`symsig.roots` -- the one integrator and the one root finder;
* :mod:`symsig.gaussian` -- E[f(mu + sigma Z)], exact first, quadrature as the fallback;
* :mod:`symsig.regularity` -- TV(phi'), Lip, C, B;
* :mod:`symsig.facts` -- what is known about one activation, computed once;
* :mod:`symsig.signature` -- the nine-component signature;
* :mod:`symsig.laws` -- affine reparameterization laws with checked proofs;
* :mod:`symsig.mittag_leffler` -- Mittag-Leffler functions and gated activations;
* :mod:`symsig.kernels`, :mod:`symsig.stability` -- dual kernels, Hermite spectra, variance maps;
* :mod:`symsig.coverage` -- every activation through every engine;
* :mod:`symsig.sweep` -- one activation over many sigma values, on any executor;
* :mod:`symsig.formats`, :mod:`symsig.table`, :mod:`symsig.display`, :mod:`symsig.plot`,
  :mod:`symsig.cli` -- output (text, JSON, CSV, LaTeX, Jupyter, DataFrames, pictures) and the
  command line.

>>> import symsig
>>> str(symsig.signature("gelu", dps=20)["m2"])
'0.42522148257029867492'
"""

from .activations import Activation, catalogue, get_activation, parse_activation, x
from .errors import (BudgetExceeded, ConvergenceError, DivergenceError, DomainError, InputError,
                     OutputError, ParseError, SymsigError, UndefinedError)
from .gaussian import SIGMA, expectation, expectations, gaussian_moment
from .precision import workdps
from .quantity import Quantity
from .signature import NINE, Signature, register_component, signature, symbolic_signature
from .table import signature_table

__version__ = "0.1.0"

_LAZY = {
    "MittagLeffler": ("mittag_leffler", "MittagLeffler"),
    "Prabhakar": ("mittag_leffler", "Prabhakar"),
    "gated_activation": ("mittag_leffler", "gated_activation"),
    "signature_sweep": ("sweep", "signature_sweep"),
    "affine_law": ("laws", "affine_law"),
    "law_names": ("laws", "law_names"),
    "relate": ("laws.relate", "relate"),
    "dual_activation": ("kernels", "dual_activation"),
    "neural_kernels": ("kernels", "neural_kernels"),
    "hermite_coefficient": ("kernels", "hermite_coefficient"),
    "smoothness": ("kernels", "smoothness"),
    "variance_fixed_points": ("stability", "variance_fixed_points"),
    "edge_of_chaos": ("stability", "edge_of_chaos"),
    "lyapunov": ("stability", "lyapunov"),
    "kernel_bound": ("stability", "kernel_bound"),
}


def __getattr__(name):
    # the heavier subsystems load on first use, not on ``import symsig``
    import importlib

    if name == "mittag_leffler":  # the (callable) subpackage, never a second object of that name
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY:
        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(f".{module}", __name__), attribute)
    raise AttributeError(f"module 'symsig' has no attribute {name!r}")


__all__ = ["Activation", "catalogue", "get_activation", "parse_activation", "x", "SymsigError",
           "InputError", "ParseError", "DomainError", "DivergenceError", "UndefinedError",
           "ConvergenceError", "BudgetExceeded", "OutputError", "SIGMA", "expectation", "expectations",
           "gaussian_moment", "workdps", "Quantity", "NINE", "Signature", "register_component",
           "signature", "symbolic_signature", "signature_table", "mittag_leffler", *_LAZY]
