"""The nine-component signature of the eight standard activations against independent truths.

Truths: closed forms written out here with mpmath (ReLU, leaky-ReLU, GELU), the
identities of signature-theory.md (Stein, g1_tanh = 1 - m2_tanh, the
sigmoid/tanh affine relation, Swish's m1 = sigma^2 g1_sigmoid), a second
quadrature (mpmath Gauss-Legendre on unit intervals) for Mish and TeLU, and
the notes' 10-digit tables as a last, external check.
"""

import threading

import mpmath
import pytest
import sympy
from sympy.utilities.lambdify import implemented_function

import symsig
from symsig.calculus import decompose
from symsig.activations import x
from symsig.errors import InputError
from symsig.signature import COMPONENTS, DPHI, NINE, register_component, signature

SIGMAS = ("0.5", "1", "2")


def close(quantity, truth, dps):
    """``quantity`` agrees with ``truth`` to all ``dps`` printed digits."""
    assert quantity.is_finite, quantity
    with mpmath.workdps(dps + 15):
        truth = mpmath.mpf(truth)
        tolerance = mpmath.mpf(10) ** (-dps) * max(abs(truth), mpmath.mpf(10) ** (-dps))
        assert abs(quantity.value - truth) <= tolerance, (str(quantity), mpmath.nstr(truth, dps + 2))


def exact_components(name, sigma):
    """Closed forms of the notes §4.2, evaluated here with mpmath (current precision)."""
    s = mpmath.mpf(sympy.Rational(sigma).p) / sympy.Rational(sigma).q
    pi = mpmath.pi
    if name in ("relu", "leaky_relu"):
        lam = mpmath.mpf(0) if name == "relu" else mpmath.mpf(1) / 100
        m1, g1 = (1 - lam) * s / mpmath.sqrt(2 * pi), (1 + lam) / 2
        chi, m2 = (1 + lam**2) / 2, (1 + lam**2) * s**2 / 2
    else:  # gelu
        q = s**2
        m1, g1 = q / mpmath.sqrt(2 * pi * (1 + q)), mpmath.mpf(1) / 2
        m2 = q / 4 + q / (2 * pi) * mpmath.asin(q / (1 + q)) + q**2 / (pi * (1 + q) * mpmath.sqrt(1 + 2 * q))
        chi = (mpmath.mpf(1) / 4 + mpmath.asin(q / (1 + q)) / (2 * pi) + q / (pi * (1 + q) * mpmath.sqrt(1 + 2 * q))
               + q / (2 * pi * (1 + 2 * q) ** 1.5))
    eta = s**2 * g1**2 / (m2 - m1**2)
    return {"m1": m1, "g1": g1, "g2": mpmath.sqrt(chi), "m2": m2, "eta": eta}


@pytest.mark.parametrize("dps", [15, 50, 100])
@pytest.mark.parametrize("name", ["relu", "leaky_relu", "gelu"])
def test_closed_form_activations(name, dps):
    for sigma in SIGMAS:
        sig = signature(name, sigma=sigma, dps=dps)
        with mpmath.workdps(dps + 15):
            truths = exact_components(name, sigma)
        for component, truth in truths.items():
            close(sig[component], truth, dps)
        assert sig["alpha_plus"].exact == 1 and sig["alpha_minus"].status == "exact"
    assert sig["C"].exact == (sympy.Rational(1, 2) if name == "gelu" else 0)


def test_regularity_of_closed_form_activations():
    assert signature("relu", dps=15)["TV"].exact == 1
    assert signature("leaky_relu", dps=15)["TV"].exact == sympy.Rational(99, 100)
    tv = signature("gelu", dps=40)["TV"]
    with mpmath.workdps(60):  # 1 + 4 (sqrt(2) pdf(sqrt 2) - Phi(-sqrt 2))
        r2 = mpmath.sqrt(2)
        close(tv, 1 + 4 * (r2 * mpmath.npdf(r2) - mpmath.ncdf(-r2)), 40)


@pytest.mark.parametrize("dps", [15, 50, pytest.param(100, marks=pytest.mark.slow)])
def test_tanh_and_sigmoid_identities(dps):
    for sigma in SIGMAS:
        tanh = signature("tanh", sigma=sigma, dps=dps, extras=("chi",))
        assert tanh["m1"].exact == 0
        with mpmath.workdps(dps + 15):
            close(tanh["g1"], 1 - tanh["m2"].value, dps)                 # tanh' = 1 - tanh^2
        # sigmoid(x) = tanh(x/2)/2 + 1/2, carried through the affine law at sigma/2
        half = signature("tanh", sigma=sympy.Rational(sigma) / 2, dps=dps, extras=("chi",))
        sig = signature("sigmoid", sigma=sigma, dps=dps, extras=("chi",))
        with mpmath.workdps(dps + 15):
            close(sig["m1"], mpmath.mpf(1) / 2, dps)
            close(sig["m2"], (1 + half["m2"].value) / 4, dps)
            close(sig["g1"], half["g1"].value / 4, dps)
            close(sig["chi"], half["chi"].value / 16, dps)
            close(sig["g1"], mpmath.mpf(1) / 2 - sig["m2"].value, dps)  # sigmoid' = sigmoid - sigmoid^2
    assert tanh["TV"].exact == 2 and sig["TV"].exact == sympy.Rational(1, 2)
    assert tanh["C"].status == sig["C"].status == "infinite"


@pytest.mark.parametrize("dps", [15, 50])
def test_swish_identities(dps):
    for sigma in SIGMAS:
        swish = signature("swish", sigma=sigma, dps=dps)
        sig = signature("sigmoid", sigma=sigma, dps=dps)
        with mpmath.workdps(dps + 15):
            s2 = sympy.Rational(sigma) ** 2
            close(swish["m1"], mpmath.mpf(s2.p) / s2.q * sig["g1"].value, dps)  # Stein
            close(swish["g1"], mpmath.mpf(1) / 2, dps)  # swish'(x) + swish'(-x) = 1
    assert swish["C"].exact == sympy.pi**2 / 6


def _second_method(phi_mp, dphi_mp, sigma, dps):
    """m1, g1, chi, m2 by mpmath Gauss-Legendre over 60 unit intervals in z."""
    with mpmath.workdps(dps + 15):
        s = mpmath.mpf(sympy.Rational(sigma).p) / sympy.Rational(sigma).q
        points = [-30 + k for k in range(61)]

        def moment(f):
            return mpmath.quad(lambda z: f(s * z) * mpmath.npdf(z), points, method="gauss-legendre")

        return {"m1": moment(phi_mp), "g1": moment(dphi_mp), "g2": mpmath.sqrt(moment(lambda t: dphi_mp(t) ** 2)),
                "m2": moment(lambda t: phi_mp(t) ** 2)}


def _mish(t):
    return t * mpmath.tanh(mpmath.log1p(mpmath.exp(t)))


def _telu(t):
    return t * mpmath.tanh(mpmath.exp(t))


@pytest.mark.parametrize("name, phi_mp", [("mish", _mish), ("telu", _telu)])
@pytest.mark.parametrize("dps", [15, pytest.param(40, marks=pytest.mark.slow)])
def test_mish_telu_against_a_second_method(name, phi_mp, dps):
    dphi_mp = lambda t: mpmath.diff(phi_mp, t)  # numerical derivative, at the extra precision
    for sigma in ("0.5", "2"):
        sig = signature(name, sigma=sigma, dps=dps)
        for component, truth in _second_method(phi_mp, dphi_mp, sigma, dps).items():
            close(sig[component], truth, dps)


# notes §4.3: (m1, g1, rms g2, m2, eta_d) at 10 significant digits, computed there independently
NOTES = {
    ("tanh", "0.5"): ("0", "0.8264838566", "0.8469827989", "0.1735161434", "0.9841671669"),
    ("sigmoid", "2"): ("0.5", "0.1514263774", "0.1703677828", "0.3485736226", "0.9304699236"),
    ("swish", "1"): ("0.2066209641", "0.5", "0.6160213889", "0.3557755198", "0.7985095417"),
    ("mish", "0.5"): ("0.07283969846", "0.5884130409", "0.6473498755", "0.1008839886", "0.905617866"),
    ("mish", "2"): ("0.6538968153", "0.5280254372", "0.7162375286", "1.948562654", "0.7332392729"),
    ("telu", "1"): ("0.262131725", "0.6143856029", "0.7491137321", "0.5290937036", "0.8199077414"),
    ("telu", "2"): ("0.6731717528", "0.5410085806", "0.7328248334", "2.028588418", "0.7431383608"),
}


@pytest.mark.parametrize("key", NOTES)
def test_notes_table(key):
    name, sigma = key
    sig = signature(name, sigma=sigma, dps=15)
    for component, text in zip(("m1", "g1", "g2", "m2", "eta"), NOTES[key]):
        if text == "0":
            assert sig[component].value == 0
            continue
        digits = len(text.replace(".", "").lstrip("0"))
        assert mpmath.almosteq(sig[component].value, mpmath.mpf(text), rel_eps=5 * 10.0 ** (-digits)), component


# notes §4.1: TV, Lip, C at 10 digits (Swish, Mish, TeLU: numeric there)
REGULARITY = {"swish": ("1.399357281", "1.099839320", "1.644934067"),
              "mish": ("1.402048567", "1.088498161", "1.124367295"),
              "telu": ("1.387090690", "1.061975309", "0.994674879")}


@pytest.mark.parametrize("name", REGULARITY)
def test_regularity_against_notes_and_a_second_method(name):
    sig = signature(name, dps=30, extras=("Lip", "B"))
    for component, text in zip(("TV", "Lip", "C"), REGULARITY[name]):
        assert mpmath.almosteq(sig[component].value, mpmath.mpf(text), rel_eps=1e-9), component
    with mpmath.workdps(40):  # C = |B| here: phi stays below its asymptotes
        close(sig["C"], -sig["B"].value, 30)


def test_tv_by_integrating_the_second_derivative():
    """TV(phi') = integral |phi''|: mpmath quadrature split at phi'' sign changes found independently."""
    sig = signature("mish", dps=25)
    with mpmath.workdps(40):
        d2 = lambda t: mpmath.diff(_mish, t, 2)
        roots = [mpmath.findroot(d2, guess) for guess in (-2.3, 1.5)]
        pieces = [-mpmath.inf, *roots, mpmath.inf]
        total = sum(abs(mpmath.quad(d2, [a, b])) for a, b in zip(pieces, pieces[1:]))
    close(sig["TV"], total, 20)


def test_jumping_activation_has_dirac_derivative():
    step = symsig.signature("Heaviside(x - 1/2)", sigma=2, dps=30, extras=("Lip",))
    with mpmath.workdps(45):
        close(step["g1"], mpmath.npdf(mpmath.mpf(1) / 2, 0, 2), 30)  # jump x density
    assert step["g2"].status == step["TV"].status == step["Lip"].status == "infinite"
    assert step["alpha_plus"].exact == 0


def test_eta_undefined_for_constant_output():
    sig = signature("3 + 0*x", dps=15)
    assert sig["eta"].status == "undefined" and "denominator" in sig["eta"].reason


def test_superlinear_activation():
    sig = signature("relu_pow", sigma=2, dps=20)
    assert sig["alpha_plus"].status == "infinite" and sig["C"].status == "undefined"
    assert sig["m2"].exact == 24


def test_registry_swaps_a_convention_in_one_line():
    original = COMPONENTS["g2"]
    try:
        register_component("g2", integrand=DPHI**2, description="mean-square gain")
        assert signature("relu", dps=10)["g2"].exact == sympy.Rational(1, 2)
    finally:
        COMPONENTS["g2"] = original
    assert signature("relu", dps=10)["g2"].exact == sympy.sqrt(2) / 2
    with pytest.raises(InputError):
        register_component("bad", integrand=sympy.Symbol("y"))
    with pytest.raises(InputError, match="unknown component"):
        signature("relu", extras=("nope",))


def test_default_components_and_extras():
    sig = signature("gelu", dps=15, extras=("chi", "g4", "B", "Lip", "dm2_dsigma"))
    assert list(sig) == [*NINE, "chi", "g4", "B", "Lip", "dm2_dsigma"]
    assert sig["B"].exact == -sympy.Rational(1, 2)
    # dm2/dsigma by a finite difference of m2 at 30 digits
    with mpmath.workdps(40):
        h = mpmath.mpf(10) ** -12
        m2 = lambda s: symsig.expectation(symsig.get_activation("gelu").expr ** 2, sigma=s, dps=30).value
        slope = (m2(1 + h) - m2(1 - h)) / (2 * h)
        assert abs(sig["dm2_dsigma"].value - slope) < 1e-15


# ------------------------------------------------ determinism (issue 11)

def _clear_symbolic_caches():
    # a second run must recompute, not read the first run's cached limits
    from symsig import calculus, regularity

    for cached in (calculus.decompose, calculus.symbolic_limit, calculus.slopes, regularity.areas):
        cached.cache_clear()


def _in_thread(func):
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("value", func()))
    thread.start()
    thread.join()
    return result["value"]


def test_gelu_area_is_exactly_one_half_in_a_thread_and_on_the_main_thread():
    # with a wall-clock budget the main thread's C was "undefined" whenever its limit ran
    # slow, while a thread (where the alarm cannot run) gave 1/2
    def area():
        _clear_symbolic_caches()
        q = signature("gelu", sigma="0.8", dps=20, components=("C",))["C"]
        return q.status, q.exact, q.method

    main = area()
    assert main[:2] == ("exact", sympy.Rational(1, 2))
    assert _in_thread(area) == main


def test_nested_tanh_slope_is_exact_and_decided_the_same_way_every_time(monkeypatch):
    # under load the budgeted sympy.limit timed out and alpha+ became a "numeric limit";
    # the structural limit decides it without sympy.limit at all
    def no_gruntz(*args, **kwargs):
        raise AssertionError("sympy.limit called for a structurally decidable slope")

    monkeypatch.setattr(sympy, "limit", no_gruntz)
    runs = []
    for _ in range(2):
        _clear_symbolic_caches()
        q = signature("tanh(tanh(tanh(x)))", dps=20, components=("alpha_plus",))["alpha_plus"]
        runs.append((q.status, q.exact, q.method))
    assert runs[0] == runs[1] == ("exact", 0, "symbolic limit")


def test_the_global_mpmath_context_is_not_touched_during_a_call():
    # the integrand reports mpmath's global precision while the quadrature runs; before the
    # private contexts it saw dps = 50 (the call's working precision) instead of the user's 15
    seen = []

    def probe(t):
        if isinstance(t, sympy.Basic):  # SymPy's own evaluation (the symmetry screen)
            return sympy.tanh(t)
        seen.append((mpmath.mp.dps, mpmath.mp.prec))
        return t.context.tanh(t)

    before = (mpmath.mp.dps, mpmath.mp.prec)
    tanh_probe = implemented_function("tanh_probe", probe)
    # as pieces: an expression is checked against the supported functions, which tanh_probe is not
    q = symsig.expectation(decompose(tanh_probe(x) ** 2), dps=40)
    assert seen and set(seen) == {before}
    assert (mpmath.mp.dps, mpmath.mp.prec) == before
    with mpmath.workdps(60):  # independent truth: plain mpmath quadrature
        truth = mpmath.quad(lambda t: mpmath.tanh(t) ** 2 * mpmath.npdf(t), [-mpmath.inf, 0, mpmath.inf])
    close(q, truth, 40)


def test_json_tells_not_decided_from_undefined():
    from symsig.errors import ConvergenceError
    from symsig.quantity import Quantity
    failed = Quantity.undefined("the quadrature did not converge", "quadrature", 15, cause=ConvergenceError)
    undefined = Quantity.undefined("phi' jumps", "tail analysis", 15)
    assert failed.as_dict()["decided"] is False and "decided" not in undefined.as_dict()
