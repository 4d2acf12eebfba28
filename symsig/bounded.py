"""Open-ended SymPy algorithms, bounded by deterministic limits instead of time.

``simplify``, ``solve``, ``limit`` and ``integrate`` have no bound on their
running time.  symsig hands them only expressions within
:data:`symsig.limits.MAX_SYMBOLIC_NODES` nodes, so that whether a closed form is
found depends on the input alone, never on the machine's load or the thread.
A step that is not attempted or that SymPy cannot do returns None ("no closed
form"); exceptions that signal bugs (``AttributeError``, ``KeyError``,
``IndexError``) are not swallowed.
"""

import sympy
from sympy.polys.polyerrors import BasePolynomialError

import symsig.limits as limits  # the module, not the package root: limits are read at call time

#: what SymPy raises when it cannot do a step (``TypeError``: "cannot determine the
#: truth value of a Relational"; ``ArithmeticError`` includes PrecisionExhausted)
CANNOT = (NotImplementedError, ValueError, TypeError, ArithmeticError, RecursionError,
          BasePolynomialError)


def size(expr, cap=None):
    """Number of nodes of ``expr``, counting stops just past ``cap``.

    >>> t = sympy.Symbol("t")
    >>> size(sympy.sin(t) + t**2)
    6
    """
    if not isinstance(expr, sympy.Basic):
        return 0
    count = 0
    for _ in sympy.preorder_traversal(expr):
        count += 1
        if cap is not None and count > cap:
            break
    return count


def nesting(expr):
    """Deepest chain of transcendental functions in ``expr`` (functions of a symbol, powers with a
    symbol in the exponent): how hard a limit is for SymPy's Gruntz algorithm.

    >>> t = sympy.Symbol("t")
    >>> nesting(sympy.tanh(sympy.tanh(t)) + sympy.exp(t)), nesting(t**3 + 1), nesting(2**sympy.sin(t))
    (2, 0, 2)
    """
    depth = {}
    for node in sympy.postorder_traversal(expr):
        if node in depth:
            continue
        inner = max((depth[arg] for arg in node.args), default=0)
        transcendental = node.free_symbols and (isinstance(node, sympy.Function)
                                                or node.is_Pow and node.exp.free_symbols)
        depth[node] = inner + 1 if transcendental else inner
    return depth.get(expr, 0) if isinstance(expr, sympy.Basic) else 0


def largest_multiple(expr):
    """Largest ``|n|`` of an integer multiple ``n u`` in the argument of exp or a trigonometric or
    hyperbolic function: the degree SymPy's polynomial code sees (``exp(-3528)`` is ``E**-3528``).

    >>> t = sympy.Symbol("t")
    >>> largest_multiple(sympy.exp(-7200 * t**2) * sympy.cos(30) + sympy.sin(3 * t + 1))
    7200
    >>> largest_multiple(9 - 9 * sympy.exp(-3528) * sympy.cos(30))
    3528
    """
    multiple = 0
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, _MULTIPLIED):
            for term in sympy.Add.make_args(node.args[0]):
                coeff = term.as_coeff_Mul()[0]
                if coeff.is_Integer:  # exp(851 x/500) with sigmoid(1.702 x) simplifies in a moment
                    multiple = max(multiple, abs(int(coeff)))
    return multiple


_MULTIPLIED = (sympy.exp, sympy.sin, sympy.cos, sympy.tan, sympy.sinh, sympy.cosh, sympy.tanh)


def small(*exprs, cap=None):
    """True when every SymPy argument has at most ``cap`` (default MAX_SYMBOLIC_NODES) nodes."""
    cap = limits.MAX_SYMBOLIC_NODES if cap is None else cap
    return all(size(e, cap) <= cap for e in exprs)


#: the algorithms that factor polynomials in exp(u), cos(u), ... (limits do not: Gruntz rewrites)
_FACTORING = (sympy.simplify, sympy.trigsimp, sympy.factor, sympy.solve)


def attempt(func, *args, cap=None, **kwargs):
    """``func(*args, **kwargs)``, or None when an argument is too large (nodes; for the
    factoring algorithms also multiples, :func:`largest_multiple`) or SymPy cannot do it."""
    exprs = [*args, *kwargs.values()]
    if not small(*exprs, cap=cap):
        return None
    if func in _FACTORING and any(isinstance(e, sympy.Basic) and largest_multiple(e) > limits.MAX_SYMBOLIC_MULTIPLE
                                  for e in exprs):
        return None
    try:
        return func(*args, **kwargs)
    except CANNOT:
        return None


def simplify(expr):
    """``sympy.simplify`` of an expression within the size limit; larger ones unchanged."""
    result = attempt(sympy.simplify, expr)
    return expr if result is None else result


def is_zero(expr):
    """True only when ``expr`` is proved identically 0 (numeric screen, then bounded simplify).

    >>> t = sympy.Symbol("t", real=True)
    >>> is_zero(sympy.tanh(-t) + sympy.tanh(t)), is_zero(sympy.tanh(t) - t)
    (True, False)
    """
    if expr == 0:
        return True
    free = sorted(expr.free_symbols, key=str)
    for probe in (sympy.Rational(7, 10), sympy.Rational(-13, 10), sympy.Rational(29, 10)):
        value = expr.subs({s: probe for s in free}).evalf(30)
        if value.is_number and value.is_comparable and abs(value) > sympy.Float("1e-25"):
            return False
    return attempt(sympy.simplify, expr) == 0
