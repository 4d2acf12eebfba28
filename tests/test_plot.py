"""Plots: each kind renders to a file, and what it draws and marks is checked against
independent truths (closed forms, plain mpmath quadrature), read back from the Figure."""

import sys

import mpmath
import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.colors import rgb_to_hsv  # noqa: E402

from symsig import cli, plot  # noqa: E402
from symsig.errors import InputError  # noqa: E402


def legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def line(ax, label):
    found = [l for l in ax.get_lines() if l.get_label() == label]
    assert len(found) == 1, [l.get_label() for l in ax.get_lines()]
    return found[0]


def arrows(ax):
    """``(x, height)`` of each Dirac arrow (an annotation drawn from 0 up to the mass)."""
    return [(a.xy[0], a.xy[1]) for a in ax.texts if hasattr(a, "arrow_patch") and a.arrow_patch]


def render(fig, path):
    fig.savefig(path)
    assert path.stat().st_size > 1000
    return path


# ------------------------------------------------------------------ activation

def test_relu_kink_marked_at_zero_with_its_dirac_mass(tmp_path):
    fig = plot.activation_plot("relu")
    render(fig, tmp_path / "relu.png")
    phi, dphi, ddphi = fig.axes
    assert [ax.get_ylabel() for ax in fig.axes] == ["phi(x)", "phi'(x)", "phi''(x)"]
    assert fig.axes[2].get_xlabel() == "x"
    for ax in fig.axes:  # the kink: a vertical line at x = 0 on every axis
        assert list(line(ax, "kink (phi' jumps)").get_xdata()) == [0, 0]
    jump = line(dphi, "jump of phi'")  # phi' jumps from 0 to 1 at 0
    assert list(jump.get_xdata()) == [0, 0] and list(jump.get_ydata()) == [0, 1]
    assert arrows(ddphi) == [(0, 1)] and "Dirac mass 1 delta(x)" in legend(ddphi)
    assert arrows(dphi) == [] and "jump of phi" not in legend(phi)
    xs, ys = line(phi, "phi").get_data()  # the drawn curve is relu itself
    assert np.allclose(ys, np.maximum(xs, 0), rtol=0, atol=1e-15)


def test_hardtanh_kinks_and_heaviside_jump():
    fig = plot.activation_plot("hardtanh")
    assert sorted(arrows(fig.axes[2])) == [(-1, 1), (1, -1)]  # phi' jumps +1 at -1, -1 at +1
    low, high = fig.axes[2].get_ylim()
    assert low < -1 and high > 1  # the arrows are inside the picture
    kinks = [l for l in fig.axes[0].get_lines() if l.get_linestyle() == ":"]
    assert sorted(l.get_xdata()[0] for l in kinks) == [-1, 1]
    fig = plot.activation_plot("Heaviside(x) + x**2/4")
    phi, dphi, ddphi = fig.axes
    jump = line(phi, "jump of phi")
    assert list(jump.get_xdata()) == [0, 0] and list(jump.get_ydata()) == [0, 1]
    assert arrows(dphi) == [(0, 1)]  # phi' = x/2 + delta(x)
    assert any("delta'" in t.get_text() for t in ddphi.texts)
    assert np.allclose(line(ddphi, "phi''").get_ydata(), 0.5)


# ------------------------------------------------------------------ sweep

def test_sweep_of_relu_m2_is_sigma_squared_over_two(tmp_path):
    sigmas = [0.25, 0.5, 1.0, 3.0]
    fig = plot.sweep_plot("relu", "m2", sigmas)
    render(fig, tmp_path / "sweep.png")
    (ax,) = fig.axes
    assert ax.get_xlabel() == "sigma" and ax.get_ylabel() == "m2" and ax.get_xscale() == "log"
    assert legend(ax) == ["exact (closed form)"]
    xs, ys = line(ax, "exact (closed form)").get_data()
    assert list(xs) == sigmas and np.allclose(ys, [s * s / 2 for s in sigmas], rtol=1e-15)


def test_sweep_of_a_quadrature_component_against_plain_mpmath():
    fig = plot.sweep_plot("tanh", "m2", [0.5, 2.0])
    (ax,) = fig.axes
    assert legend(ax) == ["numeric (quadrature)"]
    _, ys = line(ax, "numeric (quadrature)").get_data()
    pdf = lambda z: mpmath.npdf(z)  # noqa: E731
    truth = [mpmath.quad(lambda z: mpmath.tanh(s * z) ** 2 * pdf(z), [-mpmath.inf, 0, mpmath.inf]) for s in (0.5, 2)]
    assert np.allclose(ys, [float(t) for t in truth], rtol=1e-13)


def test_sweep_lists_infinite_values_instead_of_drawing_them():
    (ax,) = plot.sweep_plot("Heaviside(x)", "g2", [1, 2]).axes  # phi' has a Dirac mass: g2 = +oo
    assert [t.get_text() for t in ax.texts] == ["not finite at sigma = 1: infinite; 2: infinite"]
    assert all(len(l.get_xdata()) == 0 for l in ax.get_lines())


# ------------------------------------------------------------------ variance map

def test_variance_map_fixed_point_where_the_stability_engine_puts_it(tmp_path):
    # relu: m2(s) = s^2/2, so F(q) = 0.75 q + 0.05 and q* = 0.05/0.25 = 1/5, F'(q*) = 3/4
    fig = plot.variance_map_plot("relu", "1.5", "0.05")
    render(fig, tmp_path / "vmap.png")
    (ax,) = fig.axes
    assert ax.get_xlabel().startswith("q") and ax.get_ylabel() == "F(q)"
    point = line(ax, "stable fixed point")
    assert np.allclose(point.get_data(), [[0.2], [0.2]], rtol=1e-15)
    qs, fs = line(ax, "F(q) = 3/2 m2(sqrt q) + 1/20").get_data()
    assert np.allclose(fs, 0.75 * qs + 0.05, rtol=1e-14)
    assert any("F'(q*) = 0.75" in t.get_text() for t in ax.texts)


def test_variance_map_unstable_and_critical():
    (ax,) = plot.variance_map_plot("relu", 3, 0).axes  # F(q) = 1.5 q: q* = 0 repels
    assert list(line(ax, "unstable fixed point").get_xdata()) == [0]
    (ax,) = plot.variance_map_plot("relu", 2, 0).axes
    assert any("every variance is fixed" in t.get_text() for t in ax.texts)


# ------------------------------------------------------------------ edge of chaos

def test_edge_of_chaos_of_erf_against_its_closed_forms(tmp_path):
    fig = plot.edge_of_chaos_plot("erf", "0.1", "5", points=5)
    render(fig, tmp_path / "edge.png")
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("sigma_w^2", "sigma_b^2")
    ws, bs = line(ax, "edge of chaos chi_1 = 1").get_data()
    # erf: E[phi'(sZ)^2] = (4/pi)/sqrt(1 + 4 s^2), m2(s) = (2/pi) asin(2 s^2/(1 + 2 s^2))
    qs = np.geomspace(0.1, 5, 5)
    w = np.pi * np.sqrt(1 + 4 * qs) / 4
    b = qs - w * (2 / np.pi) * np.arcsin(2 * qs / (1 + 2 * qs))
    assert np.allclose(ws, w, rtol=1e-13) and np.allclose(bs, b, rtol=1e-12)
    assert {t.get_text() for t in ax.texts} == {"ordered (chi_1 < 1)", "chaotic (chi_1 > 1)"}


def test_edge_of_chaos_of_relu_is_one_point():
    ws, bs = line(plot.edge_of_chaos_plot("relu", points=4).axes[0], "edge of chaos chi_1 = 1").get_data()
    assert np.allclose(ws, 2, rtol=1e-15) and np.allclose(bs, 0, atol=1e-15)


# ------------------------------------------------------------------ dual kernels

def test_dual_kernels_of_relu_are_the_arc_cosine_kernels(tmp_path):
    fig = plot.dual_plot("relu")
    render(fig, tmp_path / "dual.png")
    (ax,) = fig.axes
    assert ax.get_xlabel() == "rho"
    k, dk = ax.get_lines()
    assert k.get_label().startswith("E[phi(U) phi(V)]") and dk.get_label().startswith("E[phi'(U) phi'(V)]")
    rho = k.get_xdata()
    theta = np.arccos(rho)
    assert np.allclose(k.get_ydata(), (np.sin(theta) + (np.pi - theta) * rho) / (2 * np.pi), atol=1e-14)
    assert np.allclose(dk.get_ydata(), (np.pi - theta) / (2 * np.pi), atol=1e-14)


def test_dual_of_a_jump_has_no_derivative_kernel():
    (ax,) = plot.dual_plot("Heaviside(x)", points=11).axes
    (k,) = ax.get_lines()
    rho = k.get_xdata()  # order-0 arc-cosine kernel: (pi - arccos rho)/(2 pi)
    assert np.allclose(k.get_ydata(), (np.pi - np.arccos(rho)) / (2 * np.pi), atol=1e-14)


# ------------------------------------------------------------------ Hermite spectrum

def test_hermite_spectrum_of_relu_and_its_predicted_slope(tmp_path):
    fig = plot.hermite_plot("relu", n_max=30)
    render(fig, tmp_path / "hermite.pdf")
    (ax,) = fig.axes
    assert ax.get_xscale() == ax.get_yscale() == "log" and ax.get_xlabel() == "n"
    ns, bs = line(ax, "b_n = a_n^2").get_data()
    assert list(ns) == [1] + list(range(2, 31, 2))  # odd n >= 3 vanish for relu
    for n, b in zip(ns[:4], bs[:4]):  # a_n = E[relu(Z) He_n(Z)]/sqrt(n!) by plain quadrature
        a = mpmath.quad(lambda z: z * mpmath.hermite(n, z / mpmath.sqrt(2)) * 2 ** (-n / 2) * mpmath.npdf(z),
                        [0, mpmath.inf]) / mpmath.sqrt(mpmath.factorial(n))
        assert b == pytest.approx(float(a) ** 2, rel=1e-12)
    (predicted,) = [l for l in ax.get_lines() if l.get_label().startswith("predicted")]
    px, py = predicted.get_data()
    slope = np.polyfit(np.log(px), np.log(py), 1)[0]
    assert slope == pytest.approx(-2.5, abs=1e-12) and "n^(-5/2)" in predicted.get_label()
    # the data approach the line (b_n = C n^-5/2 (1 + O(1/n))): ratios on the even n fall towards 1
    ratios = bs[1:] / py
    assert (np.diff(ratios) < 0).all() and 1 < ratios[-1] < 1.07


def test_hermite_without_a_prediction_says_why():
    (ax,) = plot.hermite_plot("x**3 + x", n_max=5).axes  # a polynomial: b_n = 0 beyond n = 3
    ns, bs = line(ax, "b_n = a_n^2").get_data()
    assert list(ns) == [1, 3] and bs == pytest.approx([16, 6])  # x^3 + x = 4 He_1 + He_3
    assert any(t.get_text().startswith("no decay prediction") for t in ax.texts)


# ------------------------------------------------------------------ Mittag-Leffler

def test_ml_on_the_real_line_is_exp_and_erfc_forms(tmp_path):
    (ax,) = plot.ml_plot(1, 1, xmin=-3, xmax=2, points=50).axes
    xs, ys = line(ax, "E_{1,1}(x)").get_data()
    assert np.allclose(ys, np.exp(xs), rtol=1e-14) and ax.get_yscale() == "log"
    fig = plot.ml_plot("0.5", 1, points=60)
    render(fig, tmp_path / "ml.svg")
    (ax,) = fig.axes
    xs, ys = line(ax, "E_{1/2,1}(x)").get_data()
    truth = [float(mpmath.exp(v * v) * mpmath.erfc(-v)) for v in xs]
    assert np.allclose(ys, truth, rtol=1e-13)
    assert list(line(ax, "E_{1/2,1}(0) = 1/Gamma(1)").get_ydata()) == [1]
    (ax,) = plot.ml_plot(2, 1, xmin=-20, xmax=1, points=30).axes  # cos(sqrt(-x)): signs change
    assert ax.get_yscale() == "linear"


def test_ml_complex_hue_is_the_argument(tmp_path):
    fig = plot.ml_complex_plot(1, 1, radius=3, points=40)  # E_{1,1}(z) = exp(z): arg = Im z
    render(fig, tmp_path / "mlc.png")
    (ax,) = fig.axes
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Re z", "Im z")
    rgb = ax.get_images()[0].get_array()
    im = np.linspace(-3, 3, 40)[:, None] * np.ones((1, 40))
    hue = rgb_to_hsv(np.asarray(rgb))[..., 0]
    wrapped = np.abs(((hue - (im / (2 * np.pi)) % 1) + 0.5) % 1 - 0.5)
    assert wrapped.max() < 1e-6


# ------------------------------------------------------------------ command line

def test_cli_writes_svg_and_pdf(tmp_path, capsys):
    svg, pdf = tmp_path / "a.svg", tmp_path / "m.pdf"
    assert cli.main(["plot", "activation", "relu", "-o", str(svg)]) == 0
    assert svg.read_text().lstrip().startswith("<?xml") and "wrote" in capsys.readouterr().out
    assert cli.main(["plot", "ml", "0.5", "1", "--xmin", "-2", "--xmax", "1", "--points", "30", "-o", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")


def test_cli_refuses_bad_requests(tmp_path, capsys):
    assert cli.main(["plot", "activation", "relu", "-o", str(tmp_path / "a.jpg")]) == 2
    assert "must end in .png" in capsys.readouterr().err
    assert cli.main(["plot", "ml", "0.5", "-o", str(tmp_path / "a.png")]) == 2
    assert "two parameters A B" in capsys.readouterr().err
    assert cli.main(["plot", "dual", "relu", "-o", str(tmp_path / "missing" / "a.png")]) == 2
    assert "cannot write" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["plot", "pie", "relu", "-o", str(tmp_path / "a.png")])


def test_missing_matplotlib_is_a_clear_input_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(InputError, match="symsig\\[plot\\]"):
        plot.activation_plot("relu")


def test_every_kind_has_a_plot_and_a_command():
    from symsig.cli.plot import KIND_HELP

    assert tuple(plot.PLOTS) == plot.KINDS == tuple(KIND_HELP)


@pytest.mark.slow
def test_cli_renders_every_kind_as_documented(tmp_path):
    commands = [["activation", "relu"], ["sweep", "gelu"], ["variance-map", "erf", "--sigma-w2", "2",
                "--sigma-b2", "0.1"], ["edge-of-chaos", "erf"], ["dual", "relu"], ["hermite", "relu"],
                ["ml", "0.5", "1"], ["ml-complex", "0.7", "1"]]
    for args in commands:
        out = tmp_path / f"{args[0]}.png"
        assert cli.main(["plot", *args, "-o", str(out)]) == 0
        assert out.read_bytes().startswith(b"\x89PNG") and out.stat().st_size > 10_000
    assert [args[0] for args in commands] == list(plot.KINDS)
