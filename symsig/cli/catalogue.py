"""``symsig list``: the activation catalogue."""

import sympy

from ..activations import catalogue


def register(subparsers):
    parser = subparsers.add_parser("list", help="print the activation catalogue",
                                   description="Catalogue activations with their default expressions. "
                                   "Parametrised ones take keywords, e.g. \"leaky_relu(slope=0.2)\".")
    parser.set_defaults(handler=_list)


def _list(args):
    entries = catalogue()
    width = max(map(len, entries))
    for name, expr in entries.items():
        print(f"{name:<{width}}  {sympy.sstr(expr)}")
    print(f"{'polynomial':<{width}}  c0 + c1*x + c2*x**2 + ... (keywords c0, c1, ...)")
    return 0
