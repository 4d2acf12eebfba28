"""SymPy trees as Arb functions, node by node: the exact tier."""


import sympy

from ..errors import InputError
from ..precision import check_dps, engine_call
from .ball import Ball, KEPT_DIGITS, NotCertified, _flint, _real, _refine

def _guarded(name, cut_part):
    """A function with branch cuts and no analytic flag in python-flint: in analytic mode it
    refuses (NaN, which makes acb.integral subdivide) unless the argument avoids the cut."""
    def call(z, analytic):
        if analytic:
            part = z.real if cut_part == "re" else z.imag
            if not abs(part).upper() < 1:
                return _flint().acb("nan")
        return getattr(z, name)()
    return call


def _functions():
    plain = {sympy.exp: "exp", sympy.erf: "erf", sympy.erfc: "erfc", sympy.tanh: "tanh",
             sympy.cosh: "cosh", sympy.sinh: "sinh", sympy.sin: "sin", sympy.cos: "cos",
             sympy.tan: "tan"}
    table = {f: (lambda name: lambda z, a: getattr(z, name)())(name) for f, name in plain.items()}
    table.update({sympy.log: lambda z, a: z.log(analytic=a),
                  sympy.Abs: lambda z, a: z.real_abs(analytic=a),
                  sympy.asin: _guarded("asin", "re"), sympy.acos: _guarded("acos", "re"),
                  sympy.atan: _guarded("atan", "im"), sympy.asinh: _guarded("asinh", "im")})
    return table


_FUNCTIONS = _functions()


def translate(expr, var=None):
    """``expr`` as a function ``(z, analytic) -> acb`` built node by node (NotCertified otherwise).

    ``var`` is the variable (None for a closed form); ``analytic`` is acb.integral's flag:
    functions with branch cuts return NaN when they cannot prove analyticity.
    """
    flint = _flint()
    acb = flint.acb
    if var is not None and expr == var:
        return lambda z, a: z
    if expr.is_Integer:
        value = int(expr)
        return lambda z, a: acb(value)
    if expr.is_Rational:
        p, q = int(expr.p), int(expr.q)
        return lambda z, a: acb(flint.fmpq(p, q))
    if isinstance(expr, sympy.Float):
        sign, man, exp, _ = expr._mpf_
        value = flint.arb(flint.fmpz((-1) ** sign * man)) * flint.arb(2) ** exp  # the float's exact value
        return lambda z, a: acb(value)
    if expr is sympy.pi:
        return lambda z, a: acb(flint.arb.pi())
    if expr is sympy.E:
        return lambda z, a: acb(flint.arb.const_e())
    if expr is sympy.I:
        return lambda z, a: acb(0, 1)
    if expr.is_Add or expr.is_Mul:
        parts = [translate(arg, var) for arg in expr.args]
        if expr.is_Add:
            def add(z, a):
                total = parts[0](z, a)
                for part in parts[1:]:
                    total += part(z, a)
                return total
            return add

        def mul(z, a):
            total = parts[0](z, a)
            for part in parts[1:]:
                total *= part(z, a)
            return total
        return mul
    if expr.is_Pow:
        base, exponent = expr.args
        if base is sympy.E:
            return translate(sympy.exp(exponent, evaluate=False), var)
        inner = translate(base, var)
        if exponent.is_Integer:
            n = int(exponent)
            return lambda z, a: inner(z, a) ** n
        if exponent == sympy.Rational(1, 2):
            return lambda z, a: inner(z, a).sqrt(analytic=a)
        if exponent.is_Rational:
            p, q = int(exponent.p), int(exponent.q)
            return lambda z, a: inner(z, a).pow(acb(flint.fmpq(p, q)), analytic=a)
        raise NotCertified(f"no ball translation for the power {expr} (integer and rational exponents only)")
    func = _FUNCTIONS.get(expr.func)
    if func is None or len(expr.args) != 1:
        what = "the symbol" if expr.is_Symbol else "the function"
        raise NotCertified(f"no ball translation for {what} {expr.func.__name__ if not expr.is_Symbol else expr} "
                           f"(in {expr}); certified values cover {', '.join(sorted(f.__name__ for f in _FUNCTIONS))}")
    inner = translate(expr.args[0], var)
    return lambda z, a: func(inner(z, a), a)


def _number(expr):
    """An exact number without free symbols as an arb at the current precision."""
    return _real(translate(expr)(_flint().acb(0), False), f"the number {expr}")


@engine_call
def certified_value(expr, dps=30):
    """A closed form (a SymPy number, no free symbols) as a :class:`Ball` accurate to ``dps`` digits.

    >>> certified_value(sympy.Function("f")(1), dps=10)
    Traceback (most recent call last):
    ...
    symsig.certified.ball.NotCertified: no ball translation for the function f (in f(1)); ...
    """
    dps = check_dps(dps)
    if not isinstance(expr, sympy.Basic) or expr.free_symbols:
        raise InputError(f"certified_value takes an exact SymPy number, got {expr!r}")
    ball = _refine(lambda: _number(expr), dps, f"the closed form {expr}")
    return Ball.from_arb(ball, dps + KEPT_DIGITS, "exact: closed form in Arb ball arithmetic")
