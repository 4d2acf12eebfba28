"""The nine-dimensional integral signature and its registry of components.

A component is one of three kinds, registered with :func:`register_component`:

* an **expectation**: ``transform(E[integrand])`` with ``integrand`` a SymPy
  expression in :data:`PHI`, :data:`DPHI`, :data:`DDPHI` (phi, phi', phi'' at
  ``X = mu + sigma Z``), e.g. ``g2 = sqrt(E[DPHI**2])``;
* a **derived** component: a ``formula`` in other components' names and ``sigma``,
  e.g. ``eta = sigma**2 g1**2 / (m2 - m1**2)``;
* a **functional** of phi alone: a Python ``compute(analysis) -> Quantity``
  (slopes, TV, C, B, Lip).

Swapping a convention is one line, e.g. the mean-square g2::

    register_component("g2", integrand=DPHI**2, description="mean-square gain")

``phi'`` is the distributional derivative: where phi jumps, E[phi'] gains
``jump * density`` and even powers of phi' are ``+oo`` (conventions.md).

>>> s = signature("relu", sigma=1, dps=20)
>>> str(s["m1"]), s["m1"].exact, s["g2"].exact
('0.39894228040143267794', sqrt(2)/(2*sqrt(pi)), sqrt(2)/2)
"""

from dataclasses import dataclass, field
from functools import cached_property

import sympy

from .activations import Activation, get_activation
from .bounded import simplify
from .calculus import decompose, growth_class, kinks, slopes, smoothness_degree
from .errors import InputError, SymsigError
from .gaussian import SIGMA, check_gaussian, expectations, variance
from .precision import engine_call, lambdify_mpmath, mp, workdps
from .quantity import EXACT, Quantity
from .regularity import areas, lipschitz, total_variation
from .singularities import check_real

PHI, DPHI, DDPHI = sympy.symbols("PHI DPHI DDPHI", real=True)


@dataclass(frozen=True)
class ComponentSpec:
    name: str
    description: str
    integrand: sympy.Expr = None
    transform: sympy.Lambda = None
    formula: sympy.Expr = None
    compute: object = None

    @property
    def kind(self):
        return "expectation" if self.integrand is not None else "derived" if self.formula is not None \
            else "functional"


COMPONENTS = {}
NINE = ("m1", "g1", "g2", "m2", "eta", "alpha_plus", "alpha_minus", "TV", "C")
"""The nine components of S_sigma(phi), in the paper's order."""


def register_component(name, *, integrand=None, transform=None, formula=None, compute=None,
                       description=""):
    """Add or replace a component (exactly one of integrand, formula, compute).

    A string integrand is read by the safe parser (names PHI, DPHI, DDPHI only).
    """
    if sum(v is not None for v in (integrand, formula, compute)) != 1:
        raise InputError("a component needs exactly one of integrand=, formula= or compute=")
    if integrand is not None:
        if isinstance(integrand, str):
            from .activations import parse_expression
            integrand = parse_expression(integrand, {"PHI": PHI, "DPHI": DPHI, "DDPHI": DDPHI},
                                         what="the integrand")
        elif not isinstance(integrand, sympy.Expr):
            raise InputError(f"an integrand is an expression in PHI, DPHI, DDPHI, got {integrand!r}")
        if not integrand.free_symbols <= {PHI, DPHI, DDPHI}:
            raise InputError(f"an integrand may use PHI, DPHI and DDPHI only, got {integrand}")
    COMPONENTS[name] = ComponentSpec(name, description, integrand, transform, formula, compute)
    return COMPONENTS[name]


_u = sympy.Symbol("u", nonnegative=True)
register_component("m1", integrand=PHI, description="mean output E[phi(X)]")
register_component("g1", integrand=DPHI, description="mean slope E[phi'(X)]")
register_component("chi", integrand=DPHI**2, description="mean-square gain E[phi'(X)^2] = g2^2")
register_component("g2", formula=sympy.sqrt(sympy.Symbol("chi")), description="RMS gain sqrt(E[phi'(X)^2])")
register_component("m2", integrand=PHI**2, description="second moment E[phi(X)^2]")
register_component("eta", formula=SIGMA**2 * sympy.Symbol("g1")**2
                   / (sympy.Symbol("m2") - sympy.Symbol("m1")**2),
                   description="linear fraction sigma^2 g1^2 / Var phi(X)")
register_component("g4", integrand=DPHI**4, transform=sympy.Lambda(_u, _u**sympy.Rational(1, 4)),
                   description="quartic gain E[phi'(X)^4]^(1/4)")
register_component("E_phi_ddphi", integrand=PHI * DDPHI, description="E[phi(X) phi''(X)]")
register_component("dm2_dsigma", formula=2 * SIGMA * (sympy.Symbol("chi") + sympy.Symbol("E_phi_ddphi")),
                   description="d m2 / d sigma = 2 sigma (E[phi'^2] + E[phi phi''])")
register_component("alpha_plus", compute=lambda a: a.slopes[0], description="lim phi(x)/x, x -> +oo")
register_component("alpha_minus", compute=lambda a: a.slopes[1], description="lim phi(x)/x, x -> -oo")
register_component("TV", compute=lambda a: total_variation(a.phi, a.dps), description="total variation of phi'")
register_component("C", compute=lambda a: a.areas[0], description="integral |phi - l| (tail-compensated area)")
register_component("B", compute=lambda a: a.areas[1], description="integral (phi - l) (signed area)")
register_component("Lip", compute=lambda a: lipschitz(a.phi, a.dps), description="sup |phi'|")


class Analysis:
    """What the components of one activation share: pieces, jumps, slopes, areas."""

    def __init__(self, phi, dps):
        self.phi, self.dps = phi, dps
        self.pieces = decompose(phi)
        self.first = self.pieces.diff()
        self.second = self.first.diff()
        self.jumps = self.pieces.jumps()
        self.kinks = self.first.jumps()  # jumps of phi' (Dirac masses of phi'')

    @cached_property
    def slopes(self):
        return slopes(self.phi, self.dps)

    @cached_property
    def areas(self):
        return areas(self.phi, *self.slopes, self.dps)


@dataclass
class Signature:
    """Named components of S_sigma(phi); a mapping from name to :class:`Quantity`."""

    activation: Activation
    sigma: sympy.Expr
    mu: sympy.Expr
    dps: int
    components: dict = field(default_factory=dict)

    def __getitem__(self, name):
        return self.components[name]

    def __iter__(self):
        return iter(self.components)

    def items(self):
        return self.components.items()

    def as_dict(self):
        """The JSON object of the CLI contract."""
        return {"activation": str(self.activation), "expr": sympy.sstr(self.activation.expr),
                "sigma": sympy.sstr(self.sigma), "mu": sympy.sstr(self.mu), "dps": self.dps,
                "components": {name: q.as_dict() for name, q in self.components.items()}}


def _dependencies(name, seen=None):
    spec = COMPONENTS.get(name)
    if spec is None:
        raise InputError(f"unknown component {name!r}; registered: {', '.join(COMPONENTS)}")
    order = [] if seen is None else seen
    if spec.formula is not None:
        for symbol in spec.formula.free_symbols - {SIGMA}:
            _dependencies(symbol.name, order)
    if name not in order:
        order.append(name)
    return order


def _evaluation_order(components, extras):
    """The requested names, and every component they need in dependency order."""
    wanted = list(dict.fromkeys([*components, *extras]))
    order = []
    for name in wanted:
        _dependencies(name, order)
    return wanted, order


@engine_call
def signature(phi, sigma=1, mu=0, dps=30, components=NINE, extras=()):
    """The signature S_sigma(phi) at ``X = mu + sigma Z``, each component a :class:`Quantity`.

    ``phi`` is a catalogue name, a string or a SymPy expression in x.  Closed
    forms are used wherever the exact tier finds them; the rest is quadrature
    at ``dps`` digits.  Extras: any registered name, e.g. ``("chi", "g4", "B", "Lip")``.
    """
    activation = get_activation(phi)
    sigma, mu, dps = check_gaussian(sigma, mu, dps)
    wanted, order = _evaluation_order(components, extras)
    analysis = Analysis(activation.expr, dps)
    # complex values make every component meaningless: bad input, not one failed component
    check_real(analysis.pieces)
    values = {}
    expectation_names = [n for n in order if COMPONENTS[n].kind == "expectation"]
    values.update(_expectations(analysis, expectation_names, sigma, mu, dps))
    for name in order:
        spec = COMPONENTS[name]
        # one component that cannot be computed does not erase the others
        try:
            if spec.kind == "functional":
                values[name] = spec.compute(analysis)
            elif spec.kind == "derived":
                values[name] = _derived(spec, values, sigma, dps, analysis, mu)
        except SymsigError as exc:
            values[name] = Quantity.undefined(str(exc), f"{spec.kind} component failed", dps)
    return Signature(activation, sigma, mu, dps, {name: values[name] for name in wanted})


# -------------------------------------------------------------- expectations

def _density(point, sigma, mu):
    return sympy.exp(-(point - mu) ** 2 / (2 * sigma**2)) / (sigma * sympy.sqrt(2 * sympy.pi))


def _dirac_terms(spec, analysis, sigma, mu):
    """Exact contribution of the Dirac masses in phi', phi'' to E[integrand], or a verdict.

    Returns ``(sympy_value, None)`` or ``(None, Quantity-maker)`` when the
    expectation is infinite or undefined.
    """
    integrand = spec.integrand
    total = sympy.Integer(0)
    for masses, symbol, smooth in ((analysis.jumps, DPHI, (PHI,)), (analysis.kinks, DDPHI, (PHI,))):
        if not masses or not integrand.has(symbol):
            continue
        if symbol == DDPHI and analysis.jumps:
            return None, ("undefined", "phi jumps, so phi'' contains derivatives of Dirac masses")
        degree = sympy.degree(integrand, symbol)
        if degree >= 2:
            coefficient = integrand.coeff(symbol, degree)
            if coefficient.free_symbols or coefficient > 0:
                return None, ("infinite", f"{symbol.name}**{degree} squares a Dirac mass")
        coefficient = integrand.coeff(symbol, 1)
        if coefficient.free_symbols - set(smooth):
            return None, ("undefined", "a Dirac mass multiplies a function that jumps at the same point")
        for point, jump in masses.items():
            total += jump * coefficient.subs(PHI, _value_at(analysis, point)) * _density(point, sigma, mu)
    return total, None


def _value_at(analysis, point):
    """phi at a breakpoint where it is continuous (the left piece's end value)."""
    index = next(i for i, p in enumerate(analysis.pieces.pieces) if p.hi == point)
    return analysis.pieces.one_sided(index, point)


def _expectations(analysis, names, sigma, mu, dps):
    integrands, extra = [], []
    for name in names:
        spec = COMPONENTS[name]
        integrands.append(_classical(spec.integrand, analysis))
        extra.append(_dirac_terms(spec, analysis, sigma, mu))
    results = {}
    todo = [i for i, (value, verdict) in enumerate(extra) if verdict is None]
    try:
        quantities = dict(zip(todo, expectations([integrands[i] for i in todo], sigma, mu, dps)))
    except SymsigError:  # the shared evaluation failed: find which components fail, keep the rest
        quantities = {i: _alone(integrands[i], sigma, mu, dps) for i in todo}
    for i, name in enumerate(names):
        value, verdict = extra[i]
        if verdict is not None:
            kind, reason = verdict
            results[name] = (Quantity.infinite(1, "Dirac mass", dps, reason=reason) if kind == "infinite"
                             else Quantity.undefined(reason, "Dirac mass", dps))
            continue
        results[name] = _transform(COMPONENTS[name], _add_exact(quantities[i], value, dps), dps)
    return results


def _alone(integrand, sigma, mu, dps):
    try:
        return expectations([integrand], sigma, mu, dps)[0]
    except SymsigError as exc:
        return Quantity.undefined(str(exc), "expectation failed", dps)


def _classical(integrand, analysis):
    pieces = []
    for p0, p1, p2 in zip(analysis.pieces.pieces, analysis.first.pieces, analysis.second.pieces):
        pieces.append(integrand.subs({PHI: p0.expr, DPHI: p1.expr, DDPHI: p2.expr}))
    return analysis.pieces.map(lambda e, it=iter(pieces): next(it))


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

def _derived(spec, values, sigma, dps, analysis=None, mu=0):
    names = sorted((s for s in spec.formula.free_symbols if s != SIGMA), key=str)
    inputs = [values[s.name] for s in names]
    formula = spec.formula.subs(SIGMA, sigma)
    undefined = [(n, q) for n, q in zip(names, inputs) if q.status == "undefined"]
    if undefined:
        name, q = undefined[0]
        return Quantity.undefined(f"needs {name}, which is undefined: {q.reason}", "formula", dps)
    infinite = {s: q.exact for s, q in zip(names, inputs) if q.status == "infinite"}
    if infinite:
        value = formula.subs(infinite)
        if value in (sympy.oo, -sympy.oo):
            return Quantity.infinite(1 if value == sympy.oo else -1, "formula of an infinite component", dps)
        return Quantity.undefined(f"needs {', '.join(map(str, infinite))}, which is infinite", "formula", dps)
    if all(q.status == EXACT for q in inputs):
        exact = {s: q.exact for s, q in zip(names, inputs)}
        try:
            if sympy.fraction(sympy.together(formula))[1].subs(exact) == 0:
                return Quantity.undefined(f"{spec.formula} has a zero denominator here", "formula", dps)
            return Quantity.from_exact(simplify(formula.subs(exact)), "formula of exact components", dps)
        except (SymsigError, OverflowError, ValueError):
            pass  # SymPy cannot evaluate the exact form (huge mu): use the values of the inputs
    result = _derived_numeric(formula, names, inputs, dps)
    if analysis is not None and (not result.is_finite or result.dps < dps):
        return _without_variance_cancellation(formula, names, inputs, analysis, sigma, mu, dps) or result
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


def _without_variance_cancellation(formula, names, inputs, analysis, sigma, mu, dps):
    """The formula with each variance S - T**2 computed centred (see :func:`symsig.gaussian.variance`).

    Used when the plain formula loses digits: far from mu = 0, m2 and m1**2 agree in
    most of their digits.  None when no variance sub-term applies.
    """
    replacements, extra_names, extra_inputs = {}, [], []
    for k, (term, integrand) in enumerate(_variances(formula).items()):
        if integrand.has(DPHI) and analysis.jumps or integrand.has(DDPHI) and analysis.kinks:
            continue  # Dirac masses: the centred quadrature would miss them
        symbol = sympy.Symbol(f"_variance{k}")
        replacements[term] = symbol
        extra_names.append(symbol)
        extra_inputs.append(variance(_classical(integrand, analysis), sigma, mu, dps))
    if not replacements:
        return None
    reduced = formula.xreplace(replacements)
    used = [(n, q) for n, q in zip(names + extra_names, inputs + extra_inputs) if n in reduced.free_symbols]
    result = _derived_numeric(reduced, [n for n, _ in used], [q for _, q in used], dps)
    method = "formula with the variance from a centred quadrature"
    return Quantity.numeric(result.value, result.error, method, result.dps) if result.is_finite else result


def _derived_numeric(formula, names, inputs, dps):
    with workdps(dps):
        func = lambdify_mpmath(names, formula)
        args = [q.value for q in inputs]
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
        for i, (symbol, q) in enumerate(zip(names, inputs)):
            if q.error:
                partial = lambdify_mpmath(names, sympy.diff(formula, symbol))(*args)
                error += abs(partial) * q.error
        denominator = sympy.denom(sympy.together(formula))
        if denominator.free_symbols:
            size = abs(lambdify_mpmath(names, denominator)(*args))
            bound = sum(abs(lambdify_mpmath(names, sympy.diff(denominator, s))(*args)) * q.error
                        for s, q in zip(names, inputs) if q.error)
            if size <= bound:
                return Quantity.undefined(f"{formula}: the denominator is zero to within its error",
                                          "formula", dps)
    return Quantity.numeric(value, error, "formula of numeric components", dps)


@engine_call
def symbolic_signature(phi, mu=0, components=NINE, extras=()):
    """Each component as a SymPy formula in the symbol ``sigma`` (None where no closed form is known).

    >>> symbolic_signature("gelu", components=("m1", "g1"))
    {'m1': sqrt(2)*sigma**2/(2*sqrt(pi)*sqrt(sigma**2 + 1)), 'g1': 1/2}
    """
    from .gaussian import exact_form

    activation = get_activation(phi)
    mu = check_gaussian(1, mu, 1)[1]
    wanted, order = _evaluation_order(components, extras)
    analysis = Analysis(activation.expr, 15)
    forms = {}
    for name in order:
        spec = COMPONENTS[name]
        if spec.kind == "expectation":
            extra, verdict = _dirac_terms(spec, analysis, SIGMA, mu)
            form = exact_form(_classical(spec.integrand, analysis), mu)
            if verdict is not None:
                forms[name] = sympy.oo if verdict[0] == "infinite" else None
            elif form is not None:
                value = form[0] + extra if extra == 0 else simplify(form[0] + extra)
                forms[name] = spec.transform(value) if spec.transform else value
            else:
                forms[name] = None
        elif spec.kind == "derived":
            inputs = {s: forms.get(s.name) for s in spec.formula.free_symbols if s != SIGMA}
            forms[name] = None if None in inputs.values() else spec.formula.subs(inputs)
        else:
            forms[name] = spec.compute(analysis).exact
    return {name: forms[name] for name in wanted}


@engine_call
def extras_report(phi, dps=30):
    """Kink set, smoothness degree and growth class: the non-numeric extras.

    >>> extras_report("relu6")
    {'kinks': ['0', '6'], 'smoothness_degree': '1', 'growth_class': 'A0'}
    """
    expr = get_activation(phi).expr
    return {"kinks": [sympy.sstr(p) for p in kinks(expr)],
            "smoothness_degree": sympy.sstr(smoothness_degree(expr)),
            "growth_class": growth_class(expr, dps)}


__all__ = ["COMPONENTS", "NINE", "PHI", "DPHI", "DDPHI", "Signature", "register_component",
           "signature", "symbolic_signature", "extras_report"]
