"""``symsig ml ALPHA BETA Z [--gamma G] [--dps D] [--json]``: one Mittag-Leffler value."""

import json

from . import DEFAULT_DPS
from ..precision import at_digits, check_dps, exact_number, format_value, mp, REAL, short_str


def register(subparsers):
    parser = subparsers.add_parser(
        "ml", help="evaluate the Mittag-Leffler function E^gamma_{alpha,beta}(z) to D digits",
        description="E^gamma_{alpha,beta}(z) = sum_k (gamma)_k z^k / (k! Gamma(alpha k + beta)) to D "
                    "significant digits, with the method used and an estimated absolute error. Numbers "
                    "are exact decimals; Z may be complex ('3+4j', '-10+1j'); options may come before or "
                    "after the numbers.")
    parser.add_argument("alpha", help="alpha >= 0 (0 means the closed form 1/(Gamma(beta)(1-z)))")
    parser.add_argument("beta", help="real beta")
    parser.add_argument("z", help="real or complex argument, e.g. -50 or 3+4j")
    parser.add_argument("--gamma", default="1", help="Prabhakar parameter gamma >= 0")
    parser.add_argument("--dps", type=int, default=DEFAULT_DPS, help="significant decimal digits")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--certified", action="store_true",
                        help="a proven Arb ball instead of an estimate (needs the certified "
                             "extra: pip install 'symsig[certified]')")
    parser.set_defaults(handler=_ml)


def _ml(args):
    from ..mittag_leffler import mittag_leffler
    dps = check_dps(args.dps)
    alpha, beta, gamma, z = (exact_number(text, name) for text, name in
                             ((args.alpha, "alpha"), (args.beta, "beta"), (args.gamma, "gamma"), (args.z, "z")))
    if args.certified:
        return _certified(args, alpha, beta, gamma, z, dps)
    result = mittag_leffler(alpha, beta, z, gamma=gamma, dps=dps)
    with at_digits(dps + 10):  # mpc() rounds to the current precision
        value = mp.mpc(result.value)
    re, im = format_value(value.real, dps), format_value(value.imag, dps)
    error = short_str(result.error, 3)
    if args.json:
        print(json.dumps({"alpha": args.alpha, "beta": args.beta, "gamma": args.gamma, "z": args.z,
                          "dps": dps, "value_re": re, "value_im": im, "method": result.method,
                          "error": error}))
        return 0
    name = _name(args, gamma)
    shown = re if isinstance(result.value, REAL) else format_value(result.value, dps)
    print(f"{name}({args.z}) = {shown}")
    print(f"method: {result.method}; estimated absolute error: {error}")
    return 0


def _certified(args, alpha, beta, gamma, z, dps):
    from ..mittag_leffler import mittag_leffler
    ball = mittag_leffler(alpha, beta, z, gamma=gamma, dps=dps, certified=True)
    if args.json:
        print(json.dumps({"alpha": args.alpha, "beta": args.beta, "gamma": args.gamma, "z": args.z,
                          "dps": dps, **ball.as_dict()}))
    else:
        print(f"{_name(args, gamma)}({args.z}) = {ball}")
    return 0


def _name(args, gamma):
    return f"E_{{{args.alpha},{args.beta}}}" if gamma == 1 else f"E^{args.gamma}_{{{args.alpha},{args.beta}}}"

