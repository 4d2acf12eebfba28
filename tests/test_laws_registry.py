"""Laws of components registered in symsig.signature: derived, proved, verified, and cleaned up."""

import mpmath
import pytest
import sympy
from sympy import Abs, Rational as R

from symsig.activations import x
from symsig.errors import InputError
from symsig.laws import AffineLaw, affine_law, law_names
from symsig.laws.generic import M, REGISTRY, S
from symsig.laws.terms import Stat, a, c, d
from symsig.laws.verify import Agreement
from symsig.signature import COMPONENTS, DDPHI, DPHI, PHI, register_component

RELU = sympy.Max(x, 0)


@pytest.fixture(autouse=True)
def restore_components():
    """Every test leaves the signature registry as it found it."""
    saved = dict(COMPONENTS)
    yield
    COMPONENTS.clear()
    COMPONENTS.update(saved)


def at(name):
    return Stat(name, "phi", M, S)


def test_expectation_component_gets_a_derived_law():
    register_component("E_phi_dphi", integrand=PHI * DPHI, description="E[phi phi']")
    law = affine_law("E_phi_dphi")
    # by hand: psi*psi' = (c*phi + d)*(c*a*phi') = a*c**2*phi*phi' + a*c*d*phi'
    expected = a * c**2 * at("E[DPHI*PHI]") + a * c * d * at("g1")
    assert sympy.expand(law.rhs[1] - expected) == 0 and sympy.expand(law.rhs[-1] - expected) == 0
    assert law.prove().check(), law.prove().failures()
    assert law.description == "E[phi phi']"
    assert "E_phi_dphi" in law_names()


def test_a_wrong_derived_law_fails_its_check():
    register_component("E_phi_dphi", integrand=PHI * DPHI)
    law = affine_law("E_phi_dphi")
    bad = AffineLaw(law.name, a * c**2 * at("E[DPHI*PHI]"), law.derive, law.registry)
    assert not bad.prove().check()


@pytest.mark.parametrize("params", [dict(a=R(3, 2), b=0, c=R(-2), d=0, sigma=R(7, 10), mu=0),
                                    dict(a=R(-1, 2), b=R(1, 3), c=R(5, 4), d=R(-2), sigma=R(6, 5), mu=R(1, 4))])
def test_derived_law_verified_on_relu(params):
    register_component("E_phi_dphi", integrand=PHI * DPHI)
    check = affine_law("E_phi_dphi").verify(RELU, dps=30, **params)
    assert check.agree == Agreement.AGREE, str(check)


def test_derived_law_direct_side_matches_stein():
    # E[phi phi'] = E[Z phi(X)^2] / (2 sigma) (Stein); relu at mu = 0: sigma/sqrt(2 pi);
    # psi = c*relu(a*x) = c*a*relu(x) for a > 0, so E[psi psi'] = (c*a)**2 * sigma/sqrt(2 pi)
    register_component("E_phi_dphi", integrand=PHI * DPHI)
    sigma, aa, cc = R(7, 10), R(3, 2), R(-2)
    check = affine_law("E_phi_dphi").verify(RELU, a=aa, c=cc, sigma=sigma)
    assert check.agree == Agreement.AGREE
    with mpmath.workdps(40):
        s = mpmath.mpf(7) / 10
        stein = mpmath.quad(lambda z: z * max(s * z, 0) ** 2 * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf]) / (2 * s)
        assert abs(check.direct.value - 9 * stein) < mpmath.mpf(10) ** -30
    assert sympy.simplify(check.direct.exact - (cc * aa)**2 * sigma / sympy.sqrt(2 * sympy.pi)) == 0


def test_cubic_gain_on_tanh():
    register_component("E_dphi3", integrand=DPHI**3)
    law = affine_law("E_dphi3")
    assert sympy.expand(law.rhs[1] - a**3 * c**3 * at("E[DPHI**3]")) == 0
    assert law.prove().check()
    check = law.verify(sympy.tanh(x), a=R(-3, 4), b=R(1, 2), c=R(3, 2), d=R(1, 5), sigma=R(4, 5), mu=R(-1, 3))
    assert check.agree == Agreement.AGREE, str(check)


def test_registered_transform_lambda():
    u = sympy.Symbol("u", nonnegative=True)
    register_component("rms_out", integrand=PHI**2, transform=sympy.Lambda(u, sympy.sqrt(u)))
    law = affine_law("rms_out")
    assert law.prove().check()
    check = law.verify(RELU, a=R(-2), b=R(1, 2), c=R(-1, 3), d=R(3, 4), sigma=R(3, 2), mu=R(1, 5))
    assert check.agree == Agreement.AGREE, str(check)


def test_swapped_convention_gets_its_own_law_and_the_builtin_returns():
    builtin = affine_law("g2")
    assert builtin is REGISTRY.laws["g2"]
    original = COMPONENTS["g2"]
    register_component("g2", integrand=DPHI**2, description="mean-square gain")
    swapped = affine_law("g2")
    assert swapped is not builtin
    assert sympy.expand(swapped.rhs[1] - a**2 * c**2 * at("chi")) == 0
    assert swapped.prove().check()
    check = swapped.verify(RELU, a=R(-3), b=R(1, 4), c=R(1, 2), d=1, sigma=R(1, 2))
    assert check.agree == Agreement.AGREE, str(check)
    # relu' = 1{x > 0}: psi' = c*a*1{a*x + b > 0}, so with X = Z/2,
    # E[psi'^2] = (c*a)**2 * P(-3*Z/2 + 1/4 > 0) = 9/4 * Phi(1/6)
    assert sympy.simplify(check.direct.exact - R(9, 4) * (1 + sympy.erf(1 / (6 * sympy.sqrt(2)))) / 2) == 0
    COMPONENTS["g2"] = original
    assert affine_law("g2") is builtin


def test_formula_components_get_laws_by_citing_their_inputs():
    law = affine_law("dm2_dsigma")  # registered by default: 2*sigma*(chi + E[phi phi''])
    assert law.prove().check(), law.prove().failures()
    check = law.verify(sympy.tanh(x), a=R(1, 2), b=R(-1, 3), c=R(2), d=R(1, 2), sigma=R(9, 10), mu=R(1, 7))
    assert check.agree == Agreement.AGREE, str(check)


def test_user_formula_law_and_the_slope_swap_inside_it():
    register_component("slope_gap", formula=sympy.Symbol("alpha_plus") - sympy.Symbol("alpha_minus"))
    law = affine_law("slope_gap")
    assert law.prove().check()
    assert sympy.expand(law.rhs[1] - c * a * (Stat("alpha_plus", "phi") - Stat("alpha_minus", "phi"))) == 0
    assert sympy.expand(law.rhs[-1] - c * a * (Stat("alpha_minus", "phi") - Stat("alpha_plus", "phi"))) == 0
    check = law.verify(sympy.Max(x, x / 10), a=R(-2), b=1, c=3, d=R(1, 2))
    assert check.agree == Agreement.AGREE and check.via_law.exact == R(27, 5), str(check)


def test_a_wrong_formula_law_fails():
    register_component("snr", formula=sympy.Symbol("m1")**2 / (sympy.Symbol("m2") - sympy.Symbol("m1")**2))
    law = affine_law("snr")
    assert law.prove().check()
    bad = AffineLaw("snr", c**2 * at("m1")**2 / (c**2 * at("m2") - c**2 * at("m1")**2), law.derive, law.registry)
    assert not bad.prove().check()


def test_components_without_a_derivable_law():
    register_component("bad", integrand=sympy.exp(PHI))
    register_component("own", compute=lambda analysis: None)
    for name, message in (("bad", "polynomial"), ("own", "own function")):
        with pytest.raises(InputError, match=message):
            affine_law(name)
        assert name not in law_names()


def test_unregistered_components_lose_their_law():
    register_component("E_ddphi", integrand=DDPHI)
    assert affine_law("E_ddphi").prove().check()
    del COMPONENTS["E_ddphi"]
    with pytest.raises(InputError, match="no affine law"):
        affine_law("E_ddphi")
    assert "E_ddphi" not in law_names()


def test_builtin_laws_are_used_for_builtin_definitions():
    for name in ("m1", "g1", "chi", "m2", "g2", "g4", "eta", "alpha_plus", "TV", "C", "B", "Lip"):
        assert affine_law(name) is REGISTRY.laws[name]
    assert affine_law("g4").rhs[1] == Abs(c) * Abs(a) * at("g4")
