"""``symsig plot KIND ARGS... -o FILE``: one picture (png, svg or pdf) of a symsig result."""

import pathlib

from ..errors import InputError, OutputError

FORMATS = (".png", ".svg", ".pdf")
KIND_HELP = {
    "activation": "phi, phi', phi'' with kinks, jumps and Dirac masses marked (ACT)",
    "sweep": "one signature component against sigma (ACT, --component)",
    "variance-map": "q -> sigma_w^2 m2(sqrt q) + sigma_b^2, fixed points and their stability (ACT)",
    "edge-of-chaos": "the curve chi_1 = 1 in the (sigma_w^2, sigma_b^2) plane (ACT)",
    "dual": "dual kernels E[phi(U)phi(V)], E[phi'(U)phi'(V)] against rho (ACT)",
    "hermite": "Hermite spectrum b_n on log-log with the predicted decay (ACT)",
    "ml": "E^gamma_{a,b}(x) on the real line (A B)",
    "ml-complex": "E^gamma_{a,b}(z) domain-coloured in the complex plane (A B)",
}


def register(subparsers):
    parser = subparsers.add_parser(
        "plot", help="draw a picture of a result to a png, svg or pdf file (needs the 'plot' extra)",
        description="Draw one picture. KIND is one of: " + "; ".join(f"{k}: {v}" for k, v in KIND_HELP.items())
                    + ". ACT is a catalogue name or an expression in x; the ml kinds take the two "
                    "Mittag-Leffler parameters A B instead. Numbers are exact decimals. Curves are "
                    "drawn at 15 digits; the marked structure comes from the exact engines.")
    parser.add_argument("kind", metavar="KIND", choices=tuple(KIND_HELP), help="what to draw")
    parser.add_argument("args", metavar="ARG", nargs="+", help="ACT, or A B for the ml kinds")
    parser.add_argument("-o", "--output", required=True, help="output file; its suffix (.png, .svg, .pdf) "
                        "is the format")
    parser.add_argument("--xmin", help="activation, ml: left end of the x range "
                        "(default: activation [-4, 4] widened to the breakpoints, ml -10)")
    parser.add_argument("--xmax", help="activation, ml: right end of the x range (default 4 / 3)")
    parser.add_argument("--component", default="g2", help="sweep: the signature component to draw "
                        "(any registered name: m1, g1, g2, m2, eta, chi, g4, ...)")
    parser.add_argument("--mu", default="0", help="sweep: mean (bias) of the input")
    parser.add_argument("--sigma-min", default="0.1", help="sweep: smallest sigma")
    parser.add_argument("--sigma-max", default="10", help="sweep: largest sigma")
    parser.add_argument("--sigma-w2", default="1", help="variance-map: weight variance sigma_w^2")
    parser.add_argument("--sigma-b2", default="0", help="variance-map: bias variance sigma_b^2")
    parser.add_argument("--q-min", default="0.01", help="edge-of-chaos: smallest fixed-point variance q*")
    parser.add_argument("--q-max", help="variance-map: right end of the q axis (default 1.5 x the "
                        "largest fixed point, at least 2); edge-of-chaos: largest q* (default 10)")
    parser.add_argument("--q", default="1", help="dual: the variances q1 = q2 = q (q12 = rho q)")
    parser.add_argument("--n-max", type=int, help="hermite: largest degree n (default 40 for exact "
                        "coefficients, 12 for coefficients by quadrature)")
    parser.add_argument("--gamma", default="1", help="ml kinds: Prabhakar parameter gamma >= 0")
    parser.add_argument("--center", default="0", help="ml-complex: centre of the square (e.g. 0 or -2+1j)")
    parser.add_argument("--radius", default="6", help="ml-complex: half-width of the square")
    parser.add_argument("--points", type=int, help="grid points (default per kind: activation 200, sweep "
                        "25, variance-map 60, edge-of-chaos 25, dual 201, or 7 for a quadrature dual, "
                        "ml 400, ml-complex 160 per side, 40 when gamma != 1)")
    parser.set_defaults(handler=_plot)


def _plot(args):
    from .. import plot

    path = pathlib.Path(args.output)
    if path.suffix.lower() not in FORMATS:
        raise InputError(f"the output file must end in {', '.join(FORMATS)}, got {args.output!r}")
    wanted = 2 if args.kind.startswith("ml") else 1
    if len(args.args) != wanted:
        what = "the two parameters A B" if wanted == 2 else "one activation ACT"
        raise InputError(f"plot {args.kind} takes {what}, got {len(args.args)} argument(s)")
    grid = {} if args.points is None else {"points": args.points}
    first = args.args[0]
    if args.kind == "activation":
        fig = plot.activation_plot(first, _optional(args.xmin, "xmin"), _optional(args.xmax, "xmax"),
                                   **grid)
    elif args.kind == "sweep":
        import numpy as np

        lo, hi = _number(args.sigma_min, "sigma_min"), _number(args.sigma_max, "sigma_max")
        if not 0 < lo < hi:
            raise InputError(f"need 0 < sigma_min < sigma_max, got {lo}, {hi}")
        fig = plot.sweep_plot(first, args.component, list(np.geomspace(lo, hi, args.points or 25)), args.mu)
    elif args.kind == "variance-map":
        fig = plot.variance_map_plot(first, args.sigma_w2, args.sigma_b2, _optional(args.q_max, "q_max"),
                                     **grid)
    elif args.kind == "edge-of-chaos":
        fig = plot.edge_of_chaos_plot(first, args.q_min, args.q_max or "10", **grid)
    elif args.kind == "dual":
        fig = plot.dual_plot(first, args.q, args.points)
    elif args.kind == "hermite":
        fig = plot.hermite_plot(first, args.n_max)
    elif args.kind == "ml":
        fig = plot.ml_plot(*args.args, args.gamma, _optional(args.xmin, "xmin", -10),
                           _optional(args.xmax, "xmax", 3), **grid)
    else:
        fig = plot.ml_complex_plot(*args.args, args.gamma, args.center, _number(args.radius, "radius"), **grid)
    try:
        fig.savefig(path, dpi=110)
    except OSError as exc:
        raise OutputError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(f"wrote {path}")
    return 0


def _number(text, name):
    from ..precision import exact_number

    return float(exact_number(text, name))  # plot axes are floats


def _optional(text, name, default=None):
    return default if text is None else _number(text, name)
