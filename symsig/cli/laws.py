"""``symsig law NAME [--latex|--markdown]`` and ``symsig relate ACT1 ACT2``."""


def register(subparsers):
    law = subparsers.add_parser("law", help="print an affine reparameterization law and its checked proof",
                                description="The law of component NAME for psi(x) = c*phi(a*x + b) + d, "
                                            "its proof, and whether every step re-verifies.")
    law.add_argument("name", help="component: m1 g1 g2 chi m2 eta alpha_plus alpha_minus TV C B g4 Lip")
    fmt = law.add_mutually_exclusive_group()
    fmt.add_argument("--latex", action="store_true", help="print LaTeX")
    fmt.add_argument("--markdown", action="store_true", help="print Markdown")
    law.set_defaults(handler=_law)

    relate = subparsers.add_parser("relate", help="find a, b, c, d with ACT2(x) = c*ACT1(a*x + b) + d",
                                   description="Decide whether ACT2 = c*ACT1(a*x + b) + d and prove it.")
    relate.add_argument("act1", help="catalogue name or expression in x (phi)")
    relate.add_argument("act2", help="catalogue name or expression in x (psi)")
    relate.set_defaults(handler=_relate)


def _law(args):
    from ..laws import affine_law
    law = affine_law(args.name)
    proof = law.prove()
    ok = proof.check()
    if args.latex:
        print(law.to_latex())
    elif args.markdown:
        print(law.to_markdown())
    else:
        print(law.to_text())
    print(f"\nProof check: {'every step re-verified' if ok else 'FAILED'}")
    for failure in proof.failures():
        print(f"  {failure}")
    return 0 if ok else 1


def _relate(args):
    from ..activations import get_activation
    from ..laws.relate import relate
    phi, psi = get_activation(args.act1), get_activation(args.act2)
    found = relate(phi.expr, psi.expr)
    if found is None:
        print(f"No constants a != 0, b, c != 0, d found with {args.act2}(x) = c*{args.act1}(a*x + b) + d.")
        return 1
    print(f"{args.act2}(x) = c*{args.act1}(a*x + b) + d with")
    for key, value in found.constants().items():
        print(f"  {key} = {value}")
    print(f"proof: {found.proof}")
    return 0
