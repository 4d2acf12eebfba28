"""The laws in the deterministic engine: thread-independent results, no stray precision state,
size limits named in failing proof steps."""

from concurrent.futures import ThreadPoolExecutor

import mpmath
import sympy

from symsig.activations import get_activation, x
from symsig.laws import affine_law
from symsig.laws.proof import RULES, Context, Step, _run_rule
from symsig.laws.relate import relate
from symsig.laws.verify import Agreement
from symsig import limits

Q = sympy.Rational


def _law_check():
    result = affine_law("m1").verify(sympy.tanh(x), a=-3, b=Q(1, 2), c=Q(1, 4), d=Q(1, 3), sigma=Q(7, 10), dps=30)
    return result.agree, str(result), str(result.via_law.value), str(result.direct.value)


def _relation():
    r = relate(get_activation("tanh").expr, get_activation("sigmoid").expr)
    return r.constants(), r.proof


def test_relate_and_a_numeric_law_check_are_the_same_in_a_thread():
    """Once RuntimeError outside a thread's precision context (mp.isinf after workdps in _apply)."""
    before = mpmath.mp.dps
    serial = _law_check(), _relation()
    with ThreadPoolExecutor(2) as pool:
        threaded = pool.submit(_law_check).result(), pool.submit(_relation).result()
    assert threaded == serial
    assert serial[0][0] == Agreement.AGREE
    assert serial[1][0] == {"a": Q(1, 2), "b": 0, "c": Q(1, 2), "d": Q(1, 2)}
    assert mpmath.mp.dps == before
    # independent truth: m1[psi] = c*E[tanh(a X + b)] + d, X ~ N(0, 0.49), by plain mpmath quadrature
    with mpmath.workdps(40):
        m1 = mpmath.quad(lambda z: mpmath.tanh(-3 * mpmath.mpf(7) / 10 * z + mpmath.mpf(1) / 2) * mpmath.npdf(z),
                         [-mpmath.inf, 0, mpmath.inf])
        expected = m1 / 4 + mpmath.mpf(1) / 3
        assert abs(mpmath.mpf(serial[0][3]) - expected) < mpmath.mpf(10) ** -28


def test_B_law_with_an_offset_asymptote():
    """Once RuntimeError: the B law took the sign of psi's offsets outside a precision context.

    phi = x + exp(-x^2) has C, B finite; psi = phi(2x) + 1 misses the origin by +1 on both tails,
    so B[psi] = +oo (psi - x -> 1 at both ends)."""
    result = affine_law("B").verify(x + sympy.exp(-x**2), a=2, b=0, c=1, d=1)
    assert result.agree == Agreement.AGREE, str(result)
    assert result.via_law.status == "infinite" and result.via_law.value > 0


def test_a_proof_step_over_the_size_limit_says_which_limit():
    """Once reported as 'the two sides are not algebraically equal' (the size cap looked like a refutation)."""
    w = sympy.Symbol("w", real=True)
    big = sum(1 / (w + k) for k in range(1, 80))
    assert "algebra" in RULES
    verdict = _run_rule(Step(sympy.Integer(0), "algebra"), big, Context(None))
    assert "MAX_SYMBOLIC_NODES" in verdict and str(limits.MAX_SYMBOLIC_NODES) in verdict
    # a small false step is still refuted as such
    assert _run_rule(Step(sympy.Integer(0), "algebra"), 1 / (w + 1), Context(None)) == \
        "the two sides are not algebraically equal"
