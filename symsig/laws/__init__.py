"""Affine reparameterization laws ``psi(x) = c*phi(a*x + b) + d`` with machine-checked proofs.

>>> from symsig.laws import affine_law
>>> law = affine_law("m2")
>>> print(law.statement().splitlines()[1])
  m2[psi](mu, sigma) = c**2*m2[phi](a*mu + b, sigma*Abs(a)) + 2*c*d*m1[phi](a*mu + b, sigma*Abs(a)) + d**2
>>> law.prove().check()
True
"""

from ..errors import InputError
from ..precision import engine_call
from .derive_registry import registered_law, registered_names
from .generic import NAMES, REGISTRY, register_expectation_law
from .law import AffineLaw
from .proof import Proof, Step

ALIASES = {"alpha+": "alpha_plus", "alpha-": "alpha_minus", "TV(phi')": "TV", "tv": "TV", "lip": "Lip",
           "c": "C", "b": "B", "E4": "E[DPHI**4]"}


@engine_call
def affine_law(name):
    """The affine law of component ``name``.

    Built in: m1, g1, g2, chi, m2, eta, alpha_plus, alpha_minus, TV, C, B, g4,
    Lip.  A component registered with :func:`symsig.signature.register_component`
    gets the law of its registered definition: derived from its integrand
    (polynomial in PHI, DPHI, DDPHI) or its formula when it is not the built-in one.
    """
    key = ALIASES.get(name, name)
    law = registered_law(key) or REGISTRY.laws.get(key)
    if law is None:
        raise InputError(f"no affine law for {name!r}; known: {', '.join(law_names())}")
    return law


def law_names():
    """Names of all laws available now (built in, registered components, register_expectation_law)."""
    extra = set(registered_names()) | {n for n in REGISTRY.laws if not n.startswith("E[")}
    return list(NAMES) + sorted(extra - set(NAMES))


__all__ = ["affine_law", "law_names", "AffineLaw", "Proof", "Step", "register_expectation_law"]
