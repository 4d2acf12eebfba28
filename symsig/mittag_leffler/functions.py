"""SymPy functions ``MittagLeffler(a, b, z)`` and ``Prabhakar(g, a, b, z)``.

They behave like SymPy's own special functions: ``eval`` fires only at
canonical values (z = 0, a = 0, g in {0, 1}), ``diff`` in z closes in the
family, ``rewrite`` gives the elementary forms of the classical cases,
``evalf`` runs :func:`~symsig.mittag_leffler.numeric.mittag_leffler` at the
requested precision, and LaTeX prints ``E_{a, b}(z)``.

>>> from sympy import Symbol, Rational, latex, exp
>>> z = Symbol("z")
>>> MittagLeffler(1, 1, z).rewrite(exp)
exp(z)
>>> MittagLeffler(0, 1, z)
1/(1 - z)
>>> MittagLeffler(Rational(1, 2), 1, -10).evalf(25)
0.05614099274382258585751739
>>> latex(MittagLeffler(2, 1, z**2))
'E_{2, 1}\\\\left(z^{2}\\\\right)'
>>> MittagLeffler(2, 2, z).diff(z)
MittagLeffler(2, 3, z)/2 - MittagLeffler(2, 4, z)/2
"""

import mpmath
import sympy
from sympy import Add, Float, Order, Rational, S, ceiling, erfc, exp, gamma, hyper, sqrt
from sympy.core.function import ArgumentIndexError, DefinedFunction, PoleError
from sympy.core.logic import fuzzy_and

from .. import limits
from ..errors import InputError
from ..precision import active_digits
from .numeric import mittag_leffler


def _exact(expr):
    """Floats inside a numeric argument are taken at their exact binary value."""
    return expr.xreplace({f: Rational(f) for f in expr.atoms(Float)})


def _numeric_args(args, prec):
    """Exact numbers for the engine, or None if an argument is not a number."""
    values = []
    for arg in args:
        if not arg.is_number:
            return None
        values.append(_exact(arg))
    return values


def _square_root(z):
    """(w, sign) with z = sign * w**2 when z visibly is a square, else (sqrt(z), 1)."""
    coeff, rest = z.as_coeff_Mul()
    if rest.is_Pow and rest.exp.is_even and coeff in (1, -1):
        return rest.base ** (rest.exp / 2), int(coeff)
    if z.is_Pow and z.exp.is_even:
        return z.base ** (z.exp / 2), 1
    return sqrt(z), 1


#: Largest integer b whose E_{1,b} is rewritten in elementary form (the form has b terms).
MAX_ELEMENTARY_B = 12


class MittagLeffler(DefinedFunction):
    r"""The two-parameter Mittag-Leffler function.

    .. math :: E_{a,b}(z) = \sum_{k=0}^\infty \frac{z^k}{\Gamma(a k + b)}

    ``a = 0`` is the closed form ``1/(Gamma(b)(1 - z))`` (the series would
    diverge for ``|z| >= 1``).

    Examples
    ========

    >>> from sympy import Symbol, cosh, cos
    >>> x = Symbol("x", real=True)
    >>> MittagLeffler(2, 1, x**2).rewrite(cosh)
    cosh(x)
    >>> MittagLeffler(2, 1, -x**2).rewrite(cos)
    cos(x)
    >>> MittagLeffler(3, 2, 0)
    1
    >>> MittagLeffler(3, 1, x).rewrite("hyper")
    hyper((), (1/3, 2/3), x/27)

    References
    ==========

    .. [1] R. Gorenflo, A. A. Kilbas, F. Mainardi, S. Rogosin, *Mittag-Leffler
       Functions, Related Topics and Applications*, Springer 2020.
    .. [2] https://dlmf.nist.gov/10.46
    """

    nargs = 3

    @classmethod
    def eval(cls, a, b, z):
        if z.is_zero:
            return 1 / gamma(b)
        if a.is_zero:
            return 1 / (gamma(b) * (1 - z))
        return None

    def fdiff(self, argindex=3):
        a, b, z = self.args
        if argindex == 3:
            return (MittagLeffler(a, a + b - 1, z) + (1 - b) * MittagLeffler(a, a + b, z)) / a
        if argindex in (1, 2):
            return super().fdiff(argindex)  # digamma-weighted series: left unevaluated
        raise ArgumentIndexError(self, argindex)

    def _elementary(self):
        a, b, z = self.args
        if (a, b) == (S.One, S.One):
            return exp(z)
        if a == 1 and b.is_Integer and 2 <= b <= MAX_ELEMENTARY_B:
            # E_{1,m}(z) = (e^z - sum_{k < m-1} z^k/k!) / z^(m-1): the exponential's series, shifted
            return (exp(z) - sympy.Add(*(z**k / sympy.factorial(k) for k in range(int(b) - 1)))) / z ** (b - 1)
        if a == 2 and b in (S.One, S(2)):
            w, sign = _square_root(z)
            if sign < 0:
                return sympy.cos(w) if b == 1 else sympy.sin(w) / w
            return sympy.cosh(w) if b == 1 else sympy.sinh(w) / w
        if (a, b) == (S.Half, S.One):
            return exp(z ** 2) * erfc(-z)
        return None

    def _eval_rewrite_as_exp(self, *args, **kwargs):
        return self._elementary()

    _eval_rewrite_as_cosh = _eval_rewrite_as_cos = _eval_rewrite_as_exp
    _eval_rewrite_as_sinh = _eval_rewrite_as_sin = _eval_rewrite_as_exp
    _eval_rewrite_as_erfc = _eval_rewrite_as_elementary = _eval_rewrite_as_exp

    def _eval_rewrite_as_hyper(self, a, b, z, **kwargs):
        if a.is_Integer and a.is_positive:  # (b)_{mk} = m^{mk} prod_i ((b + i)/m)_k
            lower = tuple((b + i) / a for i in range(int(a)))
            return hyper((1,), lower, z / a ** a) / gamma(b)
        return None

    def _eval_rewrite_as_tractable(self, a, b, z, limitvar=None, **kwargs):
        """The form SymPy's Gruntz limit works with: elementary cases rewritten, and for
        z -> +oo the exponential term split off, ``E = z^((1-b)/a) exp(z^(1/a))/a + tail``
        (0 < a <= 2; the tail's asymptotic series is in :class:`_MittagLefflerTail`).
        As z -> -oo nothing is exponential: :meth:`_eval_aseries` gives the series.
        Gruntz takes a function it cannot rewrite for a tame one (as slow as its argument),
        so callers must not hand it one whose argument diverges where
        :meth:`asymptotics_known` says no: x**2 E_{2,3}(x**2)/cosh(x) came out 0, not 1."""
        elementary = self._elementary()
        if elementary is not None:
            return elementary.rewrite("tractable", deep=True, limitvar=limitvar)
        if limitvar is not None and _split_parameters(a, b) and z.has(limitvar):
            from sympy import limit  # SymPy's own tractable rewrites (erf) ask for the same limit
            if limit(z, limitvar, S.Infinity) is S.Infinity:
                return z ** ((1 - b) / a) * exp(z ** (1 / a)) / a + _MittagLefflerTail(a, b, z)
        return self

    def _eval_aseries(self, n, args0, x, logx):
        """E_{a,b}(z) = -sum_k z^-k / Gamma(b - a k) + exponentially small, z -> -oo, 0 < a < 2."""
        a, b, z = self.args
        if args0[2] is S.NegativeInfinity and _algebraic_parameters(a, b):
            found = _algebraic_aseries(a, b, z, n, x, logx)
            if found is not None:
                return found
        return super()._eval_aseries(n, args0, x, logx)

    def asymptotics_known(self, end):
        """True when SymPy's Gruntz limit sees the true size of this function while its
        argument tends to ``end * oo`` (``end`` = +1 or -1): see ``_eval_rewrite_as_tractable``.

        >>> from sympy import Symbol
        >>> E = MittagLeffler(2, 3, Symbol("z"))
        >>> E.asymptotics_known(1), E.asymptotics_known(-1)
        (True, False)
        """
        a, b, _ = self.args
        if self._elementary() is not None:
            return True
        return _split_parameters(a, b) if end > 0 else _algebraic_parameters(a, b)

    def _eval_is_real(self):
        a, b, z = self.args
        return fuzzy_and([a.is_extended_nonnegative, b.is_real, z.is_real])

    def _eval_is_finite(self):
        a, b, z = self.args
        if fuzzy_and([a.is_positive, b.is_finite, z.is_finite]):
            return True  # entire in z
        return None

    def _eval_is_positive(self):
        """Positive for z >= 0 (every term is), and for z < 0 when 0 < a <= 1, b >= a
        (then E_{a,b}(-t) is completely monotone in t: Schneider 1996, Miller-Samko 1997)."""
        a, b, z = self.args
        if not (a.is_positive and b.is_positive and z.is_extended_real):
            return None
        if z.is_nonnegative:
            return True
        if (a - 1).is_nonpositive and (b - a).is_nonnegative:
            return True
        return None

    def _eval_conjugate(self):
        a, b, z = self.args
        if a.is_real and b.is_real:
            return self.func(a, b, z.conjugate())
        return None

    def _eval_evalf(self, prec):
        values = _numeric_args(self.args, prec)
        if values is None:
            return None
        dps = mpmath.libmp.prec_to_dps(prec)
        return sympy.Expr._from_mpmath(mittag_leffler(*values, dps=dps).value, prec)

    def _latex(self, printer, exp=None):
        a, b, z = (printer._print(arg) for arg in self.args)
        tex = rf"E_{{{a}, {b}}}\left({z}\right)"
        return rf"{tex}^{{{exp}}}" if exp else tex


class Prabhakar(DefinedFunction):
    r"""The three-parameter (Prabhakar) Mittag-Leffler function.

    .. math :: E^{g}_{a,b}(z) = \sum_{k=0}^\infty \frac{(g)_k z^k}{k!\,\Gamma(a k + b)}

    Examples
    ========

    >>> from sympy import Symbol, Rational
    >>> z = Symbol("z")
    >>> Prabhakar(1, Rational(1, 2), 1, z)
    MittagLeffler(1/2, 1, z)
    >>> Prabhakar(2, 1, 1, z).diff(z)
    2*Prabhakar(3, 1, 2, z)
    >>> Prabhakar(Rational(1, 2), 1, 2, z).rewrite("hyper")
    hyper((1/2,), (2,), z)
    >>> Prabhakar(Rational(9, 20), Rational(7, 10), Rational(19, 10), -4).evalf(20)
    0.54793701283482226...
    """

    nargs = 4

    @classmethod
    def eval(cls, g, a, b, z):
        if g == 1:
            return MittagLeffler(a, b, z)
        if g.is_zero or z.is_zero:
            return 1 / gamma(b)
        if a.is_zero:
            return (1 - z) ** (-g) / gamma(b)
        return None

    def fdiff(self, argindex=4):
        g, a, b, z = self.args
        if argindex == 4:
            return g * Prabhakar(g + 1, a, a + b, z)
        if argindex in (1, 2, 3):
            return super().fdiff(argindex)
        raise ArgumentIndexError(self, argindex)

    def _eval_rewrite_as_hyper(self, g, a, b, z, **kwargs):
        if a == 1:
            return hyper((g,), (b,), z) / gamma(b)
        return None

    def asymptotics_known(self, end):
        """False: no asymptotic expansion is implemented, so SymPy's Gruntz limit would take
        this function for one as slow as its argument (see MittagLeffler.asymptotics_known)."""
        return False

    def _eval_is_real(self):
        g, a, b, z = self.args
        return fuzzy_and([g.is_real, a.is_extended_nonnegative, b.is_real, z.is_real])

    def _eval_evalf(self, prec):
        values = _numeric_args(self.args, prec)
        if values is None:
            return None
        g, a, b, z = values
        dps = mpmath.libmp.prec_to_dps(prec)
        return sympy.Expr._from_mpmath(mittag_leffler(a, b, z, gamma=g, dps=dps).value, prec)

    def _latex(self, printer, exp=None):
        g, a, b, z = (printer._print(arg) for arg in self.args)
        tex = rf"E^{{{g}}}_{{{a}, {b}}}\left({z}\right)"
        return rf"\left({tex}\right)^{{{exp}}}" if exp else tex


def _split_parameters(a, b):
    """True for real numeric 0 < a <= 2 and real b: as z -> +oo, E_{a,b}(z) is one exponential
    term plus an algebraic series (at a = 2 the two other poles s = -z^(1/2) of the Laplace
    transform add only exp(-z^(1/2)), smaller than any power; for a > 2 they grow too)."""
    return bool(a.is_number and b.is_number and a.is_positive and (a - 2).is_nonpositive
                and b.is_extended_real)


def _algebraic_parameters(a, b):
    """True for real numeric 0 < a < 2 and real b: as z -> -oo, E_{a,b}(z) is an algebraic
    series plus exponentially small terms (at a = 2 it oscillates: cos, sin(w)/w)."""
    return _split_parameters(a, b) and bool((a - 2).is_negative)


def _algebraic_aseries(a, b, z, n, x, logx):
    """``-sum_k z^-k / Gamma(b - a k) + O(z^-(K+1))`` as the series variable x -> 0, or None."""
    try:
        _, power = z.leadterm(x)
    except (ValueError, NotImplementedError, PoleError):
        return None
    if not (power.is_number and power.is_negative):
        return None
    count = int(ceiling(n / -power)) + 1
    if count > limits.MAX_ASERIES_TERMS:
        raise NotImplementedError(f"the asymptotic series of E_{{{a},{b}}} would need {count} terms, more than "
                                  f"MAX_ASERIES_TERMS = {limits.MAX_ASERIES_TERMS} (symsig.limits)")
    terms = [-z ** -k / gamma(b - a * k) for k in range(1, count + 1)]
    if all(t == 0 for t in terms):  # a = 1, integer b <= 1: E is exponentially small there
        return None
    return Add(*terms)._eval_nseries(x, n, logx) + Order(z ** -(count + 1), x)


class _MittagLefflerTail(DefinedFunction):
    """``E_{a,b}(z) - z^((1-b)/a) exp(z^(1/a))/a``, 0 < a < 2: the algebraic part of E as
    z -> +oo, a helper that makes MittagLeffler tractable for Gruntz (like SymPy's ``_erfs``)."""

    nargs = 3

    def _eval_aseries(self, n, args0, x, logx):
        a, b, z = self.args
        if args0[2] is S.Infinity:
            found = _algebraic_aseries(a, b, z, n, x, logx)
            if found is not None:
                return found
        return super()._eval_aseries(n, args0, x, logx)

    def _eval_rewrite_as_intractable(self, a, b, z, **kwargs):
        return MittagLeffler(a, b, z) - z ** ((1 - b) / a) * exp(z ** (1 / a)) / a


def _number(value, name):
    """A scalar argument of the numeric implementation (numbers of any mpmath context pass)."""
    if getattr(value, "shape", ()) != ():
        raise InputError(f"{name}: the Mittag-Leffler numeric implementation takes scalars, got an array "
                         f"of shape {value.shape}; evaluate element by element (numpy.vectorize)")
    return value.item() if hasattr(value, "item") and not hasattr(value, "_mpf_") else value


def _ml_numeric(a, b, z):
    """``MittagLeffler._imp_``: E_{a,b}(z) at the working digits of the active symsig context
    (15 digits outside any symsig call), as a number of that context."""
    a, b, z = (_number(v, n) for v, n in ((a, "a"), (b, "b"), (z, "z")))
    return mittag_leffler(a, b, z, dps=active_digits()).value


def _prabhakar_numeric(g, a, b, z):
    """``Prabhakar._imp_``: like :func:`_ml_numeric`."""
    g, a, b, z = (_number(v, n) for v, n in ((g, "g"), (a, "a"), (b, "b"), (z, "z")))
    return mittag_leffler(a, b, z, gamma=g, dps=active_digits()).value


# every ``sympy.lambdify`` (any module, symsig's lambdify_mpmath included) finds these
MittagLeffler._imp_ = staticmethod(_ml_numeric)
Prabhakar._imp_ = staticmethod(_prabhakar_numeric)


def to_elementary(expr):
    """Rewrite every MittagLeffler with a known elementary form (exp, cosh, cos, sinh/x, erfc).

    >>> from sympy import Symbol
    >>> x = Symbol("x", real=True)
    >>> to_elementary(x * MittagLeffler(2, 2, x**2) / MittagLeffler(2, 1, x**2))
    sinh(x)/cosh(x)
    """
    return expr.rewrite("elementary")
