"""The vocabulary of the affine laws: symbols, named statistics, the Gaussian density.

A statistic such as ``m1[phi](mu, sigma)`` is a :class:`Stat`, an opaque SymPy
atom that a proof can *unfold* into its definition (an explicit integral against
the Gaussian density, a limit, a supremum) and *fold* back.  Proofs are about a
generic ``phi = Function('phi')`` and ``psi(x) = c*phi(a*x + b) + d``.
"""

import sympy
from sympy.printing.latex import latex as _latex

# PHI, DPHI, DDPHI: the placeholders of expectation integrands (phi(X), phi'(X), phi''(X))
from ..components import BUILTIN, COMPONENTS, DDPHI, DPHI, PHI, SIGMA, latex_name

# Variables of integration / limits (all real).
x, z, u, t = sympy.symbols("x z u t", real=True)
mu = sympy.Symbol("mu", real=True)
sigma = SIGMA
a = sympy.Symbol("a", real=True, nonzero=True)
b, c, d = sympy.symbols("b c d", real=True)
# Case split on the sign of a: same printed name, sign known to SymPy.
A_POS = sympy.Symbol("a", positive=True)
A_NEG = sympy.Symbol("a", negative=True)

phi = sympy.Function("phi", real=True)


def gauss(var):
    """The standard normal density in ``var``."""
    return sympy.exp(-var**2 / 2) / sympy.sqrt(2 * sympy.pi)


def psi_lambda(aa=a, bb=b, cc=c, dd=d):
    """``psi = c*phi(a*t + b) + d`` as a Lambda."""
    return sympy.Lambda(t, cc * phi(aa * t + bb) + dd)


PHI_LAMBDA = sympy.Lambda(t, phi(t))


class Stat(sympy.Expr):
    """A named statistic of a named function, optionally at Gaussian input (mu, sigma).

    >>> Stat("m1", "phi", a*mu + b, abs(a)*sigma)
    m1[phi](a*mu + b, sigma*Abs(a))
    """

    is_real = True

    def __new__(cls, name, fn, *point):
        return super().__new__(cls, sympy.Symbol(str(name)), sympy.Symbol(str(fn)),
                               *map(sympy.sympify, point))

    @property
    def name(self):
        return self.args[0].name

    @property
    def fn(self):
        return self.args[1].name

    @property
    def point(self):
        return self.args[2:]

    def _eval_is_nonnegative(self):
        spec = COMPONENTS.get(self.name) or BUILTIN.get(self.name)
        return True if spec is not None and spec.nonnegative else None

    def _sympystr(self, printer):
        where = f"({', '.join(printer.doprint(p) for p in self.point)})" if self.point else ""
        return f"{self.name}[{self.fn}]{where}"

    def _latex(self, printer):
        name = latex_name(self.name)
        fn = {"phi": r"\varphi", "psi": r"\psi"}.get(self.fn, self.fn)
        where = f"({', '.join(printer._print(p) for p in self.point)})" if self.point else ""
        return rf"{name}[{fn}]{where}"


class D(sympy.Function):
    """``D(n, p)``: the n-th derivative of the generic phi at the point p (``D(0, p)`` is phi(p)).

    SymPy's own ``Subs(Derivative(...))`` ignores the assumptions of symbols in
    its point when comparing, which would identify ``a > 0`` with ``a < 0``;
    ``D`` differentiates by the chain rule through :meth:`fdiff` instead.

    >>> sympy.diff(D(1, a*x + b), x)
    a*phi''(a*x + b)
    """

    nargs = 2
    is_real = True

    def fdiff(self, argindex=2):
        if argindex != 2:
            raise sympy.core.function.ArgumentIndexError(self, argindex)
        return D(self.args[0] + 1, self.args[1])

    def _sympystr(self, printer):
        return f"phi{chr(39) * int(self.args[0])}({printer.doprint(self.args[1])})"

    def _latex(self, printer, exp=None):
        text = r"\varphi%s\left(%s\right)" % ("'" * int(self.args[0]), printer._print(self.args[1]))
        return f"{text}^{{{exp}}}" if exp else text


def to_D(expr):
    """Write every phi(p), Derivative(phi(y), y) and Subs(Derivative(phi(v), v), v, p) as D(n, p)."""
    def is_phi_derivative(e):
        return isinstance(e, sympy.Derivative) and isinstance(e.expr, phi) and e.expr.args[0] in e.variables

    def plain_subs(e):
        return isinstance(e, sympy.Subs) and is_phi_derivative(e.expr) and e.expr.expr.args == e.variables

    expr = expr.replace(plain_subs, lambda e: D(e.expr.derivative_count, e.point[0]))
    expr = expr.replace(is_phi_derivative, lambda e: D(e.derivative_count, e.expr.args[0]))
    return expr.replace(lambda e: isinstance(e, phi), lambda e: D(0, e.args[0]))


class Sup(sympy.Expr):
    """``sup`` over the real line of an expression in ``var`` (kept unevaluated)."""

    def __new__(cls, expr, var):
        return super().__new__(cls, sympy.sympify(expr, strict=True), var)

    @property
    def expr(self):
        return self.args[0]

    @property
    def var(self):
        return self.args[1]

    def _eval_is_nonnegative(self):
        return True if self.expr.is_nonnegative else None

    def _sympystr(self, printer):
        return f"sup_{printer.doprint(self.var)} {printer.doprint(self.expr)}"

    def _latex(self, printer):
        return r"\sup_{%s \in \mathbb{R}} %s" % (printer._print(self.var), printer._print(self.expr))


def latex(expr):
    """LaTeX of an expression, with ``phi`` printed as varphi."""
    return _latex(expr, symbol_names={}).replace(r"\phi", r"\varphi")


__all__ = ["A_NEG", "A_POS", "D", "DDPHI", "DPHI", "PHI", "PHI_LAMBDA", "Stat", "Sup", "a", "b", "c", "d",
           "gauss", "latex", "mu", "phi", "psi_lambda", "sigma", "t", "to_D", "u", "x", "z"]
