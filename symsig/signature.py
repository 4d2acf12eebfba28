"""The nine-dimensional integral signature S_sigma(phi), and any other registered component.

What each component is lives in :mod:`symsig.components` (an expectation, a
formula in other components, or a functional of phi); what is known about phi
(pieces, jumps, slopes, ...) lives in :mod:`symsig.facts`.  This module
evaluates the one on the other at ``X = mu + sigma Z``: all expectations from
one shared set of quadrature nodes, then the formulas, then the functionals.

``phi'`` is the distributional derivative: where phi jumps, E[phi'] gains
``jump * density`` and even powers of phi' are ``+oo`` (conventions.md).

>>> s = signature("relu", sigma=1, dps=20)
>>> str(s["m1"]), s["m1"].exact, s["g2"].exact
('0.39894228040143267794', sqrt(2)/(2*sqrt(pi)), sqrt(2)/2)
"""

from dataclasses import dataclass, field
from functools import lru_cache

import sympy

from . import display
from .activations import Activation, get_activation
from .bounded import simplify
from .calculus import kinks
from .components import (COMPONENTS, DDPHI, DPHI, NINE, PHI, SIGMA, Kind, evaluation_order, latex_name,
                         register_component)
from .errors import SymsigError
from .facts import facts
from .gaussian import check_gaussian, expectations, variance
from .precision import engine_call, lambdify_mpmath, mp, workdps
from .quantity import EXACT, INFINITE, UNDEFINED, Quantity
from .singularities import check_real


@dataclass
class Signature:
    """Named components of S_sigma(phi); a mapping from name to :class:`Quantity`."""

    activation: Activation
    sigma: sympy.Expr
    mu: sympy.Expr
    dps: int
    components: dict = field(default_factory=dict)
    # with certified=True: {name: Ball or "refused: reason"} for the components Arb certifies
    certified: dict = None

    def __getitem__(self, name):
        return self.components[name]

    def __iter__(self):
        return iter(self.components)

    def items(self):
        return self.components.items()

    def as_dict(self):
        """The JSON object of the CLI contract."""
        components = {name: q.as_dict() for name, q in self.components.items()}
        for name, ball in (self.certified or {}).items():
            if name in components:
                components[name]["certified"] = (ball.as_dict() if not isinstance(ball, str)
                                                 else {"certified": False, "reason": ball})
        return {"activation": str(self.activation), "expr": sympy.sstr(self.activation.expr),
                "sigma": sympy.sstr(self.sigma), "mu": sympy.sstr(self.mu), "dps": self.dps,
                "components": components}

    def to_frame(self):
        """A pandas DataFrame, one row per component (see :func:`symsig.display.signature_frame`)."""
        return display.signature_frame(self)

    def _repr_html_(self):
        return display.signature_html(self, latex_name)

    def _repr_latex_(self):
        return display.signature_latex(self, latex_name)


@engine_call
def signature(phi, sigma=1, mu=0, dps=30, components=NINE, extras=(), certified=False):
    """The signature S_sigma(phi) at ``X = mu + sigma Z``, each component a :class:`Quantity`.

    ``phi`` is a catalogue name, a string or a SymPy expression in x.  Closed
    forms are used wherever the exact tier finds them; the rest is quadrature
    at ``dps`` digits.  Extras: any registered name, e.g. ``("chi", "g4", "B", "Lip")``.
    ``certified=True`` (the ``certified`` extra, python-flint) adds a rigorous Arb ball (or a
    proven infinity) for each of the nine components in ``.certified``, a refusal reason
    where nothing is proved: see :mod:`symsig.certified`.
    """
    activation = get_activation(phi)
    sigma, mu, dps = check_gaussian(sigma, mu, dps)
    wanted = list(dict.fromkeys([*components, *extras]))
    order = evaluation_order(wanted)
    known = facts(activation.expr)
    # complex values make every component meaningless: bad input, not one failed component
    check_real(known.pieces)
    values = {}
    expectation_names = [n for n in order if COMPONENTS[n].kind == Kind.EXPECTATION]
    values.update(_expectations(known, expectation_names, sigma, mu, dps))
    for name in order:
        spec = COMPONENTS[name]
        # one component that cannot be computed does not erase the others
        try:
            if spec.kind == Kind.FUNCTIONAL:
                values[name] = spec.compute(known, dps)
            elif spec.kind == Kind.DERIVED:
                values[name] = _derived(spec, values, sigma, dps, known, mu)
        except SymsigError as exc:
            values[name] = Quantity.undefined(str(exc), f"{spec.kind} component failed", dps)
    balls = None
    if certified:
        from .certified import certified_signature  # the optional extra, loaded only when asked for
        balls = {name: ball for name, ball in certified_signature(activation, sigma, mu, dps).items()
                 if name in wanted}
    return Signature(activation, sigma, mu, dps, {name: values[name] for name in wanted}, balls)


# -------------------------------------------------------------- expectations

def _expectations(known, names, sigma, mu, dps):
    integrands, extra = [], []
    for name in names:
        spec = COMPONENTS[name]
        integrands.append(known.classical(spec.integrand))
        extra.append(known.dirac_part(spec.integrand, sigma, mu))
    results = {}
    todo = [i for i, (value, verdict) in enumerate(extra) if verdict is None]
    try:
        quantities = dict(zip(todo, expectations([integrands[i] for i in todo], sigma, mu, dps)))
    except SymsigError:  # the shared evaluation failed: find which components fail, keep the rest
        quantities = {i: _alone(integrands[i], sigma, mu, dps) for i in todo}
    for i, name in enumerate(names):
        value, verdict = extra[i]
        results[name] = _component(name, verdict, quantities.get(i), value, dps)
    return results


def _component(name, dirac_verdict, quantity, dirac_part, dps):
    """An expectation component: the verdict of a Dirac mass of phi' that decides it, else the
    expectation of the classical part plus the Dirac part, transformed as the component says."""
    if dirac_verdict is not None:
        kind, reason = dirac_verdict
        return (Quantity.infinite(1, "Dirac mass", dps, reason=reason) if kind == INFINITE
                else Quantity.undefined(reason, "Dirac mass", dps))
    return _transform(COMPONENTS[name], _add_exact(quantity, dirac_part, dps), dps)


def _alone(integrand, sigma, mu, dps):
    try:
        return expectations([integrand], sigma, mu, dps)[0]
    except SymsigError as exc:
        return Quantity.undefined(str(exc), "expectation failed", dps)


def _add_exact(quantity, extra, dps):
    if extra == 0:
        return quantity
    if quantity.status == EXACT:
        return Quantity.from_exact(simplify(quantity.exact + extra), quantity.method + " + Dirac masses", dps)
    with workdps(dps):
        value = mp.mpf(quantity.value) + mp.mpf(sympy.N(extra, mp.dps))
    return Quantity.numeric(value, quantity.error, quantity.method + " + Dirac masses (exact)", dps)


def _transform(spec, quantity, dps):
    if spec.transform is None or not quantity.is_finite:
        return quantity
    if quantity.status == EXACT:
        return Quantity.from_exact(simplify(spec.transform(quantity.exact)), quantity.method, dps)
    with workdps(dps):
        u = sympy.Symbol("u")
        func = lambdify_mpmath(u, spec.transform(u))
        value = func(quantity.value)
        slope = abs(lambdify_mpmath(u, sympy.diff(spec.transform(u), u))(quantity.value)) \
            if quantity.value else mp.inf
        error = quantity.error * slope if mp.isfinite(slope) else quantity.error
    return Quantity.numeric(value, error, quantity.method, dps)


# ------------------------------------------------------------------ derived

def _derived(spec, values, sigma, dps, known=None, mu=0):
    names = sorted((s for s in spec.formula.free_symbols if s != SIGMA), key=str)
    inputs = [values[s.name] for s in names]
    formula = spec.formula.subs(SIGMA, sigma)
    undefined = [(n, q) for n, q in zip(names, inputs) if q.status == UNDEFINED]
    if undefined:
        name, q = undefined[0]
        return Quantity.undefined(f"needs {name}, which is undefined: {q.reason}", "formula", dps)
    infinite = {s: q.exact for s, q in zip(names, inputs) if q.status == INFINITE}
    if infinite:
        value = formula.subs(infinite)
        if value in (sympy.oo, -sympy.oo):
            return Quantity.infinite(1 if value == sympy.oo else -1, "formula of an infinite component", dps,
                                     proved=all(q.proved for q in inputs if q.status == INFINITE))
        return Quantity.undefined(f"needs {', '.join(map(str, infinite))}, which is infinite", "formula", dps)
    if all(q.status == EXACT for q in inputs):
        exact = {s: q.exact for s, q in zip(names, inputs)}
        try:
            if sympy.fraction(sympy.together(formula))[1].subs(exact) == 0:
                return Quantity.undefined(f"{spec.formula} has a zero denominator here", "formula", dps)
            return Quantity.from_exact(simplify(formula.subs(exact)), "formula of exact components", dps)
        except (SymsigError, OverflowError, ValueError):
            pass  # SymPy cannot evaluate the exact form (huge mu): use the values of the inputs
    result = _derived_numeric(spec.formula, sigma, names, inputs, dps)
    if known is not None and (not result.is_finite or result.dps < dps):
        return _without_variance_cancellation(spec.formula, names, inputs, known, sigma, mu, dps) or result
    return result


def _variances(formula):
    """``{S - T**2: U}`` for the sub-expressions of formula that are the variance of U.

    S and T are expectation components with integrands ``U**2`` and ``U`` (m2 - m1**2
    is Var phi, chi - g1**2 is Var phi').
    """
    found = {}
    for add in formula.atoms(sympy.Add):
        terms = add.args
        if len(terms) != 2:
            continue
        for s, t in (terms, terms[::-1]):
            if s.is_Symbol and (-t).is_Pow and (-t).exp == 2 and (-t).base.is_Symbol:
                spec_s, spec_t = COMPONENTS.get(s.name), COMPONENTS.get((-t).base.name)
                if (spec_s and spec_t and spec_s.integrand is not None and spec_t.integrand is not None
                        and spec_s.transform is None and spec_t.transform is None
                        and sympy.expand(spec_s.integrand - spec_t.integrand**2) == 0):
                    found[add] = spec_t.integrand
    return found


def _without_variance_cancellation(formula, names, inputs, known, sigma, mu, dps):
    """The formula with each variance S - T**2 computed centred (see :func:`symsig.gaussian.variance`).

    Used when the plain formula loses digits: far from mu = 0, m2 and m1**2 agree in
    most of their digits.  None when no variance sub-term applies.
    """
    replacements, extra_names, extra_inputs = {}, [], []
    for k, (term, integrand) in enumerate(_variances(formula).items()):
        if integrand.has(DPHI) and known.jumps(0) or integrand.has(DDPHI) and known.kinks:
            continue  # Dirac masses: the centred quadrature would miss them
        symbol = sympy.Symbol(f"_variance{k}")
        replacements[term] = symbol
        extra_names.append(symbol)
        extra_inputs.append(variance(known.classical(integrand), sigma, mu, dps))
    if not replacements:
        return None
    reduced = formula.xreplace(replacements)
    used = [(n, q) for n, q in zip(names + extra_names, inputs + extra_inputs) if n in reduced.free_symbols]
    result = _derived_numeric(reduced, sigma, [n for n, _ in used], [q for _, q in used], dps)
    method = "formula with the variance from a centred quadrature"
    return Quantity.numeric(result.value, result.error, method, result.dps) if result.is_finite else result


def _derived_numeric(formula, sigma, names, inputs, dps):
    """The formula (in the input names and SIGMA) at the inputs' values, with first-order error
    propagation; compiled once per formula, so a sigma sweep reuses it."""
    func, partials, denominator, denominator_partials = _formula_functions(formula, tuple(names))
    with workdps(dps):
        args = [q.value for q in inputs] + [mp.mpf(sympy.N(sigma, mp.dps))]
        # an exact input's value is rounded to the working precision: a formula that
        # cancels (m2 - m1**2 far from mu = 0) must see that error
        inputs = [q if q.error or q.status != EXACT else
                  Quantity.numeric(q.value, mp.eps * abs(q.value), q.method, q.dps) for q in inputs]
        try:
            value = func(*args)
        except ZeroDivisionError:
            return Quantity.undefined(f"{formula} has a zero denominator here", "formula", dps)
        # first-order error propagation through the formula
        error = mp.mpf(0)
        for partial, q in zip(partials, inputs):
            if q.error:
                error += abs(partial(*args)) * q.error
        if denominator is not None:
            size = abs(denominator(*args))
            bound = sum(abs(d(*args)) * q.error for d, q in zip(denominator_partials, inputs) if q.error)
            if size <= bound:
                return Quantity.undefined(f"{formula}: the denominator is zero to within its error",
                                          "formula", dps)
    return Quantity.numeric(value, error, "formula of numeric components", dps)


@lru_cache(maxsize=256)
def _formula_functions(formula, names):
    """The formula, its partial derivatives in the inputs, its denominator (None if constant)
    and the denominator's partials, as functions of the inputs and sigma."""
    denominator = sympy.denom(sympy.together(formula))
    compiled = lambda e: lambdify_mpmath((*names, SIGMA), e)
    return (compiled(formula), [compiled(sympy.diff(formula, s)) for s in names],
            compiled(denominator) if denominator.free_symbols else None,
            [compiled(sympy.diff(denominator, s)) for s in names])


@engine_call
def symbolic_signature(phi, mu=0, components=NINE, extras=()):
    """Each component as a SymPy formula in the symbol ``sigma`` (None where no closed form is known).

    >>> symbolic_signature("gelu", components=("m1", "g1"))
    {'m1': sqrt(2)*sigma**2/(2*sqrt(pi)*sqrt(sigma**2 + 1)), 'g1': 1/2}
    """
    from .gaussian import exact_form

    activation = get_activation(phi)
    mu = check_gaussian(1, mu, 1)[1]
    wanted = list(dict.fromkeys([*components, *extras]))
    order = evaluation_order(wanted)
    known = facts(activation.expr)
    forms = {}
    for name in order:
        spec = COMPONENTS[name]
        if spec.kind == Kind.EXPECTATION:
            extra, verdict = known.dirac_part(spec.integrand, SIGMA, mu)
            form = exact_form(known.classical(spec.integrand), mu)
            if verdict is not None:
                forms[name] = sympy.oo if verdict[0] == INFINITE else None
            elif form is not None:
                value = form[0] + extra if extra == 0 else simplify(form[0] + extra)
                forms[name] = spec.transform(value) if spec.transform else value
            else:
                forms[name] = None
        elif spec.kind == Kind.DERIVED:
            inputs = {s: forms.get(s.name) for s in spec.formula.free_symbols if s != SIGMA}
            forms[name] = None if None in inputs.values() else spec.formula.subs(inputs)
        else:
            forms[name] = spec.compute(known, 15).exact
    return {name: forms[name] for name in wanted}


@engine_call
def extras_report(phi, dps=30):
    """Kink set, smoothness degree and growth class: the non-numeric extras.

    >>> extras_report("relu6")
    {'kinks': ['0', '6'], 'smoothness_degree': '1', 'growth_class': 'A0'}
    """
    expr = get_activation(phi).expr
    known = facts(expr)
    return {"kinks": [sympy.sstr(p) for p in kinks(expr)],
            "smoothness_degree": sympy.sstr(known.smoothness_degree),
            "growth_class": known.growth(dps)}


__all__ = ["COMPONENTS", "NINE", "PHI", "DPHI", "DDPHI", "Signature", "register_component",
           "signature", "symbolic_signature", "extras_report"]
