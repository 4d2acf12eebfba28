"""The unified gated activation ``x * base^(gamma-1) * E_{a1,b1}(f) / E_{a2,b2}(g)`` and its presets.

Mostafanejad (arXiv 2302.11007) writes classical activations as
``x^gamma E_{a1,b1}(f(x)) / E_{a2,b2}(g(x))``.  Mish needs the power on
``softplus x`` instead of ``x``, hence the optional ``base``.  Every preset is
paired with its classical form, and :func:`prove_preset` shows the two equal
by exact rewriting (no numerics).

>>> from sympy import tanh
>>> gated_activation(1, 2, 2, x**2, 2, 1, x**2)
x*MittagLeffler(2, 2, x**2)/MittagLeffler(2, 1, x**2)
>>> preset("sigmoid")
1/(1 + exp(-x))
>>> prove_preset("gelu")
True
"""

import sympy
from sympy import Abs, Piecewise, Rational, erf, exp, log, sqrt

from .. import bounded
from ..errors import InputError
from ..precision import engine_call, exact_number
from .functions import MittagLeffler, _exact, to_elementary

#: The real variable of every activation (equal to the core's ``Symbol("x", real=True)``).
x = sympy.Symbol("x", real=True)


def gated_activation(gamma, a1, b1, f, a2, b2, g, base=None):
    """``x * base^(gamma-1) * E_{a1,b1}(f) / E_{a2,b2}(g)`` as a SymPy expression in ``x``.

    ``base`` defaults to ``x`` (so the prefactor is ``x^gamma``).  Numbers are
    exact (strings are decimals); ``f``, ``g`` and ``base`` are expressions or
    strings in ``x``.

    >>> gated_activation(1, 0, 1, "-exp(-x)", 1, 1, 0)
    x/(1 + exp(-x))
    """
    gamma, a1, b1, a2, b2 = (exact_number(v, name) for v, name in
                             ((gamma, "gamma"), (a1, "a1"), (b1, "b1"), (a2, "a2"), (b2, "b2")))
    for name, value in (("a1", a1), ("a2", a2)):
        if value.is_negative:
            raise InputError(f"{name} must be >= 0 (0 means the closed form 1/(Gamma(b)(1-z))), got {value}")
    f, g = _in_x(f, "f"), _in_x(g, "g")
    base = x if base is None else _in_x(base, "base")
    return x * base ** (gamma - 1) * MittagLeffler(a1, b1, f) / MittagLeffler(a2, b2, g)


def _in_x(expr, name):
    if isinstance(expr, str):
        from ..activations import parse_expression
        expr = parse_expression(expr, {"x": x}, what=name)
    elif not isinstance(expr, sympy.Basic):
        expr = exact_number(expr, name)
    extra = expr.free_symbols - {x}
    if extra:
        raise InputError(f"{name} may only contain x, found {sorted(map(str, extra))}")
    return _exact(expr)


def _softplus():
    return log(1 + exp(x))


def _presets():
    """name -> (gated form builder, classical form builder); builders take keyword parameters."""
    half_sq = x ** 2 / 2 + log(2)
    return {
        "sigmoid": (lambda: gated_activation(0, 0, 1, -exp(-x), 1, 1, 0),
                    lambda: 1 / (1 + exp(-x))),
        "swish": (lambda c=1: gated_activation(1, 0, 1, -exp(-exact_number(c, "c") * x), 1, 1, 0),
                  lambda c=1: x / (1 + exp(-exact_number(c, "c") * x))),
        "silu": (lambda: gated_activation(1, 0, 1, -exp(-x), 1, 1, 0),
                 lambda: x / (1 + exp(-x))),
        "tanh": (lambda: gated_activation(1, 2, 2, x ** 2, 2, 1, x ** 2),
                 lambda: sympy.tanh(x)),
        "identity": (lambda: gated_activation(1, 2, 2, x ** 2, 2, 2, x ** 2),
                     lambda: x),
        "gelu": (lambda: gated_activation(1, Rational(1, 2), 1, x / sqrt(2), 1, 1, half_sq),
                 lambda: x / 2 * (1 + erf(x / sqrt(2)))),
        "softsign": (lambda: gated_activation(1, 0, 1, -Abs(x), 1, 1, 0),
                     lambda: x / (1 + Abs(x))),
        "mish": (lambda: gated_activation(2, 2, 2, _softplus() ** 2, 2, 1, _softplus() ** 2,
                                          base=_softplus()),
                 lambda: x * sympy.tanh(_softplus())),
        "elu_negative": (lambda alpha=1: gated_activation(1, 1, 2, x, 1, 1,
                                                          -log(exact_number(alpha, "alpha"))),
                         lambda alpha=1: exact_number(alpha, "alpha") * (exp(x) - 1)),
    }


PRESET_NAMES = tuple(_presets())


def preset(name, **params):
    """The gated form of a classical activation, e.g. ``preset("swish", c="1.5")``.

    Names: sigmoid, swish (parameter c), silu, tanh, identity, gelu, softsign,
    mish, elu_negative (parameter alpha; the x < 0 branch ``alpha (e^x - 1)``).
    """
    return _lookup(name)[0](**params)


def classical(name, **params):
    """The textbook form of the activation that ``preset(name)`` encodes."""
    return _lookup(name)[1](**params)


def elu(alpha=1):
    """ELU with its negative branch in gated form: ``Piecewise((x, x > 0), (preset, True))``."""
    return Piecewise((x, x > 0), (preset("elu_negative", alpha=alpha), True))


def _lookup(name):
    table = _presets()
    if name not in table:
        raise InputError(f"unknown preset {name!r}; choose one of {', '.join(table)}")
    return table[name]


@engine_call  # SymPy's simplify evaluates numerically with mpmath's global precision
def prove_preset(name, **params):
    """True when ``preset(name) - classical(name)`` rewrites to exactly 0.

    The proof rewrites Mittag-Leffler functions to their elementary forms
    (cosh, sinh/x, exp, erfc, 1/(1 - z)), then erfc to erf and everything to
    exp, splits exponentials of sums and cancels the rational function in the
    exponentials.  False means "not proved within the size limit", never "unequal".
    """
    difference = to_elementary(preset(name, **params)) - classical(name, **params)
    return bool(bounded.attempt(_vanishes, difference))


def _vanishes(expr):
    steps = (lambda e: e.rewrite(erf),
             lambda e: e.rewrite(exp),
             lambda e: sympy.expand(e, power_exp=True),
             sympy.cancel)
    for step in steps:
        expr = step(expr)
        if expr == 0:
            return True
    return sympy.simplify(expr) == 0
