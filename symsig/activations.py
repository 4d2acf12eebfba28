"""The activation catalogue and the safe parser of activation strings.

An activation is a SymPy expression in the real symbol :data:`x`.  The
catalogue maps names to builders that take their parameters by keyword
(``leaky_relu(slope=0.2)``); the parser reads user strings by walking Python's
syntax tree over a whitelist, so no user text is ever evaluated as code, and
every decimal literal becomes the exact rational it spells.

>>> get_activation("relu").expr
Max(0, x)
>>> get_activation("leaky_relu(slope=0.2)").expr
Piecewise((x, x >= 0), (x/5, True))
>>> parse_activation("0.5*x*(1 + tanh(x))").expr
x*(tanh(x) + 1)/2
"""

import ast
import inspect
import math
from dataclasses import dataclass, field

import sympy
from sympy.core.function import Application
from sympy import Abs, Max, Min, Piecewise, Rational, erf, exp, log, sqrt, tanh

from .errors import DomainError, InputError, LimitError, ParseError
from . import limits
from .parsing import Reader, read_tree
from .precision import engine_call, exact_number

x = sympy.Symbol("x", real=True)
"""The variable of every activation."""


@dataclass(frozen=True)
class Activation:
    """A named activation: ``expr`` is a SymPy expression in :data:`x`."""

    name: str
    expr: sympy.Expr
    params: dict = field(default_factory=dict)

    def __str__(self):
        if not self.params:
            return self.name
        args = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.name}({args})"


def _positive(name, value):
    value = exact_number(value, name)
    if not (value.is_real and value > 0):
        raise DomainError(f"{name} must be a positive real number, got {value}")
    return value


def _real(name, value):
    value = exact_number(value, name)
    if not value.is_real:
        raise DomainError(f"{name} must be a real number, got {value}")
    return value


def _sigmoid(u):
    return 1 / (1 + exp(-u))


def _relu6(u):
    return Min(Max(u, 0), 6)


# SELU constants as written in conventions.md (exact decimals).
SELU_LAMBDA = Rational("1.0507009873554804934193349852946")
SELU_ALPHA = Rational("1.6732632423543772848170429916717")


def relu():
    return Max(x, 0)


def leaky_relu(slope=Rational(1, 100)):
    return Piecewise((x, x >= 0), (_real("slope", slope) * x, True))


def swish(beta=1):
    beta = _positive("beta", beta)
    return x * _sigmoid(beta * x)


def gelu():
    return x * (1 + erf(x / sqrt(2))) / 2


def gelu_tanh():
    return x * (1 + tanh(sqrt(2 / sympy.pi) * (x + Rational("0.044715") * x**3))) / 2


def elu(alpha=1):
    alpha = _positive("alpha", alpha)
    return Piecewise((x, x > 0), (alpha * (exp(x) - 1), True))


def selu():
    return SELU_LAMBDA * Piecewise((x, x > 0), (SELU_ALPHA * (exp(x) - 1), True))


def celu(alpha=1):
    alpha = _positive("alpha", alpha)
    return Piecewise((x, x > 0), (alpha * (exp(x / alpha) - 1), True))


def softplus(beta=1):
    beta = _positive("beta", beta)
    return log(1 + exp(beta * x)) / beta


def relu_pow(k=2):
    k = exact_number(k, "k")
    if not (k.is_integer and k >= 1):
        raise DomainError(f"k must be a positive integer, got {k}")
    if k > limits.MAX_EXPONENT:
        raise LimitError(f"k = {k} exceeds MAX_EXPONENT = {limits.MAX_EXPONENT} (symsig.limits)")
    return Max(x, 0) ** k


def polynomial(**coefficients):
    """``c0 + c1*x + c2*x**2 + ...`` from keyword coefficients ``c0, c1, ...``."""
    terms = []
    for key, value in coefficients.items():
        if not (key.startswith("c") and key[1:].isdigit()):
            raise InputError(f"polynomial takes coefficients c0, c1, c2, ..., got {key!r}")
        if len(key) > 6 or int(key[1:]) > limits.MAX_EXPONENT:
            raise LimitError(f"polynomial degree {key[1:]} exceeds MAX_EXPONENT = "
                             f"{limits.MAX_EXPONENT} (symsig.limits)")
        terms.append(_real(key, value) * x ** int(key[1:]))
    if not terms:
        raise InputError("polynomial needs at least one coefficient, e.g. polynomial(c1=1, c3=-1)")
    return sympy.Add(*terms)


_CATALOGUE = {
    "relu": relu,
    "leaky_relu": leaky_relu,
    "tanh": lambda: tanh(x),
    "sigmoid": lambda: _sigmoid(x),
    "swish": swish,
    "silu": lambda: swish(1),
    "gelu": gelu,
    "gelu_tanh": gelu_tanh,
    "mish": lambda: x * tanh(log(1 + exp(x))),
    "telu": lambda: x * tanh(exp(x)),
    "elu": elu,
    "selu": selu,
    "celu": celu,
    "softplus": softplus,
    "softsign": lambda: x / (1 + Abs(x)),
    "hardtanh": lambda: Min(Max(x, -1), 1),
    "relu6": lambda: _relu6(x),
    "hardsigmoid": lambda: _relu6(x + 3) / 6,
    "hardswish": lambda: x * _relu6(x + 3) / 6,
    "erf": lambda: erf(x),
    "abs": lambda: Abs(x),
    "relu_pow": relu_pow,
    "sin": lambda: sympy.sin(x),
    "identity": lambda: x,
    "polynomial": polynomial,
}

STANDARD_EIGHT = ("relu", "leaky_relu", "tanh", "sigmoid", "swish", "gelu", "mish", "telu")
"""The eight activations of the signature paper, in its order."""


def catalogue():
    """Names of the catalogue activations, each with its default expression.

    >>> catalogue()["gelu"]
    x*(erf(sqrt(2)*x/2) + 1)/2
    """
    return {name: build() for name, build in _CATALOGUE.items() if name != "polynomial"}


@engine_call
def get_activation(spec, **params):
    """An :class:`Activation` from a name, a ``"name(k=v)"`` string, an expression or a string.

    >>> get_activation("elu", alpha="0.5").expr
    Piecewise((x, x > 0), (exp(x)/2 - 1/2, True))
    """
    if isinstance(spec, Activation):
        if params:
            raise InputError("parameters can only be given with an activation name")
        return spec
    if isinstance(spec, str) and spec.strip() in _CATALOGUE:
        return _build(spec.strip(), params)
    if params:
        raise InputError(f"parameters {sorted(params)} given, but {spec!r} is not a catalogue name")
    if isinstance(spec, str):
        return parse_activation(spec)
    if isinstance(spec, sympy.Basic):
        expr = _check_expression(spec)  # before str(): printing deep input would recurse
        return Activation(str(spec), expr)
    raise InputError(f"an activation must be a catalogue name, a string or a SymPy expression, got {spec!r}")


def _build(name, params):
    try:
        expr = _CATALOGUE[name](**params)
    except TypeError:
        accepted = list(inspect.signature(_CATALOGUE[name]).parameters)
        raise InputError(f"{name} takes the parameters {accepted or 'none'}, got {sorted(params)}") from None
    return Activation(name, expr, dict(params))


def _check_expression(expr):
    """Validate an activation: a finite, real expression in x of bounded size over supported functions."""
    if not isinstance(expr, sympy.Expr):
        raise InputError(f"an activation must be an expression in x, got {expr!r}")
    _check_tree(expr)
    expr = expr.subs({s: x for s in expr.free_symbols if s.name == "x" and s != x})
    extra = expr.free_symbols - {x}
    if extra:
        names = ", ".join(sorted(str(s) for s in extra))
        raise InputError(f"the activation may depend on x only, but it contains {names}; "
                         "give parameters as numbers")
    if expr.has(sympy.nan, sympy.zoo):
        raise DomainError(f"the expression {expr} is undefined (contains nan or zoo, e.g. a division by 0)")
    if expr.has(sympy.oo, -sympy.oo):
        raise DomainError(f"the activation {expr} contains an infinite constant; "
                          "an activation takes finite real values")
    if expr.has(sympy.I):
        raise DomainError(f"the activation {expr} is complex-valued (contains I or a j literal); "
                          "symsig works with real-valued activations of a real x")
    if expr.atoms(sympy.Float):  # a Float is the exact binary number it stores
        expr = expr.xreplace({f: sympy.Rational(f) for f in expr.atoms(sympy.Float)})
    for piecewise in expr.atoms(Piecewise):
        _check_cover(piecewise)
    return expr


def _check_cover(piecewise):
    """A Piecewise in an activation must define a value for every real x."""
    try:
        covered = sympy.Union(*(cond.as_set() for _, cond in piecewise.args))
    except (NotImplementedError, TypeError, ValueError) as exc:
        raise InputError(f"cannot read the conditions of {_shown(piecewise)} as sets of x ({exc}); "
                         "write them with < <= > >= in x, combined by & | ~") from None
    uncovered = sympy.S.Reals - covered
    if uncovered != sympy.S.EmptySet:
        raise InputError(f"{_shown(piecewise)} is undefined for x in {uncovered}: its conditions do not cover "
                         "the real line; end it with a default branch (expr, True)")


def _shown(expr):
    text = sympy.sstr(expr)
    return text if len(text) <= 80 else text[:77] + "..."


_LEAVES = (sympy.Symbol, sympy.Number, sympy.NumberSymbol, sympy.core.numbers.ImaginaryUnit,
           sympy.core.numbers.ComplexInfinity)
_STRUCTURE = (sympy.Add, sympy.Mul, sympy.Pow, sympy.functions.elementary.piecewise.ExprCondPair,
              sympy.core.relational.Relational, sympy.logic.boolalg.Boolean)


def _check_tree(expr):
    """Size, depth, exponents and function classes, walked iteratively (no recursion on deep input)."""
    supported = supported_functions()
    count, stack = 0, [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > limits.MAX_NODES or depth > limits.MAX_DEPTH:
            limit = (f"more than MAX_NODES = {limits.MAX_NODES} nodes" if count > limits.MAX_NODES
                     else f"nesting deeper than MAX_DEPTH = {limits.MAX_DEPTH}")
            raise LimitError(f"the activation has {limit} (symsig.limits); simplify or flatten it")
        if isinstance(node, sympy.Pow) and node.base.free_symbols and node.exp.is_Number \
                and abs(node.exp) > limits.MAX_EXPONENT:
            raise LimitError(f"the power with exponent {node.exp} exceeds MAX_EXPONENT = "
                             f"{limits.MAX_EXPONENT} "
                             "(symsig.limits)")
        if isinstance(node, Application) and not isinstance(node, sympy.logic.boolalg.Boolean):
            if node.func not in supported:
                names = ", ".join(sorted(f.__name__ for f in supported))
                raise InputError(f"the function {node.func} is not supported in an activation; "
                                 f"supported: {names}")
        elif not isinstance(node, _LEAVES + _STRUCTURE):
            raise InputError(f"an activation may not contain {type(node).__name__} objects ({node}); "
                             "use arithmetic in x with the supported functions")
        stack.extend((arg, depth + 1) for arg in node.args)
    degree = _degree(expr, {})
    if degree > limits.MAX_EXPONENT:
        raise LimitError(f"the activation multiplies out to degree about {degree} in x (or in its function "
                         f"terms), more than MAX_EXPONENT = {limits.MAX_EXPONENT} (symsig.limits)")


def _degree(expr, seen):
    """Degree bound of expr multiplied out in x, where f(u) counts with the degree of u.

    Nested powers such as ((x**2 + 1)**2 + 1)**2... compound; bounding the
    product before any expansion keeps the exact engines from building it.
    Recursion depth is bounded by limits.MAX_DEPTH (checked first); ``seen`` shares
    work between repeated subtrees.
    """
    if expr in seen:
        return seen[expr]
    if not expr.free_symbols:
        degree = 0
    elif isinstance(expr, sympy.Add):
        degree = max(_degree(a, seen) for a in expr.args)
    elif isinstance(expr, sympy.Mul):
        degree = sum(_degree(a, seen) for a in expr.args)
    elif isinstance(expr, sympy.Pow) and expr.exp.is_Number and expr.exp.is_finite:
        degree = math.ceil(float(abs(expr.exp)) * _degree(expr.base, seen))
    else:
        degree = max([1] + [_degree(arg, seen) for arg in expr.args])
    seen[expr] = degree
    return degree


# ---------------------------------------------------------------- the parser

_FUNCTIONS = {
    "exp": exp, "log": log, "ln": log, "sqrt": sqrt, "tanh": tanh, "sinh": sympy.sinh,
    "cosh": sympy.cosh, "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "atan": sympy.atan,
    "arctan": sympy.atan, "asinh": sympy.asinh, "arcsinh": sympy.asinh, "erf": erf,
    "erfc": sympy.erfc, "abs": Abs, "Abs": Abs, "max": Max, "Max": Max, "min": Min, "Min": Min,
    "Heaviside": sympy.Heaviside, "heaviside": sympy.Heaviside, "sign": sympy.sign,
    "sigmoid": _sigmoid,
    # what SymPy prints for piecewise activations and exact numbers
    "Piecewise": Piecewise, "And": sympy.And, "Or": sympy.Or, "Not": sympy.Not, "Eq": sympy.Eq,
    "Ne": sympy.Ne, "Rational": Rational, "Integer": sympy.Integer,
}
_CONSTANTS = {"pi": sympy.pi, "E": sympy.E, "e": sympy.E}


def extra_functions():
    """symsig's own SymPy functions that strings may use (the Mittag-Leffler functions)."""
    from .mittag_leffler.functions import MittagLeffler, Prabhakar  # lazy: loaded on first parse

    return {"MittagLeffler": MittagLeffler, "Prabhakar": Prabhakar}


def supported_functions():
    """The SymPy function classes an activation may contain (what symsig's engines handle).

    >>> sorted(f.__name__ for f in supported_functions())[:4]
    ['Abs', 'Heaviside', 'Max', 'Min']
    """
    built = {f for f in {**_FUNCTIONS, **extra_functions()}.values()
             if isinstance(f, type) and issubclass(f, Application) and not issubclass(f, sympy.logic.boolalg.Boolean)}
    return frozenset(built | {Piecewise})


@engine_call
def parse_activation(text):
    """Parse a string into an :class:`Activation` without evaluating any code.

    Accepts catalogue names (``"gelu"``), names with parameters (``"swish(beta=2)"``,
    ``"leaky_relu(0.2)"``), catalogue activations applied to an expression
    (``"relu(x - 1)"``) and arithmetic in ``x`` with the usual functions.
    Decimal literals are exact: ``0.044715`` is 8943/200000.  The text must
    stay within the limits of :mod:`symsig.limits` (length, size, depth).

    >>> parse_activation("x*tanh(exp(x))").expr
    x*tanh(exp(x))
    >>> parse_activation("relu(x - 0.3)").expr
    Max(0, x - 3/10)
    >>> parse_activation("leaky_relu(0.2)").expr  # a number is a parameter, by position or keyword
    Piecewise((x, x >= 0), (x/5, True))
    >>> parse_activation("__import__('os')")
    Traceback (most recent call last):
    ...
    symsig.errors.ParseError: unknown function '__import__' ...
    """
    if not isinstance(text, str) or not text.strip():
        raise ParseError("the activation is empty; give a catalogue name or an expression in x")
    stripped = text.strip()
    if stripped in _CATALOGUE:
        return _build(stripped, {})
    body, source = read_tree(stripped, "the activation")
    reader = _reader(source, {"x": x})
    if isinstance(body, ast.Call) and isinstance(body.func, ast.Name) and body.func.id in _CATALOGUE:
        args = [reader.convert(arg) for arg in body.args]
        # numbers in the call are parameters (leaky_relu(0.2), as in the conventions), an argument
        # in x applies the activation to it (relu(x - 1))
        if not any(isinstance(arg, sympy.Basic) and arg.has(x) for arg in args):
            names = list(inspect.signature(_CATALOGUE[body.func.id]).parameters)
            if len(args) > len(names):
                raise InputError(f"{body.func.id} takes the parameters {names or 'none'}, got {len(args)} "
                                 f"positional value(s) in {stripped!r}")
            params = dict(zip(names, args))
            params.update({kw.arg: reader.convert(kw.value) for kw in body.keywords})
            return _build(body.func.id, params)
    return Activation(stripped, _check_expression(reader.convert(body)))


def parse_expression(text, variables, what="the expression"):
    """A SymPy expression in the given ``variables`` (name -> Symbol) from text, without evaluating code.

    The same whitelist of functions as activations, no catalogue names; used for
    integrands in PHI, DPHI, DDPHI and for the arguments of gated activations.

    >>> PHI = sympy.Symbol("PHI")
    >>> parse_expression("PHI**2 + 0.5", {"PHI": PHI})
    PHI**2 + 1/2
    """
    body, source = read_tree(text, what)
    return _reader(source, dict(variables), catalogue=False, what=what).convert(body)


def _reader(source, variables, catalogue=True, what="the activation"):
    names = {**_CONSTANTS, **variables}
    reader = Reader(source, names, lambda name, args, kwargs: _call(name, args, kwargs, source, catalogue), what,
                    logic=True)
    if catalogue:
        reader.unknown_name = lambda node: _unknown_name(node, source)
    return reader


def _unknown_name(node, source):
    if ast.get_source_segment(source, node) == source.strip():
        raise ParseError(f"unknown activation {node.id!r}; 'symsig list' shows the catalogue")
    raise ParseError(f"unknown name {node.id!r} in {source!r}: only x, pi and E may appear, "
                     "and parameters must be numbers")


def _call(name, args, kwargs, source, catalogue):
    if catalogue and name in _CATALOGUE:
        if len(args) != 1:
            raise ParseError(f"{name}(...) takes one argument (the input expression) and keyword "
                             f"parameters, in {source!r}")
        return _build(name, kwargs).expr.subs(x, args[0])
    functions = {**_FUNCTIONS, **extra_functions()}
    if name not in functions:
        known = set(functions) | (set(_CATALOGUE) if catalogue else set())
        raise ParseError(f"unknown function {name!r} in {source!r}; known: {', '.join(sorted(known))}")
    if kwargs:
        raise ParseError(f"{name}(...) takes no keyword arguments, in {source!r}")
    try:
        return functions[name](*args)
    except (TypeError, ValueError) as exc:
        raise ParseError(f"bad arguments to {name} in {source!r}: {exc}") from None
