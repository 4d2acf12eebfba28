"""Which signature cells the exact engine closes, for the coverage table in docs/exact.md.

Until ``symsig.calculus.decompose`` is available the piecewise forms of the
catalogue come from :data:`PIECEWISE` below; afterwards :func:`pieces` uses the
core's decomposition of ``symsig.activations.catalogue()``.
"""

import sympy
from sympy import Integer, Rational, erf, exp, log, oo, sqrt, tanh

from .expectation import truncated_expectation
from .integrals import definite_integral

x = sympy.Symbol("x", real=True)
SIGMA = sympy.Symbol("sigma", positive=True)

_SELU_LAMBDA = Rational("1.0507009873554804934193349852946")
_SELU_ALPHA = Rational("1.6732632423543772848170429916717")
_SIGMOID = 1 / (1 + exp(-x))
_SOFTPLUS = log(1 + exp(x))

# name -> [(lo, hi, expr)], consecutive open intervals covering the real line
PIECEWISE = {
    "relu": [(-oo, 0, Integer(0)), (0, oo, x)],
    "leaky_relu": [(-oo, 0, x / 100), (0, oo, x)],
    "tanh": [(-oo, oo, tanh(x))],
    "sigmoid": [(-oo, oo, _SIGMOID)],
    "swish": [(-oo, oo, x * _SIGMOID)],
    "gelu": [(-oo, oo, x * (1 + erf(x / sqrt(2))) / 2)],
    "gelu_tanh": [(-oo, oo, x * (1 + tanh(sqrt(2 / sympy.pi) * (x + Rational("0.044715") * x**3))) / 2)],
    "mish": [(-oo, oo, x * tanh(_SOFTPLUS))],
    "telu": [(-oo, oo, x * tanh(exp(x)))],
    "elu": [(-oo, 0, exp(x) - 1), (0, oo, x)],
    "selu": [(-oo, 0, _SELU_LAMBDA * _SELU_ALPHA * (exp(x) - 1)), (0, oo, _SELU_LAMBDA * x)],
    "celu": [(-oo, 0, exp(x) - 1), (0, oo, x)],
    "softplus": [(-oo, oo, _SOFTPLUS)],
    "softsign": [(-oo, 0, x / (1 - x)), (0, oo, x / (1 + x))],
    "hardtanh": [(-oo, -1, Integer(-1)), (-1, 1, x), (1, oo, Integer(1))],
    "relu6": [(-oo, 0, Integer(0)), (0, 6, x), (6, oo, Integer(6))],
    "hardsigmoid": [(-oo, -3, Integer(0)), (-3, 3, x / 6 + Rational(1, 2)), (3, oo, Integer(1))],
    "hardswish": [(-oo, -3, Integer(0)), (-3, 3, x * (x + 3) / 6), (3, oo, x)],
    "erf": [(-oo, oo, erf(x))],
    "abs": [(-oo, 0, -x), (0, oo, x)],
    "relu_pow": [(-oo, 0, Integer(0)), (0, oo, x**2)],
    "sin": [(-oo, oo, sympy.sin(x))],
    "identity": [(-oo, oo, x)],
}


def pieces(name):
    """Piecewise form [(lo, hi, expr)] of a catalogue activation."""
    return [(sympy.sympify(lo), sympy.sympify(hi), expr) for lo, hi, expr in PIECEWISE[name]]


def derivative_pieces(name):
    """Classical derivative, piece by piece (kinks do not change Gaussian expectations)."""
    return [(lo, hi, sympy.diff(expr, x)) for lo, hi, expr in pieces(name)]


def piecewise_expectation(pieces_list, power=1, sigma=SIGMA, mu=Integer(0)):
    """Sum of the engine's truncated expectations of ``expr**power`` over the pieces, or None."""
    total, rules = Integer(0), set()
    for lo, hi, expr in pieces_list:
        if expr == 0:
            continue
        part = truncated_expectation(expr**power, x, lo, hi, sigma, mu)
        if part is None:
            return None
        total += part.expr
        rules.update(part.rule.split(" + "))
    return total, rules
