"""Signature sweeps: one activation at many sigma values, the sigma-free work done once.

:func:`signature_sweep` gives the components of :func:`symsig.signature` at every
sigma (equal at the digits each claims) and does once what does not depend on sigma:

* the facts of phi, the closed forms in sigma of the exact tier (cached, each
  substituted per sigma) and the functionals (slopes, TV, C, ...);
* the quadrature of the expectations without a closed form, written in x:
  ``E[f(mu + sigma Z)] = integral f(x) pdf((x - mu)/sigma)/sigma dx``.  Without
  kinks, the trapezoidal rule in z on the x-nodes ``mu + j 2**-k``, shared by every
  sigma; else tanh-sinh over ``mu -+ R``, R the power of 2 at or above the tail cut
  at that sigma, split at mu and at the kinks, its nodes and the values of f there
  shared by every sigma of one octave of R.  Each sigma reweighs the shared values by
  its density and runs the usual refinement and error model (:mod:`symsig.quadrature`)
  to its own goal.  A sigma that misses its goal (or whose tail is algebraic) takes
  the standard path of :func:`symsig.expectations`.

A value at one sigma does not depend on the other sigmas of the sweep, so a sweep
spread over an executor (``executor=``: any :class:`concurrent.futures.Executor`,
e.g. a process pool or Dask's ``Client.get_executor()``) equals the serial one
digit for digit.

>>> s = signature_sweep("relu", ["0.5", 2], dps=10)
>>> [str(q) for q in s.column("m2")], s.column("m2")[0].exact
(['0.1250000000', '2.000000000'], 1/8)
>>> s.as_dict()["columns"]["g1"]["value"]
['0.5000000000', '0.5000000000']
"""

import math
from concurrent.futures import CancelledError
from dataclasses import dataclass, field

import sympy
from mpmath.calculus.quadrature import TanhSinh
from mpmath.libmp import from_man_exp, mpf_exp, mpf_mul, round_nearest as NEAREST

from .activations import Activation, get_activation, x
from .bounded import simplify
from .components import COMPONENTS, NINE, SIGMA, Kind, evaluation_order
from .errors import SymsigError
from .facts import facts
from .formats import to_columns_csv
from .gaussian import _evaluate, _powers, check_gaussian, exact_form, expectations
from .normal import pdf as normal_pdf
from .precision import (GUARD_DIGITS, REAL, current, engine_call, exact_number, lambdify_mpmath, mp,
                        private_context, workdps)
from .quadrature import MAX_DEGREE, TRAPEZOID_DEGREES, _Interval, _refine, tail_cutoff
from .quantity import EXACT, Quantity, without_erf_cancellation
from .signature import Signature, _alone, _component, _derived
from .singularities import check_real, expectation_verdict, split_at_singular_points


@dataclass
class Sweep:
    """Signatures of one activation at many sigma values, in input order.

    ``signatures[k]`` is the :class:`~symsig.signature.Signature` at ``sigmas[k]``;
    after an interrupt only the finished ones are kept (``interrupted=True``).
    """

    activation: Activation
    sigmas: list
    mu: sympy.Expr
    dps: int
    signatures: list = field(default_factory=list)
    interrupted: bool = False

    def column(self, name):
        """The :class:`~symsig.quantity.Quantity` of component ``name`` at each finished sigma."""
        return [s[name] for s in self.signatures]

    def rows(self):
        """One JSON object per sigma, as :meth:`Signature.as_dict` (what the table formats take)."""
        return [s.as_dict() for s in self.signatures]

    def as_dict(self):
        """JSON-ready columns by sigma: ``columns[name][field][k]`` belongs to ``sigma[k]``."""
        names = list(self.signatures[0].components) if self.signatures else []
        columns = {}
        for name in names:
            cells = [q.as_dict() for q in self.column(name)]
            columns[name] = {key: [c.get(key) for c in cells]
                             for key in ("value", "exact", "method", "error", "reason")}
        return {"activation": str(self.activation), "expr": sympy.sstr(self.activation.expr),
                "mu": sympy.sstr(self.mu), "dps": self.dps, "interrupted": self.interrupted,
                "sigma": [sympy.sstr(s.sigma) for s in self.signatures], "columns": columns}

    def to_csv(self):
        """One line per sigma, a value and an error column per component (for plotting)."""
        return to_columns_csv(self.rows())


CHUNKS = 8
"""Executor tasks per sweep; each worker pays the sigma-free work once."""


def signature_sweep(phi, sigmas, mu=0, dps=30, components=NINE, extras=(), executor=None,
                    on_signature=None):
    """A :class:`Sweep`: the signature of ``phi`` at each of ``sigmas`` (see the module doc).

    ``executor`` spreads the sigmas over its workers; the result is the serial one,
    digit for digit.  ``on_signature(signature, index, total)`` is called for each
    finished sigma, in input order.  On KeyboardInterrupt the finished signatures
    are kept and ``interrupted`` is set.
    """
    activation = get_activation(phi)
    mu = check_gaussian(1, mu, dps)[1]
    exact_sigmas = [check_gaussian(s, mu, dps)[0] for s in sigmas]
    wanted = tuple(dict.fromkeys([*components, *extras]))
    evaluation_order(wanted)  # an unknown name fails here, not in a worker
    sweep = Sweep(activation, exact_sigmas, mu, dps)

    def keep(signature):
        sweep.signatures.append(signature)
        if on_signature is not None:
            on_signature(signature, len(sweep.signatures), len(exact_sigmas))

    if executor is None:
        sweep.interrupted = not sweep_signatures(activation, exact_sigmas, mu, dps, wanted, keep)
        return sweep
    tasks = [(task_spec(phi, activation), [portable(s) for s in chunk], portable(mu), dps, wanted)
             for chunk in chunks(exact_sigmas, CHUNKS)]
    sweep.interrupted = not run_tasks(executor, sweep_task, tasks, lambda packed: [
        keep(unpack(activation, item, mu, dps)) for item in packed])
    return sweep


# ------------------------------------------------------------------ executors

def chunks(items, count):
    """``items`` in at most ``count`` consecutive runs of equal length (the last may be shorter)."""
    size = max(1, math.ceil(len(items) / count))
    return [items[i:i + size] for i in range(0, len(items), size)]


def task_spec(phi, activation):
    """What a worker rebuilds the activation from: the user's name or string, else the Activation."""
    return phi if isinstance(phi, str) else activation


def portable(number):
    """A number for a task: its SymPy string when that reads back exactly, else the number."""
    text = sympy.sstr(number)
    try:
        return text if exact_number(text) == number else number
    except SymsigError:
        return number


def run_tasks(executor, function, tasks, on_result):
    """``on_result(function(*task))`` for each task in task order, the calls run by ``executor``.

    Returns False when interrupted (KeyboardInterrupt in this process, or a task
    that was interrupted or cancelled): the results of the tasks before the first
    unfinished one have been handed on, the rest are cancelled.
    """
    futures = [executor.submit(function, *task) for task in tasks]
    try:
        for future in futures:
            on_result(future.result())
    except (KeyboardInterrupt, CancelledError):
        for future in futures:
            future.cancel()
        return False
    return True


def sweep_task(spec, sigmas, mu, dps, wanted):
    """One executor task (a picklable top-level call): the packed signatures at ``sigmas``."""
    done = []
    if not sweep_signatures(get_activation(spec), [exact_number(s, "sigma") for s in sigmas],
                            exact_number(mu, "mu"), dps, wanted, done.append):
        raise KeyboardInterrupt
    return [pack(s) for s in done]


def pack(signature):
    """A Signature as picklable data: numbers of a private mpmath context become raw tuples."""
    def raw(value):
        return ("mpf", value._mpf_) if isinstance(value, REAL) else value
    return (signature.sigma, {name: (raw(q.value), q.exact, q.method, raw(q.error), q.status, q.dps,
                                     q.reason, q.cause, q.proved) for name, q in signature.items()})


def unpack(activation, packed, mu, dps):
    """The Signature of :func:`pack`, its numbers rebuilt bit for bit in a private context."""
    sigma, components = packed
    context = private_context(dps + GUARD_DIGITS)

    def number(value):
        return context.make_mpf(value[1]) if isinstance(value, tuple) else value
    return Signature(activation, sigma, mu, dps, {
        name: Quantity(number(v), exact, method, number(e), status, q_dps, reason, cause, proved)
        for name, (v, exact, method, e, status, q_dps, reason, cause, proved) in components.items()})


# ---------------------------------------------------------------- the sweep

@engine_call
def sweep_signatures(activation, sigmas, mu, dps, wanted, keep):
    """``keep(signature)`` at each sigma in order; False when interrupted."""
    order = evaluation_order(wanted)
    known = facts(activation.expr)
    check_real(known.pieces)
    functionals = {}
    for name in order:
        spec = COMPONENTS[name]
        if spec.kind == Kind.FUNCTIONAL:
            try:
                functionals[name] = spec.compute(known, dps)
            except SymsigError as exc:
                functionals[name] = Quantity.undefined(str(exc), "functional component failed", dps)
    names = [n for n in order if COMPONENTS[n].kind == Kind.EXPECTATION]
    integrands = [known.classical(COMPONENTS[n].integrand) for n in names]
    diracs = [known.dirac_part(COMPONENTS[n].integrand, SIGMA, mu) for n in names]
    shared = [i for i, (p, (_, verdict)) in enumerate(zip(integrands, diracs))
              if verdict is None and _shareable(p, mu)]
    closed = _closed_derived(order, names, integrands, diracs, mu)
    try:
        with workdps(dps):
            quadrature = _SharedQuadrature([integrands[i] for i in shared], mu, dps) if shared else None
            for sigma in sigmas:
                values = dict(functionals)
                values.update(_expectations(names, integrands, diracs, shared, quadrature, sigma, mu, dps))
                for name in order:
                    spec = COMPONENTS[name]
                    if spec.kind == Kind.DERIVED:
                        try:
                            values[name] = _derived_at(spec, closed.get(name), values, sigma, dps, known, mu)
                        except SymsigError as exc:
                            values[name] = Quantity.undefined(str(exc), "derived component failed", dps)
                keep(Signature(activation, sigma, mu, dps, {name: values[name] for name in wanted}))
    except KeyboardInterrupt:
        return False
    return True


def _closed_derived(order, names, integrands, diracs, mu):
    """``{name: (form, denominator)}``: closed forms in SIGMA of the derived components whose
    inputs all have one, simplified once (signature() simplifies at each sigma)."""
    forms, closed = {}, {}
    for i, name in enumerate(names):
        extra, verdict = diracs[i]
        form = None if verdict is not None else exact_form(split_at_singular_points(integrands[i]), mu)
        if form is not None:
            transform = COMPONENTS[name].transform
            forms[name] = transform(form[0] + extra) if transform else form[0] + extra
    for name in order:
        spec = COMPONENTS[name]
        if spec.kind != Kind.DERIVED or any(n not in forms for n in spec.inputs):
            continue
        inputs = {sympy.Symbol(n): forms[n] for n in spec.inputs}
        forms[name] = spec.formula.xreplace(inputs)
        denominator = sympy.fraction(sympy.together(spec.formula))[1].xreplace(inputs)
        closed[name] = (simplify(forms[name]), denominator)
    return closed


def _derived_at(spec, closed, values, sigma, dps, known, mu):
    """A derived component at one sigma: its closed form when every input is exact there."""
    if closed is not None and all(values[n].status == EXACT for n in spec.inputs):
        form, denominator = closed
        try:
            if denominator.subs(SIGMA, sigma) == 0:
                return Quantity.undefined(f"{spec.formula} has a zero denominator here", "formula", dps)
            return Quantity.from_exact(form.subs(SIGMA, sigma), "formula of exact components", dps)
        except (SymsigError, OverflowError, ValueError):
            pass  # as signature(): SymPy cannot evaluate the form here, use the inputs' values
    return _derived(spec, values, sigma, dps, known, mu)


def _shareable(pieces, mu):
    """True when E[f] has no closed form and no series and f has no singular points: plain quadrature."""
    if split_at_singular_points(pieces).breakpoints != pieces.breakpoints:
        return False
    if exact_form(pieces, mu) is not None:
        return False
    from .mittag_leffler import MittagLeffler, Prabhakar  # lazy, as in symsig.gaussian
    return not pieces.as_expr().has(MittagLeffler, Prabhakar)


def _expectations(names, integrands, diracs, shared, quadrature, sigma, mu, dps):
    """The expectation components at one sigma, as :func:`symsig.signature.signature` gives them."""
    found = {}
    if quadrature is not None:
        for i, q in zip(shared, quadrature.at(sigma)):
            # a diverging tail at this sigma (exp(x**2/4) at sigma >= sqrt 2) is the standard path's verdict
            if q is not None and expectation_verdict(integrands[i], sigma, mu) is None:
                found[i] = q
    todo = [i for i, (_, verdict) in enumerate(diracs) if verdict is None and i not in found]
    try:
        found.update(zip(todo, expectations([integrands[i] for i in todo], sigma, mu, dps)))
    except SymsigError:  # as signature(): find which components fail, keep the rest
        found.update((i, _alone(integrands[i], sigma, mu, dps)) for i in todo)
    results = {}
    for i, name in enumerate(names):
        extra, verdict = diracs[i]
        results[name] = _component(name, verdict, found.get(i), None if verdict else extra.subs(SIGMA, sigma), dps)
    return results


class _SharedQuadrature:
    """``E[f(mu + sigma Z)]`` of several f for any sigma, from shared nodes in x.

    Without kinks, the trapezoidal rule (:meth:`_trapezoid`).  Else tanh-sinh: the range
    is ``mu -+ R``, R the power of 2 at or above the tail cut of
    :func:`~symsig.quadrature.tail_cutoff` at that sigma, split at mu and the kinks:
    every sigma of one octave of reach uses the same nodes.  (One infinite range for
    all sigma would share more, but its 1/x map puts a mass far from mu between
    sparse nodes, where the error extrapolation trusted a false convergence.)

    Build and call inside one ``workdps`` block.  Nodes and f values are cached per
    interval and tanh-sinh degree; everything depends on f, mu, dps and R only, so
    the value at a sigma is the same whatever other sigmas were asked before.
    """

    def __init__(self, pieces, mu, dps):
        self.n, self.dps = len(pieces), dps
        self.plan = _powers(pieces)  # E[phi^2] from phi's values, as symsig.gaussian does
        self.funcs = {i: lambdify_mpmath(x, without_erf_cancellation(pieces[i].as_expr())) for i, _ in self.plan}
        self.mu = mp.mpf(sympy.N(mu, mp.dps))
        breakpoints = {b for p in pieces for b in p.breakpoints} | {mu}
        self.points = [mp.mpf(sympy.N(b, mp.dps)) for b in sorted(breakpoints, key=float)]
        self.rule = TanhSinh(current())
        self.work = mp.prec
        self.high = self.work + self._lost_bits()
        self.nodes = {}
        self.grid = {}  # f values at x = mu + j 2**-k, for the trapezoidal rule

    def _values(self, t, prec):
        with mp.workprec(prec):
            values = {i: _evaluate(f, t) for i, f in self.funcs.items()}
            return [values[i] ** k for i, k in self.plan]

    def _lost_bits(self):
        """Bits the integrands lose to internal cancellation near mu (see gaussian_quadrature)."""
        extra = 0
        for _ in range(4):
            lost = 0
            for t in (-4, -2, -1, 0, 1, 2, 4):
                t = self.mu + t
                try:
                    finer = self._values(t, self.work + extra + 2 * lost + 64)
                except SymsigError:
                    continue
                for v, w in zip(self._values(t, self.work + extra), finer):
                    if w and v != w:
                        lost = max(lost, self.work + mp.mag(v - w) - mp.mag(w))
            if lost <= 8:
                return extra
            extra += lost + 10
        return extra

    def _edges(self, radius):
        """The intervals of the range mu -+ radius, split at the kinks inside it."""
        inside = [p for p in self.points if abs(p - self.mu) < radius]
        ends = [self.mu - radius, *inside, self.mu + radius]
        return list(zip(ends, ends[1:]))

    def _level_nodes(self, a, b, degree):
        """``[((x - mu)**2, weight, f values)]`` at the new tanh-sinh nodes of that degree on
        (a, b), all raw (``_mpf_``)."""
        key = (a, b, degree)
        if key not in self.nodes:
            nodes = []
            for t, w in self.rule.get_nodes(a, b, degree, self.work):
                values = [(+v)._mpf_ for v in self._values(t, self.high)]
                nodes.append((((t - self.mu) ** 2)._mpf_, w._mpf_, values))
            self.nodes[key] = nodes
        return self.nodes[key]

    def at(self, sigma):
        """A Quantity per f at this sigma, or None for an f whose quadrature missed its goal."""
        s = mp.mpf(sympy.N(sigma, mp.dps))
        n, mu, prec = self.n, self.mu, self.work
        try:
            # the tail rule of gaussian_quadrature at this sigma
            cutoff = tail_cutoff(lambda z: [+v for v in self._values(mu + s * z, self.high)], n)
        except SymsigError:
            return [None] * n
        if cutoff == mp.inf:  # an algebraic tail: the standard path integrates it to infinity
            return [None] * n
        if self.points == [mu]:  # no kink: the trapezoidal rule, as gaussian_quadrature tries first
            found = self._trapezoid(s, cutoff)
            if found is not None:
                return found
        edges = self._edges(mp.ldexp(1, mp.mag(s * cutoff)))
        exponent = (-1 / (2 * s * s))._mpf_
        scale = normal_pdf(0) / s  # the density's constant, taken out of the sums

        def level(piece, degree):
            # as symsig.quadrature.integrate: the previous level's sum (over h) plus the new nodes;
            # the products weight * f are exact and summed exactly (_ExactSum), rounded once
            h = mp.ldexp(1, -degree)
            sums, magnitude = [_ExactSum() for _ in range(n)], [_ExactSum() for _ in range(n)]
            nodes = self._level_nodes(piece.a, piece.b, degree)
            for square, w, values in nodes:
                _, man, exp, _ = mpf_mul(w, mpf_exp(mpf_mul(exponent, square, prec, NEAREST), prec,
                                                    NEAREST), prec, NEAREST)
                for i in range(n):
                    v_sign, v_man, v_exp, _ = values[i]
                    sums[i].add(-man * v_man if v_sign else man * v_man, exp + v_exp)
                    magnitude[i].add(man * v_man, exp + v_exp)
            totals = [h * (scale * sums[i].value(prec) + (piece.levels[i][-1] / (2 * h) if piece.levels[i] else 0))
                      for i in range(n)]
            return (totals, [h * scale * magnitude[i].value(prec) + piece.magnitude[i] / 2 for i in range(n)],
                    len(nodes))

        try:
            result = _refine(level, [_Interval(a, b, n) for a, b in edges], n, self.dps,
                             range(1, MAX_DEGREE + 1), strict=False)
        except SymsigError:  # f cannot be evaluated far out: every f takes the standard path
            return [None] * n
        method = f"quadrature (tanh-sinh in x, nodes shared across sigma, {len(edges)} intervals)"
        return [None if failure else Quantity.numeric(v, e, method, self.dps)
                for v, e, failure in zip(result.values, result.errors, result.failures)]


    def _pair(self, j, k):
        """``(f(x+) + f(x-), |f(x+)| + |f(x-)|)`` per f, x-+ = mu -+ j 2**-k (f(mu) and |f(mu)|
        for j = 0), raw ``_mpf_``: what every sigma's trapezoidal sum needs at that node pair."""
        while j and j % 2 == 0:  # one key per point, whichever level (of whichever sigma) asks
            j, k = j // 2, k - 1
        key = (j, k) if j else (0, 0)
        if key not in self.grid:
            plus = self._grid_value(j, k)
            minus = self._grid_value(-j, k) if j else [mp.mpf(0)] * self.n
            self.grid[key] = ([(a + b)._mpf_ for a, b in zip(plus, minus)],
                              [(abs(a) + abs(b))._mpf_ for a, b in zip(plus, minus)])
        return self.grid[key]

    def _grid_value(self, j, k):
        """f at x = mu + j 2**-k, rounded to the working precision."""
        return [+v for v in self._values(self.mu + mp.ldexp(j, -k), self.high)]

    def _trapezoid(self, s, cutoff):
        """Quantities at sigma = s by the trapezoidal rule in z on the x-nodes mu + j 2**-k.

        A level of step h in x is the step h/s in z, and its nodes are shared by every
        sigma (halving h keeps the old ones): f is evaluated once per node for the whole
        sweep, and the density exp(-(j h/s)**2 / 2) comes from a running product, not an
        exp per node; the products with f are exact and summed exactly (:class:`_ExactSum`).
        Levels start at h <= s/2 and refine as in :func:`symsig.quadrature._trapezoid`;
        None when some f misses its goal (the tanh-sinh path then answers).
        """
        n, prec = self.n, self.work
        wp = prec + 32  # the running product loses a bit per hundred nodes
        reach = s * cutoff
        first = int(mp.ceil(mp.log(2 / s, 2)))  # 2**-first <= s/2

        def level(piece, degree):
            k = first + degree
            h = mp.ldexp(1, -k)
            step = h / s
            last = int(mp.floor(reach / h))
            # level 0 takes every j, later levels the odd ones (the new nodes)
            start, stride = (0, 1) if degree == 0 else (1, 2)
            sums, magnitude = [_ExactSum() for _ in range(n)], [_ExactSum() for _ in range(n)]
            with mp.workprec(wp):
                a = step * step / 2
                weight = mp.exp(-a * start * start)._mpf_
                ratio = mp.exp(-a * (2 * start * stride + stride * stride))._mpf_
                factor = mp.exp(-2 * a * stride * stride)._mpf_
            for j in range(start, last + 1, stride):
                values, sizes = self._pair(j, k)
                _, w_man, w_exp, _ = weight
                for i in range(n):
                    v_sign, v_man, v_exp, _ = values[i]
                    sums[i].add(-w_man * v_man if v_sign else w_man * v_man, w_exp + v_exp)
                    _, m_man, m_exp, _ = sizes[i]
                    magnitude[i].add(w_man * m_man, w_exp + m_exp)
                weight = mpf_mul(weight, ratio, wp, NEAREST)
                ratio = mpf_mul(ratio, factor, wp, NEAREST)
            scale = step * normal_pdf(0)
            totals = [scale * sums[i].value(prec) + (piece.levels[i][-1] / 2 if piece.levels[i] else 0)
                      for i in range(n)]
            count = 2 * len(range(start, last + 1, stride)) - (start == 0)
            return totals, [scale * magnitude[i].value(prec) + piece.magnitude[i] / 2 for i in range(n)], count

        try:
            result = _refine(level, [_Interval(self.mu - reach, self.mu + reach, n)], n, self.dps,
                             TRAPEZOID_DEGREES, strict=False)
        except SymsigError:
            return None
        if not result.converged:
            return None
        method = "quadrature (trapezoidal in x, nodes shared across sigma)"
        return [Quantity.numeric(v, e, method, self.dps) for v, e in zip(result.values, result.errors)]


class _ExactSum:
    """The exact sum of terms ``man * 2**exp`` (Python integers), rounded once by :meth:`value`."""

    __slots__ = ("man", "exp")

    def __init__(self):
        self.man, self.exp = 0, None

    def add(self, man, exp):
        if self.exp is None or exp >= self.exp:
            self.man += man << (exp - self.exp) if self.exp is not None else man
            self.exp = exp if self.exp is None else self.exp
        else:
            self.man = (self.man << (self.exp - exp)) + man
            self.exp = exp

    def value(self, prec):
        """The sum rounded to nearest at ``prec`` bits, an mpf of the active context."""
        return mp.make_mpf(from_man_exp(self.man, self.exp or 0, prec, NEAREST))


__all__ = ["Sweep", "signature_sweep", "run_tasks", "sweep_task", "CHUNKS"]
