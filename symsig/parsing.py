"""Safe reading of user text: numbers and expressions, never ``eval``/``sympify``.

Text is parsed by Python's ``ast`` into a syntax tree, the tree is checked
against the limits of :mod:`symsig.limits`, and then walked over a whitelist
(numbers, named variables, named functions, ``+ - * / **``).  Nothing else
(attributes, subscripts, strings, lambdas, ...) is accepted, so no user text
runs as code.  Decimal literals are the exact rationals they spell, and a
power of numbers is refused when its exact value would be too large to build.

>>> parse_number("2.5e-3")
1/400
>>> parse_number("-3-4j")
-3 - 4*I
>>> parse_number("sqrt(2)/2 + pi")
sqrt(2)/2 + pi
>>> parse_number("10**10**10")
Traceback (most recent call last):
...
symsig.errors.LimitError: the power 10**10000000000 would have about 10000000000 digits; ...
"""

import ast
import math
import re

import sympy

import symsig.limits as limits  # the module, not the package root: limits are read at call time
from .errors import DomainError, LimitError, ParseError

_ADDITIVE = (ast.Add, ast.Sub)
_MULTIPLICATIVE = (ast.Mult, ast.Div)
_MARKERS = (ast.operator, ast.unaryop, ast.expr_context, ast.cmpop, ast.boolop)  # not counted as nodes
_DECIMAL = re.compile(r"(?P<int>\d*)(?:\.(?P<frac>\d*))?(?:[eE](?P<exp>[+-]?\d+))?(?P<imag>[jJ])?")


def read_tree(text, what):
    """The checked syntax tree (expression body) of ``text``; ``what`` names the input in messages."""
    if not isinstance(text, str):
        raise ParseError(f"{what} must be a string, got {type(text).__name__}")
    source = text.strip()
    if not source:
        raise ParseError(f"{what} is empty")
    if len(source) > limits.MAX_TEXT_LENGTH:
        raise LimitError(f"{what} has {len(source)} characters, more than MAX_TEXT_LENGTH = "
                         f"{limits.MAX_TEXT_LENGTH} (symsig.limits); shorten it or build it as a SymPy expression")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        if "nested parentheses" in str(exc.msg) or "Exceeds the limit" in str(exc.msg):
            raise LimitError(f"{what} is too large to read: {exc.msg}") from None
        raise ParseError(f"cannot parse {what} {_short(source)}: {exc.msg} at column {exc.offset}") from None
    except (RecursionError, MemoryError, ValueError):
        raise LimitError(f"{what} is nested too deeply or has too many terms to read; "
                         f"stay within MAX_DEPTH = {limits.MAX_DEPTH} and MAX_NODES = {limits.MAX_NODES}") from None
    _check_shape(tree.body, what)
    return tree.body, source


def _check_shape(root, what):
    """Node count and nesting depth (a chain of one associative operator is one level)."""
    count = 0
    stack = [(root, 1, None)]
    while stack:
        node, depth, group = stack.pop()
        if isinstance(node, _MARKERS):
            continue
        count += 1
        if count > limits.MAX_NODES:
            raise LimitError(f"{what} has more than MAX_NODES = {limits.MAX_NODES} syntax nodes "
                             "(symsig.limits); split it or simplify it")
        mine = _group(node)
        level = depth if mine is not None and mine == group else depth + 1
        if level > limits.MAX_DEPTH:
            raise LimitError(f"{what} is nested more than MAX_DEPTH = {limits.MAX_DEPTH} levels deep "
                             "(symsig.limits); flatten it")
        for child in ast.iter_child_nodes(node):
            stack.append((child, level, mine))


def _group(node):
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, _ADDITIVE):
            return "add"
        if isinstance(node.op, _MULTIPLICATIVE):
            return "mul"
    return None


def _short(source):
    return repr(source if len(source) <= 60 else source[:57] + "...")


def literal(node, source):
    """The exact SymPy number a numeric literal spells (``0.8`` is 4/5, ``2.5j`` is 5*I/2)."""
    if isinstance(node.value, bool) or not isinstance(node.value, (int, float, complex)):
        raise ParseError(f"unexpected constant {node.value!r} in {_short(source)}")
    text = (ast.get_source_segment(source, node) or "").replace("_", "")
    if isinstance(node.value, int):
        if len(text) > limits.MAX_DIGITS:
            raise LimitError(f"the integer literal {text[:20]}... has {len(text)} digits, more than "
                             f"MAX_DIGITS = {limits.MAX_DIGITS} (symsig.limits)")
        return sympy.Integer(node.value)
    match = _DECIMAL.fullmatch(text)
    if match is None or not (match["int"] or match["frac"]):
        raise ParseError(f"cannot read the number {text!r} in {_short(source)}")
    digits = (match["int"] or "") + (match["frac"] or "")
    if len(digits) > limits.MAX_DIGITS:
        raise LimitError(f"the literal {text[:20]}... has {len(digits)} digits, more than "
                         f"MAX_DIGITS = {limits.MAX_DIGITS} (symsig.limits)")
    exponent_text = match["exp"] or "0"
    if len(exponent_text.lstrip("+-").lstrip("0")) > 6 or abs(int(exponent_text)) > limits.MAX_DECIMAL_EXPONENT:
        raise LimitError(f"the exponent of {text[:40]!r} exceeds MAX_DECIMAL_EXPONENT = "
                         f"{limits.MAX_DECIMAL_EXPONENT} (symsig.limits): numbers must lie within "
                         f"1e-{limits.MAX_DECIMAL_EXPONENT} .. 1e{limits.MAX_DECIMAL_EXPONENT} in size")
    shift = int(exponent_text) - len(match["frac"] or "")
    value = sympy.Integer(int(digits)) * sympy.Integer(10) ** shift
    return value * sympy.I if match["imag"] else value


def _number_digits(expr):
    """Largest numerator/denominator size (decimal digits) over the rational numbers in ``expr``."""
    sizes = [max(limits.approx_digits(r.p), limits.approx_digits(r.q)) for r in expr.atoms(sympy.Rational)]
    return max(sizes, default=1)


def _log10_size(expr):
    """``log10`` of the largest numerator/denominator in ``expr``: digits per unit of a power's exponent."""
    return max((math.log10(max(abs(r.p), r.q)) for r in expr.atoms(sympy.Rational)), default=0.0)


def power(base, exponent, source):
    """``base**exponent``, refused when it would take too long to build.

    For numbers the size of the exact result is estimated before SymPy computes
    it (``10**10**10`` would otherwise run out of time); a power of an expression
    in a variable may not exceed :data:`~symsig.limits.MAX_EXPONENT`.
    """
    if not exponent.free_symbols and exponent.is_number:
        size = _magnitude(exponent)
        if base.free_symbols:
            if size > limits.MAX_EXPONENT:
                raise LimitError(f"the exponent {_show(exponent)} in {_short(source)} exceeds "
                                 f"MAX_EXPONENT = {limits.MAX_EXPONENT} (symsig.limits)")
        elif base.is_number:
            digits = size * _log10_size(base)
            if digits > limits.MAX_DIGITS:
                raise LimitError(f"the power {_show(base)}**{_show(exponent)} would have about {int(digits)} "
                                 f"digits; MAX_DIGITS = {limits.MAX_DIGITS} (symsig.limits)")
    return sympy.Pow(base, exponent)


def _magnitude(number):
    """``|number|`` as a Python number (a bound is all that is needed)."""
    if number.is_Rational:
        return max(abs(number.p) // number.q, 1)
    value = abs(complex(sympy.N(number, 15)))
    return value if value == value else float("inf")


def _show(value):
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


_COMPARISONS = {ast.Lt: sympy.Lt, ast.LtE: sympy.Le, ast.Gt: sympy.Gt, ast.GtE: sympy.Ge}


class Reader:
    """Walk a checked syntax tree over a whitelist.

    ``names`` maps identifiers to SymPy objects; ``call(name, args, kwargs)``
    builds a function application (or raises ParseError for unknown names).
    Chains of ``+ -`` and ``* /`` are built iteratively, so long sums need no
    recursion.  With ``logic`` the reader also takes what SymPy prints for a
    Piecewise: tuples (as arguments), comparisons ``< <= > >=`` (chained ones
    too), ``True``/``False``, and ``& | ~`` or ``and or not`` of conditions.
    """

    def __init__(self, source, names, call, what, logic=False):
        self.source, self.names, self.call, self.what, self.logic = source, names, call, what, logic

    def convert(self, node):
        if self.logic:
            found = self._logic(node)
            if found is not None:
                return found
        if isinstance(node, ast.Constant):
            return literal(node, self.source)
        if isinstance(node, ast.Name):
            if node.id in self.names:
                return self.names[node.id]
            return self.unknown_name(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, _ADDITIVE + _MULTIPLICATIVE):
            return self._chain(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Pow, ast.BitXor)):
            return power(self.convert(node.left), self.convert(node.right), self.source)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.convert(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if any(kw.arg is None for kw in node.keywords) or any(isinstance(a, ast.Starred) for a in node.args):
                raise ParseError(f"cannot use * or ** arguments in {_short(self.source)}")
            args = [self.convert(arg) for arg in node.args]
            kwargs = {kw.arg: self.convert(kw.value) for kw in node.keywords}
            return self.call(node.func.id, args, kwargs)
        what = ast.get_source_segment(self.source, node.func if isinstance(node, ast.Call) else node)
        allowed = "numbers, names, function calls and + - * / **"
        if self.logic:
            allowed += (", and Piecewise((expr, condition), ..., (expr, True)) with conditions built from "
                        "< <= > >= and & | ~")
        raise ParseError(f"cannot use {what or type(node).__name__!r} in {self.what} {_short(self.source)}; "
                         f"only {allowed} are allowed")

    def _logic(self, node):
        """A tuple, condition or truth value, or None when ``node`` is none of these."""
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return sympy.true if node.value else sympy.false
        if isinstance(node, ast.Tuple):
            return tuple(self.convert(element) for element in node.elts)
        if isinstance(node, ast.Compare):
            sides = [self.convert(node.left)] + [self.convert(c) for c in node.comparators]
            relations = []
            for op, lhs, rhs in zip(node.ops, sides, sides[1:]):
                if type(op) not in _COMPARISONS:
                    raise ParseError(f"cannot use the comparison {type(op).__name__} in {_short(self.source)}; "
                                     "use < <= > >= (or Eq(a, b), Ne(a, b))")
                relations.append(self._condition(_COMPARISONS[type(op)], lhs, rhs))
            return sympy.And(*relations)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitAnd, ast.BitOr)):
            both = self._booleans([node.left, node.right])
            return sympy.And(*both) if isinstance(node.op, ast.BitAnd) else sympy.Or(*both)
        if isinstance(node, ast.BoolOp):
            values = self._booleans(node.values)
            return sympy.And(*values) if isinstance(node.op, ast.And) else sympy.Or(*values)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Invert, ast.Not)):
            return sympy.Not(*self._booleans([node.operand]))
        return None

    def _condition(self, relation, lhs, rhs):
        try:
            return relation(lhs, rhs)
        except TypeError as exc:  # e.g. a complex side: SymPy refuses the ordering
            raise ParseError(f"cannot compare {lhs} and {rhs} in {_short(self.source)}: {exc}") from None

    def _booleans(self, nodes):
        values = [self.convert(n) for n in nodes]
        for n, v in zip(nodes, values):
            if not isinstance(v, sympy.logic.boolalg.Boolean):
                raise ParseError(f"{ast.get_source_segment(self.source, n)!r} in {_short(self.source)} is not a "
                                 "condition: & | ~ combine comparisons such as (x > 0) & (x < 1)")
        return values

    def unknown_name(self, node):
        raise ParseError(f"unknown name {node.id!r} in {self.what} {_short(self.source)}; "
                         f"allowed: {', '.join(sorted(self.names)) or 'none'}")

    def _chain(self, node):
        group = _group(node)
        operands = []  # (inverse?, ast node) from right to left
        while _group(node) == group:
            operands.append((isinstance(node.op, (ast.Sub, ast.Div)), node.right))
            node = node.left
        operands.append((False, node))
        values = []
        for inverse, operand in reversed(operands):
            value = self.convert(operand)
            if inverse:
                value = -value if group == "add" else sympy.Pow(value, -1)
            values.append(value)
        return sympy.Add(*values) if group == "add" else sympy.Mul(*values)


_NUMBER_NAMES = {"pi": sympy.pi, "E": sympy.E}


def parse_number(text, name="value", allow_infinity=False):
    """An exact SymPy number from text: integers, decimals, exponents, ``p/q``, ``pi``, ``E``,
    ``sqrt(...)``, ``+ - * / **`` of those, and an imaginary part written with ``j``.

    ``oo`` is accepted only with ``allow_infinity=True``.

    >>> parse_number("0.8")
    4/5
    >>> parse_number("1/3 + 2j")
    1/3 + 2*I
    >>> parse_number("oo", allow_infinity=True)
    oo
    """
    tree, source = read_tree(text, name)
    names = dict(_NUMBER_NAMES)
    names["oo"] = sympy.oo

    def call(func, args, kwargs):
        if func != "sqrt" or len(args) != 1 or kwargs:
            raise ParseError(f"{name}: {func}(...) is not allowed in a number; only sqrt(number) is "
                             f"(read {_short(source)})")
        return sympy.sqrt(args[0])

    reader = Reader(source, names, call, name)
    reader.unknown_name = lambda node: _not_a_number(name, node.id, source)
    value = reader.convert(tree)
    if value.has(sympy.nan, sympy.zoo):
        raise DomainError(f"{name}: {_short(source)} is undefined (a division by zero?)")
    if value.has(sympy.oo, -sympy.oo) and not allow_infinity:
        raise DomainError(f"{name} must be finite, got {_short(source)}")
    if _number_digits(value) > limits.MAX_DIGITS:
        raise LimitError(f"{name}: the exact value of {_short(source)} has more than MAX_DIGITS = "
                         f"{limits.MAX_DIGITS} digits (symsig.limits)")
    return value


def _not_a_number(name, ident, source):
    raise ParseError(f"{name} must be a number, got {_short(source)} (unknown name {ident!r}); "
                     "write digits, p/q, pi, E, sqrt(...) or a complex number like 3-4j")
