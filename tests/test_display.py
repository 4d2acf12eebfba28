"""Rich Jupyter renderings and DataFrames (symsig.display): contents checked against independent values."""

import sys

import mpmath
import pytest
import sympy

from symsig import signature
from symsig.display import tex_number, tex_text
from symsig.errors import InputError
from symsig.kernels.dual import DualKernel, neural_kernels
from symsig.laws import AffineLaw, affine_law
from symsig.laws.generic import REGISTRY, M, S
from symsig.laws.terms import Stat, c, d
from symsig.mittag_leffler import mittag_leffler
from symsig.parsing import parse_number
from symsig.precision import format_value
from symsig.quantity import Quantity
from symsig.table import signature_table

pandas = pytest.importorskip("pandas")


def digits(value, dps):
    """``value`` (an mpmath expression of a private context) printed as symsig prints dps digits."""
    return format_value(value, dps)


@pytest.fixture(scope="module")
def ctx():
    context = mpmath.MPContext()
    context.dps = 60
    return context


@pytest.fixture(scope="module")
def relu():
    return signature("relu", sigma=2, dps=20)


@pytest.fixture(scope="module")
def tanh():
    return signature("tanh", sigma=1, dps=15)


def test_exact_quantity_shows_form_digits_method_error(relu, ctx):
    q = relu["m1"]  # E[relu(2 Z)] = 2 / sqrt(2 pi)
    expected = digits(2 / ctx.sqrt(2 * ctx.pi), 20)
    latex, html = q._repr_latex_(), q._repr_html_()
    assert latex.startswith("$") and latex.endswith("$")
    assert sympy.latex(q.exact) in latex and rf"\approx {expected}" in latex
    assert tex_text("exact; " + q.method) in latex
    assert f"<code>{expected}</code>" in html and "&asymp;" in html and q.method in html
    # m2 = sigma^2 / 2 = 2; "=", not "approx": the decimal is the exact value
    assert relu["m2"]._repr_latex_().startswith("$2 = 2.0000000000000000000 ")


def test_numeric_quantity_shows_error(tanh, ctx):
    q = tanh["m2"]
    f = lambda x: ctx.tanh(x) ** 2 * ctx.npdf(x)
    expected = digits(ctx.quad(f, [-ctx.inf, 0, ctx.inf]), 15)
    assert str(q) == expected and q.status == "numeric"
    latex, html = q._repr_latex_(), q._repr_html_()
    assert rf"{expected} \pm {tex_number(q.error_str())}" in latex
    assert f"&plusmn; <code>{q.error_str()}</code>" in html and "numeric" in html and q.method in html
    assert tanh["C"]._repr_latex_().startswith(r"$\infty \quad")


def test_undefined_reason_is_escaped():
    q = Quantity.undefined("needs <m2> & co", "formula", 10)
    html = q._repr_html_()
    assert "needs &lt;m2&gt; &amp; co" in html and "<m2>" not in html
    assert tex_text("undefined: needs <m2> & co") in q._repr_latex_()


def test_tex_text_escapes_specials():
    assert tex_text(r"a_b & {c}% #$~^\ ") == (r"\mathrm{a\_b\ \&\ \{c\}\%\ \#\$\sim \hat{}\backslash \ }")
    assert tex_number("-3.5e+12") == r"-3.5 \times 10^{12}"


def test_signature_table_has_every_component(relu):
    html, latex = relu._repr_html_(), relu._repr_latex_()
    for name, q in relu.items():
        assert f'<td title="{name}">' in html
        assert f"<td><code>{q}</code></td>" in html
        assert tex_number(str(q)) in latex
    assert "$m_1$" in html and r"$\alpha_+$" in html and r"\begin{array}" in latex
    assert html.count("<tr>") == 1 + len(relu.components)


def test_activation_text_is_escaped():
    s = signature("Piecewise((0, x < 0), (x, True))", dps=10, components=("m1",))
    html = s._repr_html_()
    assert "x &lt; 0" in html and "x < 0" not in html and "&amp;" in html  # the cases' '&' too
    row = signature_table(["Piecewise((0, x < 0), (x, True))"], dps=10, components=("m1",))._repr_html_()
    assert "<code>Piecewise((0, x &lt; 0), (x, True))</code>" in row


def test_signature_frame_equals_quantities(relu, ctx):
    frame = relu.to_frame()
    assert list(frame.columns) == ["value", "exact", "method", "error", "status", "reason"]
    assert list(frame.index) == list(relu.components) and frame.index.name == "component"
    for name, q in relu.items():
        row = frame.loc[name]
        assert format_value(row["value"], q.dps) == str(q)
        assert row["exact"] == q.exact and row["method"] == q.method and row["status"] == q.status
    # independent truths: ReLU at sigma = 2 has m1 = 2/sqrt(2 pi), m2 = 2, g1 = 1/2
    assert digits(frame.loc["m1", "value"], 20) == digits(2 / ctx.sqrt(2 * ctx.pi), 20)
    assert frame.loc["m2", "value"] == 2 and frame.loc["g1", "value"] == mpmath.mpf(1) / 2
    assert frame.attrs == {"activation": "relu", "sigma": 2, "mu": 0, "dps": 20}


def test_table_frame_long_format(ctx):
    table = signature_table(["relu", "heaviside(x)"], sigmas=["0.5", 2], dps=12)
    frame = table.to_frame()
    assert frame.index.names == ["activation", "sigma", "component"]
    assert len(frame) == 2 * 2 * 9
    assert set(frame.columns) >= {"value", "exact", "method", "error", "status", "reason", "mu", "dps"}
    half = sympy.Rational(1, 2)
    assert frame.loc[("relu", half, "m2"), "value"] == mpmath.mpf(1) / 8
    assert digits(frame.loc[("relu", half, "m1"), "value"], 12) == digits(half / ctx.sqrt(2 * ctx.pi), 12)
    assert frame.loc[("heaviside(x)", 2, "g2"), "status"] == "infinite"
    assert frame.loc[("heaviside(x)", 2, "g2"), "value"] == mpmath.inf
    wide = frame["value"].unstack("component")
    assert wide.shape == (4, 9)
    for row in table.rows:  # every value is the row's printed digits
        for name, comp in row["components"].items():
            value = frame.loc[(row["activation"], parse_number(row["sigma"]), name), "value"]
            assert format_value(value, 12) == comp["value"]


def test_table_html_cells_carry_method_and_error():
    table = signature_table(["tanh"], dps=10, components=("m2", "C"))
    html = table._repr_html_()
    comp = table.rows[0]["components"]["m2"]
    assert f"<code>{comp['value']}</code>" in html and f"± {comp['error']}" in html
    assert comp["method"] in html and "<code>oo</code>" in html


def test_to_frame_without_pandas_is_a_clear_error(relu, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(InputError, match="symsig\\[frame\\]"):
        relu.to_frame()


def test_proof_as_aligned_steps():
    proof = affine_law("m2").prove()
    markdown, latex = proof._repr_markdown_(), proof._repr_latex_()
    assert "**Law `m2`.**" in markdown and "every step re-verified" in markdown
    assert markdown.count(r"\begin{aligned}") == len(proof.cases) == latex.count(r"\begin{aligned}")
    assert r"\textbf{Case } a > 0" in latex and r"\textbf{Case } a < 0" in latex
    assert tex_text("linearity of the integral (expectation)") in latex
    assert latex.count("&= ") == sum(len(cp.steps) for cp in proof.cases)


def test_rejected_proof_says_so():
    m2 = affine_law("m2")
    bad = AffineLaw("m2", c**2 * Stat("m2", "phi", M, S) + d**2, m2.derive, REGISTRY)
    markdown = bad.prove()._repr_markdown_()
    assert "the checker rejects it" in markdown and "re-verified" not in markdown


def test_dual_kernel_display():
    closed, numeric = DualKernel("relu"), DualKernel("tanh", derivative=True)
    latex = closed._repr_latex_()
    assert r"\mathbb{E}[\varphi(U)\,\varphi(V)] = " in latex and "q_{12}" in latex
    assert tex_text(closed.method) in latex and closed.method in closed._repr_html_()
    assert r"\varphi'(U)" in numeric._repr_latex_() and tex_text("by quadrature") in numeric._repr_latex_()


def test_neural_kernels_display(ctx):
    k = neural_kernels("relu", 0, depth=2, sigma_w2=2, dps=15)
    expected = digits(2 / ctx.pi, 15)  # 2 E[relu(U)] E[relu(V)], U, V independent N(0, 2)
    html, latex = k._repr_html_(), k._repr_latex_()
    assert html.count(f"<code>{expected}</code>") == 2 and r"$\Sigma^{(2)}$" in html
    assert k.nngp.error_str() in html and k.nngp.method in html
    assert r"\Theta^{(2)}" in latex and rf"{expected} & " in latex


def test_mittag_leffler_display(ctx):
    r = mittag_leffler("0.5", 1, -10, dps=20)
    expected = digits(ctx.exp(100) * ctx.erfc(10), 20)  # E_{1/2,1}(-z) = exp(z^2) erfc(z)
    assert r._repr_latex_().startswith(f"$E = {expected} \\pm ")
    assert f"<code>{expected}</code>" in r._repr_html_() and r.method in r._repr_html_()
