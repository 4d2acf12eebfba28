"""Pictures of symsig's results (the optional ``plot`` extra: matplotlib).

One function per kind, each returning a :class:`matplotlib.figure.Figure` (drawn with
the Agg canvas, never through pyplot's global state; save it with ``fig.savefig(path)``):

=================  ===================================================================
``activation``     phi, phi', phi'' with kinks, jumps and Dirac masses marked
``sweep``          one signature component against sigma
``variance-map``   ``q -> sigma_w^2 m2(sqrt q) + sigma_b^2``, its fixed points and their stability
``edge-of-chaos``  the curve ``chi_1 = 1`` in the (sigma_w^2, sigma_b^2) plane
``dual``           the dual kernels ``E[phi(U) phi(V)]`` and ``E[phi'(U) phi'(V)]`` against rho
``hermite``        the Hermite spectrum ``b_n = a_n^2`` on log-log with the predicted decay
``ml``             ``E^gamma_{a,b}(x)`` on the real line
``ml-complex``     ``E^gamma_{a,b}(z)`` as a domain-coloured picture of the complex plane
=================  ===================================================================

Plots are pictures: curves are evaluated on float grids at 15 digits; what is marked
(kinks, jumps, fixed points and their stability, the predicted exponent) is the exact
structure the engines decide.  Every number comes from the public API.

>>> fig = activation_plot("relu")
>>> [ax.get_ylabel() for ax in fig.axes]
['phi(x)', "phi'(x)", "phi''(x)"]
"""

import math

import numpy as np
import sympy

from .activations import get_activation, x
from .errors import InputError
from .facts import facts
from .precision import COMPLEX, exact_number, lambdify_mpmath, mp, workdps

KINDS = ("activation", "sweep", "variance-map", "edge-of-chaos", "dual", "hermite", "ml", "ml-complex")
DPS = 15  # pictures need no more; the marked exact structure is exact regardless
ORDERS = ("phi", "phi'", "phi''")


def _figure(rows=1, **kwargs):
    """A Figure on the Agg canvas and its axes; a clear error when the extra is missing."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ModuleNotFoundError:
        raise InputError("plots need matplotlib, the optional extra 'plot': pip install 'symsig[plot]'") from None
    fig = Figure(figsize=kwargs.pop("figsize", (7, 4.5)), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(rows, 1, squeeze=False, **kwargs)[:, 0]


def _float(value):
    return float(sympy.N(value, DPS))


def _in_range(points, lo, hi):
    return [p for p in points if lo <= _float(p) <= hi]


# ------------------------------------------------------------------ activation

def activation_plot(phi, xmin=None, xmax=None, points=200):
    """phi, phi' and phi'' on ``[xmin, xmax]`` (three stacked axes), piece by piece.

    Marked from :func:`symsig.facts.facts`: kinks (jumps of phi') as dotted vertical lines
    on every axis, the one-sided values at each jump of phi, phi' and phi'' as dots, and
    the Dirac masses the distributional derivative carries (``J delta(x - c)`` in phi'
    where phi jumps, in phi'' at each kink) as arrows labelled with J.  The default range
    is [-4, 4], widened to show every breakpoint.
    """
    activation = get_activation(phi)
    known = facts(activation.expr)
    breaks = [_float(b) for b in known.breakpoints]
    lo = xmin if xmin is not None else min([-4.0, *[b - 1 for b in breaks]])
    hi = xmax if xmax is not None else max([4.0, *[b + 1 for b in breaks]])
    if not lo < hi:
        raise InputError(f"need xmin < xmax, got {lo}, {hi}")
    grid = np.linspace(lo, hi, points)
    fig, axes = _figure(3, sharex=True, figsize=(7, 8))
    for order, ax in enumerate(axes):
        pieces = known.derivative(order)
        for index, piece in enumerate(pieces.pieces):
            _draw_piece(ax, pieces, index, piece, grid, lo, hi, ORDERS[order] if index == 0 else None)
        for i, point in enumerate(_in_range(known.jumps(order), lo, hi)):
            _mark_jump(ax, pieces, point, None if i else f"jump of {ORDERS[order]}")
        if order:  # phi^(order) carries J delta at each jump of phi^(order - 1)
            for point, jump in known.jumps(order - 1).items():
                if lo <= _float(point) <= hi:
                    _mark_dirac(ax, point, jump)
        for i, point in enumerate(_in_range(known.kinks, lo, hi)):
            ax.axvline(_float(point), color="tab:red", linestyle=":", linewidth=1,
                       label=None if i else "kink (phi' jumps)")
        if order == 2 and known.jumps(0):
            ax.text(0.02, 0.04, "phi jumps, so phi'' also holds delta' terms there (not drawn)",
                    transform=ax.transAxes, fontsize="x-small", color="tab:green")
        ax.set_ylabel(f"{ORDERS[order]}(x)")
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize="small")
    axes[-1].set_xlabel("x")
    axes[0].set_title(f"{activation}: {sympy.sstr(activation.expr)}"[:90], fontsize="medium")
    return fig


def _draw_piece(ax, pieces, index, piece, grid, lo, hi, label):
    """One smooth piece on its open interval, closed by its one-sided limits."""
    a = max(lo, _float(piece.lo)) if piece.lo != -sympy.oo else lo
    b = min(hi, _float(piece.hi)) if piece.hi != sympy.oo else hi
    if a >= b:
        return
    # a breakpoint end gets the one-sided limit (no gap where phi is continuous); a range end the value
    left = piece.lo.is_finite and a == _float(piece.lo)
    right = piece.hi.is_finite and b == _float(piece.hi)
    xs = [float(v) for v in grid if (a < v if left else a <= v) and (v < b if right else v <= b)]
    func = lambdify_mpmath(x, piece.expr)
    with workdps(DPS):
        ys = [_real_or_nan(func, v) for v in xs]
    if left:
        xs.insert(0, a)
        ys.insert(0, _limit(pieces, index, piece.lo))
    if right:
        xs.append(b)
        ys.append(_limit(pieces, index, piece.hi))
    ax.plot(xs, ys, color="tab:blue", linewidth=1.6, label=label)


def _limit(pieces, index, point):
    value = pieces.one_sided(index, point)
    return _float(value) if value is not None and value.is_finite else math.nan


def _real_or_nan(func, value):
    try:
        y = mp.mpmathify(func(value))
    except (ArithmeticError, ValueError, TypeError):
        return math.nan
    if isinstance(y, COMPLEX):
        return float(y.real) if not y.imag else math.nan
    return float(y)


def _mark_jump(ax, pieces, point, label):
    index = pieces.breakpoints.index(point)
    left, right = pieces.one_sided(index, point), pieces.one_sided(index + 1, point)
    at = _float(point)
    ax.plot([at, at], [_float(left), _float(right)], linestyle="none", marker="o", markersize=5,
            markerfacecolor="white", color="tab:orange", label=label)


def _mark_dirac(ax, point, jump):
    """An arrow from 0 to the mass J at c: the term ``J delta(x - c)`` of the derivative."""
    at, size = _float(point), _float(jump)
    ax.annotate("", xy=(at, size), xytext=(at, 0),
                arrowprops={"arrowstyle": "-|>", "color": "tab:green", "linewidth": 1.5})
    ax.update_datalim([(at, 0), (at, size)])  # an annotation alone does not widen the axes
    ax.autoscale_view()
    ax.plot([], [], color="tab:green", marker="^", label=f"Dirac mass {sympy.sstr(jump)} delta({sympy.sstr(x - point)})")


# ------------------------------------------------------------------ sigma sweep

def sweep_plot(phi, component="g2", sigmas=None, mu=0):
    """Signature component ``component`` against sigma (log axis), from :func:`symsig.signature`.

    ``sigmas`` defaults to 25 points from 0.1 to 10.  Exact values (closed forms) and numeric
    ones (quadrature) get different markers; sigmas where the component is infinite or
    undefined are listed in the plot, not drawn.
    """
    from .signature import signature

    activation = get_activation(phi)
    sigmas = list(np.geomspace(0.1, 10, 25)) if sigmas is None else list(sigmas)
    exact, numeric, missing = ([], []), ([], []), []
    for s in sigmas:
        q = signature(activation, sigma=s, mu=mu, dps=DPS, components=(component,))[component]
        if q.is_finite:
            target = exact if q.exact is not None else numeric
            target[0].append(float(s))
            target[1].append(float(q.value))
        else:
            missing.append(f"{float(s):.3g}: {q.status}")
    fig, (ax,) = _figure()
    xs = sorted(exact[0] + numeric[0])
    values = dict(zip(exact[0] + numeric[0], exact[1] + numeric[1]))
    ax.plot(xs, [values[v] for v in xs], color="tab:blue", linewidth=1)
    if exact[0]:
        ax.plot(*exact, linestyle="none", marker="o", color="tab:blue", label="exact (closed form)")
    if numeric[0]:
        ax.plot(*numeric, linestyle="none", marker="s", markerfacecolor="white", color="tab:blue",
                label="numeric (quadrature)")
    if missing:
        ax.text(0.02, 0.02, "not finite at sigma = " + "; ".join(missing)[:200], transform=ax.transAxes,
                fontsize="x-small", color="tab:red")
    ax.set_xscale("log")
    ax.set_xlabel("sigma")
    ax.set_ylabel(component)
    mu = exact_number(mu, "mu")
    ax.set_title(f"{component} of {activation} at X = {'' if mu == 0 else f'{sympy.sstr(mu)} + '}sigma Z",
                 fontsize="medium")
    ax.grid(alpha=0.3, which="both")
    if exact[0] or numeric[0]:
        ax.legend(loc="best", fontsize="small")
    return fig


# ------------------------------------------------------------------ variance map

def variance_map_plot(phi, sigma_w2=1, sigma_b2=0, q_max=None, points=60):
    """``F(q) = sigma_w^2 m2(sqrt q) + sigma_b^2`` against q, the diagonal, and every fixed point.

    Fixed points and their slopes ``F'(q*)`` are :func:`symsig.stability.variance_fixed_points`'s:
    filled markers are stable (``|F'| < 1``), open ones unstable.  ``m2(s) = E[phi(sZ)^2]`` on
    the grid comes from :func:`symsig.signature`.  The range is [0, q_max], by default 1.5
    times the largest finite fixed point (at least 2).
    """
    from .signature import signature
    from .stability import variance_fixed_points

    activation = get_activation(phi)
    vmap = variance_fixed_points(activation, sigma_w2, sigma_b2, dps=DPS)
    fixed = [p for p in vmap.points if p.q.is_finite]
    top = q_max if q_max is not None else max([2.0, *[1.5 * float(p.q.value) for p in fixed]])
    sw, sb = float(sympy.N(vmap.sigma_w2)), float(sympy.N(vmap.sigma_b2))
    qs = np.concatenate([[top * 1e-4], np.linspace(top / points, top, points)])  # q = 0 itself has no sigma
    fs = []
    for q in qs:
        m2 = signature(activation, sigma=math.sqrt(q), dps=DPS, components=("m2",))["m2"]
        fs.append(sw * float(m2.value) + sb if m2.is_finite else math.nan)
    fig, (ax,) = _figure()
    bias = "" if vmap.sigma_b2 == 0 else f" + {sympy.sstr(vmap.sigma_b2)}"
    ax.plot(qs, fs, color="tab:blue", label=f"F(q) = {sympy.sstr(vmap.sigma_w2)} m2(sqrt q){bias}")
    ax.plot([0, top], [0, top], color="grey", linestyle="--", linewidth=1, label="q")
    for kind, face in (("stable", "tab:green"), ("unstable", "white"), ("marginal", "tab:olive")):
        chosen = [p for p in fixed if p.verdict == kind]
        if chosen:
            ax.plot([float(p.q.value) for p in chosen], [float(p.q.value) for p in chosen], linestyle="none",
                    marker="o", markersize=8, markerfacecolor=face, color="tab:green",
                    label=f"{kind} fixed point" + ("s" if len(chosen) > 1 else ""))
    for p in fixed:
        at = float(p.q.value)
        ax.annotate(f"q* = {_short(p.q)}\nF'(q*) = {_short(p.slope)}", (at, at), textcoords="offset points",
                    xytext=(10, -28) if at > 0.1 * top else (12, 4), fontsize="x-small")
    if not fixed:
        ax.text(0.02, 0.75, (vmap.reason or "no fixed point found")[:120], transform=ax.transAxes,
                fontsize="x-small", color="tab:red")
    ax.set_xlim(0, top)
    ax.set_xlabel("q (pre-activation variance)")
    ax.set_ylabel("F(q)")
    ax.set_title(f"variance map of {activation}, sigma_w^2 = {sympy.sstr(vmap.sigma_w2)}, "
                 f"sigma_b^2 = {sympy.sstr(vmap.sigma_b2)} ({'exact' if vmap.exact else 'numeric'})",
                 fontsize="medium")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize="small")
    return fig


def _short(quantity):
    return f"{float(quantity.value):.6g}" if quantity.is_finite else str(quantity)


# ------------------------------------------------------------------ edge of chaos

def edge_of_chaos_plot(phi, q_min="0.01", q_max=10, points=25):
    """The edge of chaos ``chi_1 = 1`` as the curve ``q* -> (sigma_w^2, sigma_b^2)``.

    Points are :func:`symsig.stability.edge_of_chaos` at ``points`` fixed-point variances q*
    spaced geometrically in ``[q_min, q_max]``, coloured by q*.  Left of the curve
    (smaller sigma_w^2) is the ordered phase ``chi_1 < 1``, right of it the chaotic one.
    """
    from .stability import edge_of_chaos

    activation = get_activation(phi)
    lo, hi = _float(exact_number(q_min, "q_min")), _float(exact_number(q_max, "q_max"))
    if not 0 < lo < hi:
        raise InputError(f"need 0 < q_min < q_max, got {q_min}, {q_max}")
    edge = edge_of_chaos(activation, list(np.geomspace(lo, hi, points)), dps=DPS)
    ws = [float(p.sigma_w2.value) for p in edge]
    bs = [float(p.sigma_b2.value) for p in edge]
    qs = [float(p.q.value) for p in edge]
    fig, (ax,) = _figure()
    ax.plot(ws, bs, color="black", linewidth=1.2, label="edge of chaos chi_1 = 1")
    dots = ax.scatter(ws, bs, c=np.log10(qs), cmap="viridis", zorder=3, s=18)
    fig.colorbar(dots, ax=ax, label="log10 q*")
    if ws:
        ax.text(0.05, 0.9, "ordered (chi_1 < 1)", transform=ax.transAxes, fontsize="small")
        ax.text(0.95, 0.1, "chaotic (chi_1 > 1)", transform=ax.transAxes, fontsize="small", ha="right")
    else:
        ax.text(0.05, 0.5, "no edge point in this range of q*", transform=ax.transAxes, color="tab:red")
    ax.set_xlabel("sigma_w^2")
    ax.set_ylabel("sigma_b^2")
    ax.set_title(f"edge of chaos of {activation}", fontsize="medium")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize="small")
    return fig


# ------------------------------------------------------------------ dual kernels

NUMERIC_DUAL_POINTS = 7  # a 2-D quadrature per point costs seconds


def dual_plot(phi, q=1, points=None):
    """``E[phi(U) phi(V)]`` and ``E[phi'(U) phi'(V)]`` against ``rho`` in [-1, 1].

    ``(U, V)`` centred Gaussian with variances q and covariance ``rho q``
    (:class:`symsig.kernels.DualKernel`).  A closed-form dual is drawn on ``points``
    (default 201) values of rho; a quadrature dual on :data:`NUMERIC_DUAL_POINTS` marked
    points.  phi' is left out when phi jumps (its dual is undefined).
    """
    from .kernels import DualKernel
    from .kernels.dual import NUMERIC_METHOD

    activation = get_activation(phi)
    duals = [("E[phi(U) phi(V)]", DualKernel(activation))]
    if not facts(activation.expr).jumps(0):
        duals.append(("E[phi'(U) phi'(V)]", DualKernel(activation, derivative=True)))
    fig, (ax,) = _figure()
    q = exact_number(q, "q")
    for (label, dual), colour in zip(duals, ("tab:blue", "tab:orange")):
        numeric = dual.method.startswith(NUMERIC_METHOD)
        count = points or (NUMERIC_DUAL_POINTS if numeric else 201)
        rhos = np.linspace(-1, 1, count)
        with workdps(DPS):
            qq = mp.mpf(sympy.N(q, mp.dps))
            values = [float(dual(qq, qq, qq * mp.mpf(r), DPS)[0]) for r in rhos]
        ax.plot(rhos, values, color=colour, marker="o" if count <= 25 else None, markersize=4,
                label=f"{label}  [{'2-D quadrature' if numeric else dual.method}]")
    ax.set_xlabel("rho")
    ax.set_ylabel("dual kernel")
    ax.set_title(f"dual kernels of {activation}, q1 = q2 = {sympy.sstr(q)}, q12 = rho q", fontsize="medium")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize="x-small")
    return fig


# ------------------------------------------------------------------ Hermite spectrum

HERMITE_N_MAX = {True: 40, False: 12}  # exact coefficients cost milliseconds, quadrature ones a second


def hermite_plot(phi, n_max=None):
    """``b_n = a_n^2`` for ``n = 1..n_max`` on log-log, with the predicted decay.

    ``a_n`` is :func:`symsig.kernels.hermite_coefficient` (exact for piecewise polynomials and
    exponentials, quadrature otherwise; a coefficient zero to within its error is not drawn,
    nor an exact 0); ``n_max`` defaults to :data:`HERMITE_N_MAX` of the kind of ``a_1``.  When :func:`symsig.kernels.smoothness` covers phi (one kink at 0, finite
    smoothness k) the line ``J_k^2 n^-(k + 3/2) / (sqrt 2 pi^(3/2))`` is drawn on the dominant
    parity ``n = k + 1 (mod 2)``.
    """
    from .kernels import hermite_coefficient, smoothness

    activation = get_activation(phi)
    first = hermite_coefficient(activation, 1, dps=DPS)
    n_max = HERMITE_N_MAX[first.exact is not None] if n_max is None else n_max
    if isinstance(n_max, bool) or not isinstance(n_max, int) or n_max < 2:
        raise InputError(f"n_max must be an integer >= 2, got {n_max!r}")
    ns, bs = [], []
    for n in range(1, n_max + 1):
        a = first if n == 1 else hermite_coefficient(activation, n, dps=DPS)
        if a.is_finite and a.value and (a.error is None or abs(a.value) > a.error):
            ns.append(n)
            bs.append(float(a.value) ** 2)
    fig, (ax,) = _figure()
    ax.loglog(ns, bs, linestyle="none", marker="o", markersize=4, color="tab:blue", label="b_n = a_n^2")
    report = smoothness(activation)
    if report.get("covered") and report.get("b_n_exponent") is not None:
        exponent, constant = report["b_n_exponent"], report["b_n_constant"]
        parity = report["parity"]
        line = [n for n in range(1, n_max + 1) if n % 2 == parity]
        ax.loglog(line, [_float(constant) * n ** _float(exponent) for n in line], color="tab:red",
                  linestyle="--", label=f"predicted {sympy.sstr(constant.evalf(4))} n^({sympy.sstr(exponent)}), "
                                        f"n = {parity} mod 2 (k = {report['k']})")
    else:
        ax.text(0.02, 0.02, f"no decay prediction: {report['reason']}"[:110], transform=ax.transAxes,
                fontsize="x-small", color="tab:red")
    ax.set_xlabel("n")
    ax.set_ylabel("b_n")
    ax.set_title(f"Hermite spectrum of {activation} (zero coefficients omitted)", fontsize="medium")
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="upper right", fontsize="small")
    return fig


# ------------------------------------------------------------------ Mittag-Leffler

def _ml_values(a, b, gamma, z):
    """``E^gamma_{a,b}`` at the numpy array ``z`` (the engine's array path at 15 digits)."""
    from .mittag_leffler import mittag_leffler

    return np.asarray(mittag_leffler(a, b, z, gamma=gamma, dps=DPS).value)


def _ml_name(a, b, gamma):
    a, b, gamma = (sympy.sstr(exact_number(v)) for v in (a, b, gamma))
    return f"E_{{{a},{b}}}" if gamma == "1" else f"E^{gamma}_{{{a},{b}}}"


def ml_plot(a, b, gamma=1, xmin=-10, xmax=3, points=400):
    """``E^gamma_{a,b}(x)`` for real x in ``[xmin, xmax]``, with ``E(0) = 1/Gamma(b)`` marked;
    a logarithmic y axis when every value is positive, else a linear one."""
    if not xmin < xmax:
        raise InputError(f"need xmin < xmax, got {xmin}, {xmax}")
    xs = np.linspace(float(xmin), float(xmax), points)
    ys = _ml_values(a, b, gamma, xs).real
    name = _ml_name(a, b, gamma)
    fig, (ax,) = _figure()
    ax.plot(xs, ys, color="tab:blue", label=f"{name}(x)")
    if xmin <= 0 <= xmax:
        ax.plot([0], [_float(1 / sympy.gamma(exact_number(b, "b")))], linestyle="none", marker="o",
                color="tab:red", label=f"{name}(0) = 1/Gamma({sympy.sstr(exact_number(b, 'b'))})")
    if (ys > 0).all():  # E_{a,b} grows like exp(x^(1/a)) on the right
        ax.set_yscale("log")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xlabel("x")
    ax.set_ylabel(f"{name}(x)")
    ax.set_title(f"Mittag-Leffler function {name} on the real line", fontsize="medium")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize="small")
    return fig


def ml_complex_plot(a, b, gamma=1, center=0, radius=6, points=None):
    """``E^gamma_{a,b}(z)`` on the square ``|Re(z - center)|, |Im(z - center)| <= radius``,
    domain-coloured: hue is ``arg E``, brightness bands mark each factor 10 of ``|E|``.

    ``points`` per side defaults to 160, or 40 for ``gamma != 1`` (no double-precision
    path: each point takes the arbitrary-precision engine, ~15 ms).
    """
    from matplotlib.colors import hsv_to_rgb

    if points is None:
        points = 160 if exact_number(gamma, "gamma") == 1 else 40
    center = complex(sympy.N(exact_number(center, "center")))
    radius = float(radius)
    if not radius > 0:
        raise InputError(f"radius must be > 0, got {radius}")
    re = np.linspace(center.real - radius, center.real + radius, points)
    im = np.linspace(center.imag - radius, center.imag + radius, points)
    z = re[None, :] + 1j * im[:, None]
    values = _ml_values(a, b, gamma, z.ravel().astype(complex)).reshape(z.shape)
    hue = (np.angle(values) / (2 * np.pi)) % 1
    with np.errstate(divide="ignore"):
        bands = np.log10(np.abs(values)) % 1
    brightness = 0.6 + 0.4 * bands
    rgb = hsv_to_rgb(np.stack([hue, np.full(hue.shape, 0.9), brightness], axis=-1))
    name = _ml_name(a, b, gamma)
    fig, (ax,) = _figure(figsize=(6.2, 5.5))
    ax.imshow(rgb, origin="lower", extent=(re[0], re[-1], im[0], im[-1]), interpolation="nearest")
    ax.set_xlabel("Re z")
    ax.set_ylabel("Im z")
    ax.set_title(f"{name}(z): hue = arg, bands = factors of 10 in |{name}|", fontsize="medium")
    return fig


PLOTS = {"activation": activation_plot, "sweep": sweep_plot, "variance-map": variance_map_plot,
         "edge-of-chaos": edge_of_chaos_plot, "dual": dual_plot, "hermite": hermite_plot,
         "ml": ml_plot, "ml-complex": ml_complex_plot}

__all__ = ["KINDS", "PLOTS", "activation_plot", "sweep_plot", "variance_map_plot", "edge_of_chaos_plot",
           "dual_plot", "hermite_plot", "ml_plot", "ml_complex_plot"]
