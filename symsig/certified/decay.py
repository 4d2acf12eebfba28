"""Proven exponential decay on a tail: ``|g(x)| <= sum_i a_i t^(j_i) exp(-r_i t)``, ``t = s x >= T``.

A bound is an *envelope*: a list of terms ``(a, j, r)`` (a an arb >= 0, j an int >= 0, r a
Fraction), valid for every x with ``t = s x >= T``, ``s = +1`` (x -> +oo) or ``-1``, ``T >= 1``.
It decays when every ``r > 0``; then ``integral_T^oo |g| <= sum_i a_i Gamma(j_i + 1, r_i T) / r_i^(j_i + 1)``
(:func:`tail_integral`), an explicit finite sum in Arb.

Each rule below is a small proof; three kinds of facts are derived from the expression tree:

* ``_linear(v, upper)``: ``v <= p t + q`` (or ``>=``), p a Fraction, q an arb, for a real v;
* ``_lower(w)``: ``|w| >= a t^j exp(-r t)``, a > 0 (the size of a denominator);
* ``_envelope(g)``: the decay bound itself.

Before bounding, :func:`_rewrite` applies two exact identities where the argument is proved to
grow on the tail (``_linear`` slope > 0 toward the tail): ``tanh(u) = 1 - 2/(exp(2u) + 1)``
(u -> +oo; ``-1 + 2/(exp(-2u) + 1)`` for u -> -oo) and ``log(c + exp(v)) = v + log(1 + c exp(-v))``
(v -> +oo).  They expose the cancellations of ``phi - alpha x`` and ``1 - tanh(u)^2`` to SymPy's
expansion, which an Add whose plain envelope does not decay then tries.

>>> import sympy
>>> from symsig.activations import x
>>> d = decay_bound(sympy.log(sympy.exp(x) + 1) - x, 1)   # softplus - x = log(1 + e^-x) <= e^-x
>>> str(d)
'log(1 + exp(-x)) as x -> +oo'
"""

from fractions import Fraction
import math

import sympy

from ..activations import x
from .ball import NotCertified, _flint
from .translate import _number

#: slopes are rounded outward to this grid (exact Fractions keep the rate arithmetic exact)
GRID = 256
#: the largest tangent point exp(a) = m = 2^k used for exp(v) >= m (1 + v - log m)
TANGENT_CAP = 64


def _outward(value, up):
    """A Fraction on the 1/GRID grid that is >= (up) or <= the arb ``value``."""
    end = value.upper() if up else value.lower()
    man, exp = end.mid().man_exp()
    exact = Fraction(int(man)) * Fraction(2) ** int(exp)
    scaled = exact * GRID
    return Fraction(math.ceil(scaled) if up else math.floor(scaled), GRID)


def _arb(q):
    flint = _flint()
    return flint.arb(flint.fmpq(q.numerator, q.denominator))


class _Tail:
    """The facts of one tail ``t = side * x >= T``."""

    def __init__(self, side, T):
        self.side, self.T = side, T

    # --------------------------------------------------------- v <= p t + q (or >=)
    def linear(self, v, upper):
        """``(p, q)`` with ``v <= p t + q`` (``upper``) or ``v >= p t + q``, else None."""
        flint = _flint()
        if not v.has(x):
            value = _number(v)
            return Fraction(0), value
        if v.is_polynomial(x):
            return self._polynomial(v, upper)
        if v.is_Add:
            parts = [self.linear(arg, upper) for arg in v.args]
            if any(part is None for part in parts):
                return None
            return sum((p for p, _ in parts), Fraction(0)), sum((q for _, q in parts), flint.arb(0))
        if v.is_Mul:
            c, rest = v.as_independent(x, as_Add=False)
            if c == 1:
                return None
            c = _number(c)
            if not (c > 0 or c < 0):
                return None
            inner = self.linear(rest, upper if c > 0 else not upper)
            if inner is None:
                return None
            # c (p t + q): the slope is rounded outward, valid since t >= 0
            return _outward(c * _arb(inner[0]), upper), c * inner[1]
        if isinstance(v, sympy.exp):
            return self._exp(v.args[0], upper)
        if isinstance(v, sympy.log):
            return None if upper else self._log_lower(v.args[0])
        if v.func in (sympy.tanh, sympy.erf) and v.args[0].is_real:
            return Fraction(0), flint.arb(1 if upper else -1)  # |tanh|, |erf| <= 1
        return None

    def _polynomial(self, v, upper):
        """``sum_k c_k x^k = sum_k c_k s^k t^k``; for ``k >= 2`` a term is dropped to ``c T^(k-1) t``,
        which needs ``c s^k <= 0`` (upper) or ``>= 0`` (lower): ``t^k >= T^(k-1) t`` for ``t >= T``."""
        flint = _flint()
        slope, const = flint.arb(0), flint.arb(0)
        for (k,), c in sympy.Poly(v, x).as_dict().items():
            c = _number(c) * self.side ** k
            if k == 0:
                const += c
            elif k == 1:
                slope += c
            elif (upper and c <= 0) or (not upper and c >= 0):
                slope += c * flint.arb(self.T) ** (k - 1)
            else:
                return None
        return _outward(slope, upper), const

    def _exp(self, v, upper):
        flint = _flint()
        inner = self.linear(v, upper)
        if inner is None:
            return None
        p, q = inner
        if upper:  # exp(v) <= exp(p T + q) when p <= 0
            return (Fraction(0), (_arb(p) * self.T + q).exp()) if p <= 0 else None
        if p <= 0:
            return Fraction(0), flint.arb(0)  # exp > 0
        # convexity: exp(v) >= m (1 + v - log m) (the tangent at v = log m) for every m > 0,
        # increasing in v; m = 2^k near exp(v(T)) makes the bound tight at the tail's start
        k = max(0, min(TANGENT_CAP, int((float(p) * self.T + float(q.mid())) / math.log(2))))
        m = 2 ** k
        return _outward(_arb(p) * m, False), m * (1 + q - k * flint.arb(2).log())

    def _log_lower(self, w):
        """``log w >= log a + j log T - r t`` from ``w >= a t^j exp(-r t)``."""
        low = self.lower(w)
        if low is None:
            return None
        a, j, r = low
        return -r, a.log() + j * _flint().arb(self.T).log()

    # ------------------------------------------------- |w| >= a t^j exp(-r t)
    def lower(self, w):
        """``(a, j, r)`` with ``|w| >= a t^j exp(-r t)`` and ``a > 0``, else None."""
        flint = _flint()
        if not w.has(x):
            value = abs(_number(w))
            return (value, 0, Fraction(0)) if value > 0 else None
        if w == x:
            return flint.arb(1), 1, Fraction(0)
        if isinstance(w, sympy.exp):
            inner = self.linear(w.args[0], False)
            return None if inner is None else (inner[1].exp(), 0, -inner[0])
        if isinstance(w, sympy.cosh):  # cosh v >= exp(|v|) / 2
            for upper, sign in ((False, 1), (True, -1)):
                inner = self.linear(w.args[0], upper)
                if inner is not None and sign * inner[0] > 0:
                    return (sign * inner[1]).exp() / 2, 0, -sign * inner[0]
            return flint.arb(1), 0, Fraction(0)
        if w.is_Mul:
            out = (flint.arb(1), 0, Fraction(0))
            for f in w.args:
                low = self.lower(f)
                if low is None:
                    return None
                out = (out[0] * low[0], out[1] + low[1], out[2] + low[2])
            return out
        if w.is_Pow and w.exp.is_Integer and w.exp > 0:
            low = self.lower(w.base)
            if low is None:
                return None
            n = int(w.exp)
            return low[0] ** n, low[1] * n, low[2] * n
        if w.is_Add and all(self.nonnegative(arg) for arg in w.args):
            # a sum of nonnegative terms is >= each of them: take the fastest-growing
            best = None
            for arg in w.args:
                low = self.lower(arg)
                if low is not None and (best is None or (-low[2], low[1]) > (-best[2], best[1])):
                    best = low
            return best
        return None

    def nonnegative(self, v):
        """A proof that ``v >= 0`` on the tail (False when none is found)."""
        if not v.has(x):
            return bool(_number(v) >= 0)
        if v == x:
            return self.side > 0
        if isinstance(v, (sympy.exp, sympy.cosh)) and v.args[0].is_real:
            return True
        if v.is_Pow and v.exp.is_Integer:
            return v.exp.is_even and v.base.is_real or self.nonnegative(v.base)
        if v.is_Add or v.is_Mul:
            return all(self.nonnegative(arg) for arg in v.args)
        if isinstance(v, sympy.tanh):
            return self.nonnegative(v.args[0])
        if isinstance(v, sympy.log):
            return self.nonnegative(v.args[0] - 1)
        return False

    # --------------------------------------------- |g| <= sum a t^j exp(-r t)
    def envelope(self, g):
        """A list of ``(a, j, r)`` with ``|g| <= sum a t^j exp(-r t)`` on the tail; NotCertified."""
        flint = _flint()
        one = [(flint.arb(1), 0, Fraction(0))]
        if not g.has(x):
            return [(abs(_number(g)), 0, Fraction(0))]
        if g == x:
            return [(flint.arb(1), 1, Fraction(0))]
        if g.is_Add:
            plain = [term for arg in g.args for term in self.envelope(arg)]
            if _decays(plain):
                return plain
            # cancellations (x tanh u - x, tanh(u)^2 - 1 after the tanh identity, x sigmoid(x) - x):
            # expanded, then over a common denominator with the numerator expanded; the best wins
            best = plain
            numerator, denominator = sympy.fraction(sympy.together(g))
            for form in (sympy.expand(g), sympy.expand(numerator) / denominator):
                other = _try(self.envelope, form) if form != g else None
                if other and _slowest(other) > _slowest(best):
                    best = other
                    if _decays(best):
                        break
            return best
        if g.is_Mul:
            out = one
            for f in g.args:
                out = _product(out, self.envelope(f))
            return out
        if g.is_Pow and g.exp.is_Integer:
            n = int(g.exp)
            if n > 0:
                out = one
                for _ in range(n):
                    out = _product(out, self.envelope(g.base))
                return out
            # |b|^-n <= a^-n t^(-jn) exp(n r t) <= a^-n T^(-jn) exp(n r t) from |b| >= a t^j exp(-r t)
            low = self.lower(g.base)
            if low is None:
                raise NotCertified(f"no decay bound: no positive lower bound of {g.base} proved on the tail")
            a, j, r = low
            return [(a ** n * flint.arb(self.T) ** (j * n), 0, r * n)]
        arg = g.args[0] if len(g.args) == 1 else None
        if arg is not None and arg.is_real:
            if isinstance(g, sympy.exp):
                inner = self.linear(arg, True)
                if inner is not None:
                    return [(inner[1].exp(), 0, -inner[0])]
            if isinstance(g, sympy.tanh):  # |tanh u| <= min(1, |u|)
                small = _try(self.envelope, arg)
                return small if small is not None and _decays(small) else one
            if g.func in (sympy.erf, sympy.sin, sympy.cos):
                return one
            if isinstance(g, sympy.Abs):
                return self.envelope(arg)
            if isinstance(g, sympy.log):
                # 0 <= log(1 + y) <= y for y >= 0
                if self.nonnegative(arg - 1):
                    return self.envelope(sympy.expand(arg - 1))
                # else |log w| <= max(|p|, |p'|) t + max(|q|, |q'|) from both linear bounds
                up, low = self.linear(arg, True), self._log_lower(arg)
                if up is None:
                    up = self._log_upper(arg)
                if up is not None and low is not None:
                    return [(abs(up[1]).union(abs(low[1])).upper(), 0, Fraction(0)),
                            (_arb(max(abs(up[0]), abs(low[0]))), 1, Fraction(0))]
        raise NotCertified(f"no decay bound proved for {g} as x -> {'+' if self.side > 0 else '-'}oo")

    def _log_upper(self, w):
        """``log w <= log n + max_i(log a_i - j_i) + max_i(j_i - r_i) t`` from ``|w| <= sum_i a_i t^j_i e^(-r_i t)``
        (``log t <= t - 1``)."""
        terms = _try(self.envelope, w)
        if not terms or not all(a > 0 for a, _, _ in terms):
            return None
        flint = _flint()
        heads = [a.log() - j for a, j, _ in terms]
        top = heads[0]
        for h in heads[1:]:
            top = top.union(h)
        return max(j - r for _, j, r in terms), flint.arb(len(terms)).log() + top.upper()

    # ------------------------------------------------------------ rewriting
    def rewrite(self, g):
        """``g`` with the tanh and log identities of the module docstring applied where the
        argument is proved to grow on the tail (exact: the result equals g)."""
        if not g.args:
            return g
        args = [self.rewrite(arg) for arg in g.args]
        g = g.func(*args) if args != list(g.args) else g
        if isinstance(g, sympy.tanh):
            u = g.args[0]
            if _grows(self.linear(u, False), 1):
                return 1 - 2 / (sympy.exp(2 * u) + 1)
            if _grows(self.linear(u, True), -1):
                return -1 + 2 / (sympy.exp(-2 * u) + 1)
        if isinstance(g, sympy.log) and g.args[0].is_Add:
            exps = [t for t in g.args[0].args if isinstance(t, sympy.exp)]
            if len(exps) == 1 and _grows(self.linear(exps[0].args[0], False), 1):
                v, rest = exps[0].args[0], g.args[0] - exps[0]
                if self.nonnegative(rest):
                    return v + sympy.log(1 + sympy.expand(rest * sympy.exp(-v)))
        return g


def _grows(bound, sign):
    return bound is not None and sign * bound[0] > 0


def _try(func, arg):
    try:
        return func(arg)
    except NotCertified:
        return None


def _product(p, q):
    return [(a * b, j + k, r + s) for a, j, r in p for b, k, s in q]


def _decays(terms):
    return all(r > 0 for _, _, r in terms)


def _slowest(terms):
    return min(r for _, _, r in terms)


def tail_integral(terms, T):
    """``sum_i a_i integral_T^oo t^j exp(-r t) dt`` (every r > 0), exactly:
    ``integral_T^oo t^j e^(-r t) dt = e^(-r T) sum_(i<=j) j!/i! T^i / r^(j-i+1)``."""
    flint = _flint()
    total = flint.arb(0)
    T = flint.arb(T)
    for a, j, r in terms:
        rate = _arb(r)
        inner = sum((flint.arb(math.factorial(j) // math.factorial(i)) * T ** i / rate ** (j - i + 1)
                     for i in range(j + 1)), flint.arb(0))
        total += a * (-rate * T).exp() * inner
    return total


class Decay:
    """A proven decay bound of ``g`` as ``side * x -> +oo``: :meth:`cut` finds T and the tail integral."""

    def __init__(self, g, side):
        self.g, self.side = g, side
        self.form = _Tail(side, 1).rewrite(g)

    def __str__(self):
        return f"{self.form} as x -> {'+' if self.side > 0 else '-'}oo"

    def evaluation_form(self):
        """g in the rewritten form, expanded where a rewrite applied: tanh(u) - 1 = -2/(exp(2u) + 1)
        keeps its relative accuracy far out, where 1 - tanh(u) loses it."""
        return sympy.expand(self.form) if self.form != self.g else self.g

    def envelope(self, T):
        terms = _Tail(self.side, T).envelope(self.form)
        if not _decays(terms):
            raise NotCertified(f"no exponential decay of {self.g} proved as x -> {'+' if self.side > 0 else '-'}oo "
                               f"(the best bound found has the rate {_slowest(terms)})")
        return terms

    def cut(self, start, target):
        """``(T, B)``: the first T >= start (growing by 5/4) with ``B = integral_T^oo |g| <= target``."""
        T = max(int(start), 1)
        while T < 2 ** 20:
            bound = tail_integral(self.envelope(T), T)
            if bound.is_finite() and bound < target:
                return T, bound
            T = T + max(1, T // 4)
        raise NotCertified(f"the decay bound of {self.g} does not reach {target} before x = 2^20")


def decay_bound(g, side):
    """A :class:`Decay` of ``g`` as ``side * x -> +oo`` (NotCertified when no rule proves decay)."""
    decay = Decay(g, side)
    decay.envelope(1)  # proves decay, or refuses now with the reason
    return decay
