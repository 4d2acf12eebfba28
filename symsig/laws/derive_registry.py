"""Laws for components registered in :mod:`symsig.signature` with a polynomial integrand."""

from .derive import check_polynomial
from .generic import NAMES, REGISTRY, register_expectation_law


def _components():
    try:
        from ..signature import COMPONENTS
    except ImportError:
        return {}
    return COMPONENTS


def derive_registered(name):
    """Derive the law of the registered component ``name`` if it is a polynomial expectation."""
    spec = _components().get(name)
    integrand = getattr(spec, "integrand", None)
    if spec is None or integrand is None or name in NAMES:
        return None
    from ..signature import DDPHI, DPHI, PHI
    from .terms import DDPHI as L_DDPHI, DPHI as L_DPHI, PHI as L_PHI
    integrand = integrand.xreplace({PHI: L_PHI, DPHI: L_DPHI, DDPHI: L_DDPHI})
    try:
        check_polynomial(integrand)
    except Exception:
        return None
    transform = getattr(spec, "transform", None)
    return register_expectation_law(name, integrand, transform=transform,
                                    description=getattr(spec, "description", ""))


def derive_all_registered():
    for name in list(_components()):
        if name not in REGISTRY.laws:
            derive_registered(name)
