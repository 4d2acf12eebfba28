"""Affine reparameterization laws ``psi(x) = c*phi(a*x + b) + d`` with machine-checked proofs.

>>> from symsig.laws import affine_law
>>> law = affine_law("m2")
>>> print(law.statement().splitlines()[1])
  m2[psi](mu, sigma) = c**2*m2[phi](a*mu + b, sigma*Abs(a)) + 2*c*d*m1[phi](a*mu + b, sigma*Abs(a)) + d**2
>>> law.prove().check()
True
"""

from ..errors import InputError
from .generic import NAMES, REGISTRY, register_expectation_law
from .law import AffineLaw
from .proof import Proof, Step

ALIASES = {"alpha+": "alpha_plus", "alpha-": "alpha_minus", "TV(phi')": "TV", "tv": "TV", "lip": "Lip",
           "c": "C", "b": "B", "E4": "E[DPHI**4]"}


def affine_law(name):
    """The affine law of component ``name`` (m1, g1, g2, chi, m2, eta, alpha_plus, alpha_minus, TV, C, B,
    g4, Lip, or a registered expectation component)."""
    key = ALIASES.get(name, name)
    if key not in REGISTRY.laws:
        _derive_from_signature_registry(key)
    if key not in REGISTRY.laws:
        raise InputError(f"no affine law for {name!r}; known: {', '.join(law_names())}")
    return REGISTRY.laws[key]


def law_names():
    """Names of all laws available now (built-in and derived from registered components)."""
    _derive_all_registered()
    return list(NAMES) + sorted(set(REGISTRY.laws) - set(NAMES) - {"E[DPHI**4]"})


def _derive_from_signature_registry(name):
    from .derive_registry import derive_registered
    derive_registered(name)


def _derive_all_registered():
    from .derive_registry import derive_all_registered
    derive_all_registered()


__all__ = ["affine_law", "law_names", "AffineLaw", "Proof", "Step", "register_expectation_law"]
