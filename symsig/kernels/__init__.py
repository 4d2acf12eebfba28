"""Neural kernels of activations: dual activations, NNGP/NTK recursions, Hermite spectra."""

from .closed import arccos_kernel, closed_form_dual, closed_form_limit
from .dual import DualKernel, NeuralKernels, dual_activation, neural_kernels
from .hermite import decay_check, hermite_by_quadrature, hermite_coefficient, smoothness

__all__ = ["arccos_kernel", "closed_form_dual", "closed_form_limit", "DualKernel", "NeuralKernels", "dual_activation",
           "neural_kernels", "decay_check", "hermite_by_quadrature", "hermite_coefficient", "smoothness"]
