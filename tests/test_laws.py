"""Affine laws: every proof re-verifies, wrong laws and tampered proofs are rejected."""

import pytest
import sympy
from sympy import Abs

from symsig.errors import InputError
from symsig.laws import AffineLaw, affine_law, law_names, register_expectation_law
from symsig.laws.generic import M, REGISTRY, S
from symsig.laws.proof import Step
from symsig.laws.terms import DDPHI, DPHI, PHI, Stat, a, b, c, d

SIGMA = sympy.Symbol("sigma", positive=True)
ALL = ["m1", "g1", "g2", "chi", "m2", "eta", "alpha_plus", "alpha_minus", "TV", "C", "B", "g4", "Lip"]


def at(name):
    return Stat(name, "phi", M, S)


@pytest.mark.parametrize("name", ALL)
def test_every_law_has_a_proof_that_checks(name):
    law = affine_law(name)
    proof = law.prove()
    assert proof.check(), proof.failures()
    assert proof.failures() == []
    assert {cp.case.sign for cp in proof.cases} == {1, -1}
    for text in (str(proof), proof.to_markdown(), proof.to_latex(), law.statement()):
        assert isinstance(text, str) and text


def wrong(name, rhs):
    base = affine_law(name)
    return AffineLaw(name, rhs, base.derive, REGISTRY, gaussian=bool(base.lhs.point), variants=base.variants)


WRONG = {
    "m2 without 2cd*m1": ("m2", c**2 * at("m2") + d**2),
    "m2 with cd*m1": ("m2", c**2 * at("m2") + c * d * at("m1") + d**2),
    "m1 without the offset": ("m1", c * at("m1")),
    "m1 at a*sigma instead of |a|*sigma": ("m1", c * Stat("m1", "phi", M, a * SIGMA) + d),
    "g1 without a": ("g1", c * at("g1")),
    "g2 with c*a instead of |c*a|": ("g2", c * a * at("g2")),
    "eta not invariant": ("eta", c**2 * at("eta")),
    "slopes not swapped": ("alpha_plus", c * a * Stat("alpha_plus", "phi")),
    "TV without |a|": ("TV", Abs(c) * Stat("TV", "phi")),
    "C with |a| instead of 1/|a|": ("C", Abs(c) * Abs(a) * Stat("C", "phi")),
    "B with |c|": ("B", Abs(c) / Abs(a) * Stat("B", "phi")),
    "Lip with c": ("Lip", c * Abs(a) * Stat("Lip", "phi")),
}


@pytest.mark.parametrize("label", sorted(WRONG))
def test_the_checker_rejects_wrong_laws(label):
    name, rhs = WRONG[label]
    proof = wrong(name, rhs).prove()
    assert not proof.check()
    assert proof.failures()


def tampered(name, index, new_rhs=None, rule=None):
    law = affine_law(name)
    fresh = AffineLaw(name, law.rhs, law.derive, REGISTRY, gaussian=bool(law.lhs.point), variants=law.variants)
    proof = fresh.prove()
    steps = proof.cases[0].steps
    old = steps[index]
    steps[index] = Step(old.rhs if new_rhs is None else new_rhs(old.rhs), rule or old.rule, old.data)
    return proof


def test_checker_rejects_a_dropped_term_in_the_middle():
    # drop the d**2 * (integral of the density) term from the linearity step of m2
    proof = tampered("m2", 1, lambda e: e - d**2 * [t for t in e.args if t.has(d**2)][0] / d**2)
    assert not proof.check()


def test_checker_rejects_a_wrong_label():
    # the linearity split of m1 relabelled as the reflection z -> -z
    proof = tampered("m1", 1, rule="reflection")
    assert not proof.check()


def test_checker_rejects_unknown_justifications():
    proof = tampered("g1", 1, rule="because I say so")
    assert not proof.check()
    assert "unknown justification" in " ".join(proof.failures())


def test_checker_rejects_a_sign_error_in_a_change_of_variables():
    proof = tampered("TV", 4, lambda e: -e)
    assert not proof.check()


def test_checker_rejects_a_missing_case():
    law = affine_law("m1")
    fresh = AffineLaw("m1", law.rhs, law.derive, REGISTRY)
    proof = fresh.prove()
    proof.cases = proof.cases[:1]
    assert not proof.check()


def test_handwritten_statements_match_the_derived_ones():
    from symsig.laws.derive import law_rhs
    for name, integrand in (("m1", PHI), ("g1", DPHI), ("chi", DPHI**2), ("m2", PHI**2)):
        assert sympy.expand(affine_law(name).rhs[1] - law_rhs(integrand)) == 0


def test_slopes_swap_for_negative_a():
    law = affine_law("alpha_plus")
    assert law.rhs[-1] == c * a * Stat("alpha_minus", "phi")
    assert "a < 0" in law.statement()


@pytest.fixture
def clean_registry():
    """register_expectation_law adds to the global law registry: undo it."""
    laws, definitions = dict(REGISTRY.laws), dict(REGISTRY.definitions)
    yield
    for current, saved in ((REGISTRY.laws, laws), (REGISTRY.definitions, definitions)):
        current.clear()
        current.update(saved)


@pytest.mark.usefixtures("clean_registry")
def test_derived_law_for_a_user_component():
    law = register_expectation_law("E_phi_ddphi", PHI * DDPHI)
    assert law.prove().check()
    expected = c**2 * a**2 * Stat("E[DDPHI*PHI]", "phi", M, S) + c * d * a**2 * Stat("E[DDPHI]", "phi", M, S)
    assert sympy.expand(law.rhs[1] - expected) == 0
    assert "E_phi_ddphi" in law_names()


@pytest.mark.usefixtures("clean_registry")
def test_explicitly_registered_laws_are_listed():
    register_expectation_law("E_phi3", PHI**3)
    assert "E_phi3" in law_names() and affine_law("E_phi3").prove().check()


@pytest.mark.usefixtures("clean_registry")
def test_derived_law_with_a_transform():
    law = register_expectation_law("rms_out", PHI**2, transform=sympy.sqrt)
    assert law.prove().check()


def test_non_polynomial_integrands_are_refused():
    with pytest.raises(InputError):
        register_expectation_law("bad", sympy.exp(PHI))


def test_unknown_law_name():
    with pytest.raises(InputError, match="no affine law"):
        affine_law("nonsense")
