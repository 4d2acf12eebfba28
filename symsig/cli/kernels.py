"""``symsig stability ACT`` and ``symsig kernel ACT``: stability and kernel predictions."""

import json

from . import DEFAULT_DPS


def register(subparsers):
    p = subparsers.add_parser("stability", help="variance-map fixed points, Lyapunov constants, kernel bound")
    p.add_argument("activation", metavar="ACT", help="catalogue name or expression in x")
    p.add_argument("--sigma-w2", default="1", help="weight variance sigma_W^2 (exact decimal)")
    p.add_argument("--sigma-b2", default="0", help="bias variance sigma_b^2 (exact decimal)")
    p.add_argument("--a", default="1", help="slope a of the scalar recursion T(x) = phi(a x + b)")
    p.add_argument("--b", default="0", help="offset b of the scalar recursion")
    p.add_argument("--kernel-bound", action="store_true", help="also the sharp kernel-bound constants (slow)")
    p.add_argument("--dps", type=int, default=DEFAULT_DPS, help="significant decimal digits")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_stability)

    k = subparsers.add_parser("kernel", help="dual activations and NNGP/NTK values on the sphere")
    k.add_argument("activation", metavar="ACT", help="catalogue name or expression in x")
    k.add_argument("--rho", default="0.5", help="inner product t = <x, x'> of unit inputs")
    k.add_argument("--depth", type=int, default=2, help="number of weight layers L")
    k.add_argument("--sigma-w2", default="1", help="weight variance sigma_W^2 (exact decimal)")
    k.add_argument("--sigma-b2", default="0", help="bias variance sigma_b^2 (exact decimal)")
    k.add_argument("--dps", type=int, default=DEFAULT_DPS, help="significant decimal digits")
    k.add_argument("--json", action="store_true", help="print one JSON object")
    k.set_defaults(handler=_kernel)


def _stability(args):
    from ..stability import kernel_bound, lyapunov, variance_fixed_points  # a subcommand loads only its engine

    vmap = variance_fixed_points(args.activation, args.sigma_w2, args.sigma_b2, dps=args.dps)
    lyap = lyapunov(args.activation, args.a, args.b, dps=args.dps)
    data = {"activation": args.activation, "variance_map": vmap.as_dict(), "lyapunov": lyap.as_dict()}
    if args.kernel_bound:
        data["kernel_bound"] = kernel_bound(args.activation, dps=args.dps).as_dict()
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    print(f"variance map F(q) = {vmap.sigma_w2} m2(sqrt q) + {vmap.sigma_b2}  [{vmap.method}]")
    for p in vmap.points:
        note = " (|F'(q*)| = 1: higher-order terms decide)" if p.verdict == "marginal" else ""
        print(f"  q* = {p.q}  F'(q*) = {p.slope}  chi1 = {p.chi1}  {p.verdict}{note}")
    if vmap.reason:
        print(f"  {vmap.reason}")
    c, e = lyap.contraction, lyap.primitive
    print(f"T(x) = phi({lyap.a} x + {lyap.b}): Lip(phi) = {lyap.lipschitz}  [{lyap.method}]")
    print("  contraction: " + (f"rate {c['rate']}, descent 1 - L^2 = {c['descent']}" if c["holds"] else c["reason"]))
    print("  primitive E(x) = x^2/2 - Phi(ax+b)/a: "
          + (f"descent {e['descent']} (beta = {e['beta']})" if e["holds"] else e["reason"]))
    if args.kernel_bound:
        kb = data["kernel_bound"]
        print(f"kernel bound: C_rms = {kb['C_rms']['value']}, C_mean_square = {kb['C_mean_square']['value']}")
    return 0


def _kernel(args):
    from ..kernels import dual_activation, neural_kernels, smoothness

    nk = neural_kernels(args.activation, args.rho, args.depth, args.sigma_w2, args.sigma_b2, dps=args.dps)
    dual = dual_activation(args.activation, 1, 1, args.rho, dps=args.dps)
    smooth = smoothness(args.activation)
    data = {"activation": args.activation, "dual_unit": dual.as_dict(), "kernels": nk.as_dict(),
            "smoothness": {k: str(v) for k, v in smooth.items()}}
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    print(f"E[phi(U)phi(V)], unit variances, rho = {args.rho}: {dual}  [{dual.method}]")
    print(f"depth {nk.depth}: NNGP = {nk.nngp} (+- {nk.nngp.error_str()}), NTK = {nk.ntk} (+- {nk.ntk.error_str()})")
    print(f"smoothness k = {smooth['k']}" + (f", NNGP ~ H^{smooth['nngp_sobolev']}, NTK ~ H^{smooth['ntk_sobolev']} "
                                              f"on S^{smooth['d'] - 1}" if smooth.get("covered") else f" ({smooth['reason']})"))
    return 0
