"""``symsig signature ACT [--sigma S] [--mu M] [--dps D] [--json | --symbolic [--latex]]``."""

import json

from . import DEFAULT_DPS


def register(subparsers):
    parser = subparsers.add_parser(
        "signature", help="the nine-component signature of one activation",
        description="S_sigma(phi) = (m1, g1, g2, m2, eta, alpha+, alpha-, TV, C) at X = mu + sigma Z. "
                    "ACT is a catalogue name (optionally with keywords, \"leaky_relu(slope=0.2)\") or an "
                    "expression in x (\"x*tanh(exp(x))\"). Numbers are exact decimals.")
    parser.add_argument("activation", metavar="ACT", help="catalogue name or expression in x")
    parser.add_argument("--sigma", default="1", help="standard deviation of the input (> 0, default 1)")
    parser.add_argument("--mu", default="0", help="mean (bias) of the input")
    parser.add_argument("--dps", type=int, default=DEFAULT_DPS, help="significant decimal digits")
    parser.add_argument("--extras", default="", help="comma-separated extra components, e.g. B,g4,Lip,chi "
                        "(an unknown name lists the registered ones)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print one JSON object")
    output.add_argument("--symbolic", action="store_true", help="print each component as a formula in sigma")
    parser.add_argument("--latex", action="store_true", help="with --symbolic: LaTeX formulas")
    parser.add_argument("--certified", action="store_true",
                        help="also rigorous Arb balls [mid +/- rad] for m1, g1, g2, m2, eta (needs the "
                             "certified extra: pip install 'symsig[certified]'); a ball prints only proven digits")
    parser.set_defaults(handler=_signature)


def _extras(text):
    return tuple(name.strip() for name in text.split(",") if name.strip())


def _signature(args):
    import sympy

    from ..signature import extras_report, signature, symbolic_signature

    extras = _extras(args.extras)
    if args.symbolic:
        forms = symbolic_signature(args.activation, mu=args.mu, extras=extras)
        for name, form in forms.items():
            shown = "no closed form" if form is None else (sympy.latex(form) if args.latex else sympy.sstr(form))
            print(f"{name} = {shown}")
        return 0
    result = signature(args.activation, sigma=args.sigma, mu=args.mu, dps=args.dps, extras=extras,
                       certified=args.certified)
    if args.json:
        print(json.dumps(result.as_dict()))
        return 0
    print(f"{result.activation}: {sympy.sstr(result.activation.expr)}   sigma = {result.sigma}, "
          f"mu = {result.mu}, {result.dps} digits")
    width = max(map(len, result.components))
    for name, quantity in result.items():
        note = quantity.reason or quantity.method
        error = quantity.error_str()
        tail = f"   [{note}{'' if error in (None, '0') else f', error ~ {error}'}]"
        print(f"  {name:<{width}} = {quantity}{tail}")
        if result.certified and name in result.certified:
            print(f"  {'':<{width}}   certified: {result.certified[name]}")
    report = extras_report(result.activation, result.dps)
    print(f"  kinks: {', '.join(report['kinks']) or 'none'}; smoothness degree "
          f"{report['smoothness_degree']}; growth class {report['growth_class']}")
    return 0
