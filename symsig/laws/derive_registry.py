"""Laws of the components registered in :mod:`symsig.components` (``register_component``).

* A registered component whose definition is the built-in one (m1 = E[PHI],
  g2 = sqrt(chi), the slopes, TV, C, ...) has the hand-proved law of
  :mod:`.generic`.
* An **expectation** ``transform(E[P(PHI, DPHI, DDPHI)])`` with ``P`` a
  polynomial gets a law derived from its integrand (:mod:`.derive`); this is
  also what happens when a user swaps a convention, e.g. registers ``g2`` as
  the mean-square ``E[DPHI**2]``.
* A **derived** component (a ``formula`` in other components and ``sigma``)
  gets the law obtained by citing the laws of its inputs.
* A functional with its own ``compute`` that is not built in has no law.

Each derived law lives in its own child :class:`~.law.Registry`, so it never
changes the built-in laws, and laws are cached by the registered spec:
re-registering a name gives a fresh law, unregistering removes it.
"""

import sympy

from ..components import BUILTIN, COMPONENTS, Kind
from ..errors import InputError
from .derive import check_polynomial
from .generic import NAMES, REGISTRY
from .law import AffineLaw, Registry, derive_law
from .proof import Step
from .terms import Stat, a, mu, sigma

_CACHE = {}  # name -> (spec, law)


def registered_law(name):
    """The law of the registered component ``name``; None if ``name`` is not registered.

    Raises :class:`InputError` when the component is registered but no law can be derived.
    """
    spec = COMPONENTS.get(name)
    if spec is None:
        return None
    if is_builtin(name):
        return REGISTRY.laws[name]
    cached = _CACHE.get(name)
    if cached is not None and cached[0] == spec:
        return cached[1]
    law = _derive(spec)
    _CACHE[name] = (spec, law)
    return law


def is_builtin(name):
    """True when ``name`` is registered with the definition its hand-proved law is about."""
    spec = COMPONENTS.get(name)
    return (name in NAMES and spec is not None and spec.same_definition(BUILTIN[name])
            and all(is_builtin(inner) for inner in spec.inputs))


def registered_names():
    """Registered components that have a law (built in or derived)."""
    names = []
    for name in list(COMPONENTS):
        try:
            registered_law(name)
        except InputError:
            continue
        names.append(name)
    return names


def _child_registry():
    child = Registry()
    child.definitions.update(REGISTRY.definitions)
    child.laws.update(REGISTRY.laws)
    return child


def _derive(spec):
    if spec.kind == Kind.EXPECTATION:
        check_polynomial(spec.integrand)
        return derive_law(spec.name, spec.integrand, _child_registry(), transform=spec.transform,
                          description=spec.description)
    if spec.kind == Kind.DERIVED:
        return _formula_law(spec)
    raise InputError(f"the component {spec.name!r} is computed by its own function, so no affine law can be "
                     "derived for it; only expectations of polynomials in PHI, DPHI, DDPHI and formulas in "
                     "such components get laws")


def _formula_law(spec):
    """``F(components, sigma)``: substitute each input's law (the inputs' laws are cited)."""
    formula, inputs = spec.formula, spec.inputs
    laws = {}
    for name in inputs:
        law = registered_law(name) or REGISTRY.laws.get(name)
        if law is None:
            raise InputError(f"the formula of {spec.name!r} uses {name!r}, which has no affine law")
        laws[name] = law
    registry = _child_registry()
    for law in laws.values():  # what the inputs' own proofs unfold and cite
        registry.definitions.update(law.registry.definitions)
        registry.laws.update(law.registry.laws)
    registry.laws.update(laws)
    gaussian = {name: bool(law.lhs.point) for name, law in laws.items()}

    def stats(fn, m=mu, s=sigma):
        return {sympy.Symbol(n): Stat(n, fn, m, s) if gaussian[n] else Stat(n, fn) for n in inputs}

    def definition(f, m, s):
        fn = next(name for name, g in registry.functions.items() if g == f)
        return formula.xreplace({**stats(fn, m, s), sigma: s})
    registry.definitions[spec.name] = definition

    def rhs(key):
        return formula.xreplace({sympy.Symbol(n): laws[n].rhs[key] for n in inputs})

    def derive(case):
        sign_symbol = case.subs[a]
        unfolded = formula.xreplace(stats("psi"))
        cited = formula.xreplace({sympy.Symbol(n): laws[n].claim(sign_symbol)[1] for n in inputs})
        return [Step(unfolded, "definition"), Step(cited, "law", tuple(inputs))]
    return AffineLaw(spec.name, {1: rhs(1), -1: rhs(-1)}, derive, registry,
                     conditions=f"the laws of {', '.join(inputs)} hold and the formula is defined at their "
                                "values", gaussian=True, description=spec.description)
