"""Gaussian expectations ``E[f(mu + sigma Z)]``: exact first, quadrature as the fallback.

For each integrand the exact tier is tried first (symmetry at mu = 0, then the
rule-based closed-form engine of :mod:`symsig.exact`, piece by piece between
the kinks), then, for Mittag-Leffler activations, the term-by-term series of
:mod:`symsig.mittag_leffler.moments`; whatever stays open is computed by ONE kink-split quadrature
sharing its node evaluations (:mod:`symsig.quadrature`).  Every result is a
:class:`~symsig.quantity.Quantity` whose ``method`` says which tier answered.

>>> from symsig.activations import x
>>> import sympy
>>> q = expectation(sympy.Max(x, 0)**2, sigma="1.7", mu="-0.3", dps=30)
>>> str(q)
'1.08097010797921869557737480112'
>>> str(expectation(sympy.tanh(x)**2, dps=20)), expectation(sympy.tanh(x)**2, dps=20).method
('0.39429449039784117442', 'quadrature (trapezoidal, whole line)')
"""

import sympy

from .activations import get_activation, x
from .bounded import simplify
from .calculus import PiecewiseSmooth
from .components import SIGMA
from . import limits
from .errors import ConvergenceError, DomainError, InputError, LimitError
from .precision import COMPLEX, engine_call, exact_number, lambdify_mpmath, mp, workdps
from .quadrature import _mpf, gaussian_quadrature, point_precision
from .quantity import Quantity, without_erf_cancellation
from .singularities import expectation_verdict, split_at_singular_points
from .gaussian_exact import MU, as_pieces, check_gaussian, exact_form

@engine_call
def expectations(integrands, sigma=1, mu=0, dps=30, exact=True):
    """``[E[f(mu + sigma Z)] for f in integrands]`` as :class:`Quantity` objects.

    Integrands are SymPy expressions in :data:`~symsig.activations.x` or
    :class:`~symsig.calculus.PiecewiseSmooth` objects (functions, not distributions).
    """
    sigma, mu, dps = check_gaussian(sigma, mu, dps)
    pieces = [as_pieces(f) for f in integrands]
    results = [None] * len(pieces)
    for i, p in enumerate(pieces):
        # decided before any tier: a symmetry or a quadrature would give a number that does not exist
        verdict = expectation_verdict(p, sigma, mu)
        if verdict is not None:
            results[i] = verdict.quantity(dps)
        else:
            pieces[i] = split_at_singular_points(p)
    if exact:
        for i, p in enumerate(pieces):
            if results[i] is not None:
                continue
            form = exact_form(p, mu)
            if form is not None:
                value = form[0].subs(SIGMA, sigma)
                results[i] = Quantity.from_exact(value, f"closed form ({form[1]})", dps)
    for i, p in enumerate(pieces):
        if results[i] is None and len(p.pieces) == 1:
            results[i] = _series(p.pieces[0].expr, sigma, mu, dps)
    todo = [i for i, r in enumerate(results) if r is None]
    if todo:
        for i, q in zip(todo, _quadrature([pieces[i] for i in todo], sigma, mu, dps)):
            results[i] = q
    return results


@engine_call
def expectation(f, sigma=1, mu=0, dps=30, exact=True, certified=False):
    """``E[f(mu + sigma Z)]``, ``Z ~ N(0, 1)``, as a :class:`Quantity` (see module doc).

    ``certified=True`` (the ``certified`` extra) returns a :class:`symsig.certified.Ball`
    whose radius is a proven error bound (the closed form in Arb, else certified quadrature
    with a proven tail bound; ``exact`` is not consulted), or raises
    :class:`~symsig.certified.NotCertified` with the reason, also for an infinite or
    undefined expectation.

    >>> str(expectation("relu", sigma=2, dps=15, certified=True))  # sigma / sqrt(2 pi)
    '[0.79788456080286535588 +/- 1.2e-22]'
    """
    if certified:
        from .certified.ball import NotCertified  # lazy: certified is an optional extra
        from .certified.expectation import certified_expectation

        sigma, mu, dps = check_gaussian(sigma, mu, dps)
        verdict = expectation_verdict(as_pieces(f), sigma, mu)
        if verdict is not None:
            raise NotCertified(f"the expectation is {verdict.status}, not a finite number: {verdict.reason}")
        return certified_expectation(f, sigma, mu, dps)
    return expectations([f], sigma, mu, dps, exact)[0]


def _quadrature(pieces, sigma, mu, dps):
    """One shared quadrature; a component that misses its goal is undefined with the reason."""
    breakpoints = sorted({b for p in pieces for b in p.breakpoints}, key=float)
    plan = _powers(pieces)
    funcs = {i: lambdify_mpmath(x, without_erf_cancellation(pieces[i].as_expr())) for i, _ in plan}
    with workdps(dps):
        points = [mp.mpf(sympy.N(b, mp.dps)) for b in breakpoints]

        def vector(t):
            values = {i: _evaluate(f, t) for i, f in funcs.items()}
            return [values[i] ** k for i, k in plan]

        result = gaussian_quadrature(vector, len(plan), sigma, mu, dps, points, strict=False)
        method = f"quadrature ({result.rule})"
        return [Quantity.numeric(v, e, method, dps) if failure is None else
                Quantity.undefined(failure, "quadrature did not converge", dps, cause=ConvergenceError)
                for v, e, failure in zip(result.values, result.errors, result.failures)]


def _powers(pieces):
    """``[(i, k)]``: integrand j is integrand i to the power k (E[phi^2] beside E[phi]), so a node
    evaluates phi once for both; ``(j, 1)`` for an integrand that is no power of an earlier one."""
    plan = []
    for j, p in enumerate(pieces):
        found = [(i, k) for i in range(j) if plan[i] == (i, 1) for k in (2, 3, 4) if _is_power(p, pieces[i], k)]
        plan.append(found[0] if found else (j, 1))
    return plan


def _is_power(p, base, k):
    return (p.breakpoints == base.breakpoints
            and all(a.expr == b.expr ** k for a, b in zip(p.pieces, base.pieces)))


@engine_call
def variance(f, sigma=1, mu=0, dps=30):
    """``Var f(mu + sigma Z)`` without the cancellation of ``E[f^2] - E[f]^2``.

    With ``d = f(X) - c``, ``c = f(mu)``, ``Var = E[d^2] - E[d]^2``: ``d`` is formed at
    the raised precision of the evaluation point, so it keeps its digits when
    ``|f| >> spread`` (gelu at mu = 1e50: f ~ 1e50, spread ~ 1), and both moments
    are of the size of the spread.

    >>> q = variance(sympy.Max(x, 0), mu=10**20, dps=20)
    >>> str(q), q.method
    ('1.0000000000000000000', 'quadrature of the centred E[(f - f(mu))^2] - E[f - f(mu)]^2')
    """
    sigma, mu, dps = check_gaussian(sigma, mu, dps)
    pieces = as_pieces(f)
    func = lambdify_mpmath(x, without_erf_cancellation(pieces.as_expr()))
    with workdps(dps):
        points = [mp.mpf(sympy.N(b, mp.dps)) for b in pieces.breakpoints]
        with mp.workprec(mp.prec + 20 + point_precision(_mpf(sigma), _mpf(mu))):
            centre = _evaluate(func, _mpf(mu))

        def centred(t):
            d = _evaluate(func, t) - centre
            return [d, d * d]

        result = gaussian_quadrature(centred, 2, sigma, mu, dps, points)
        (first, second), (e1, e2) = result.values, result.errors
        value = second - first * first
        error = e2 + 2 * abs(first) * e1 + e1 * e1 + abs(second) * mp.eps
    return Quantity.numeric(value, error, "quadrature of the centred E[(f - f(mu))^2] - E[f - f(mu)]^2", dps)


def _series(expr, sigma, mu, dps):
    """Term-by-term Gaussian moments for Mittag-Leffler activations (None when not applicable)."""
    from .mittag_leffler import MittagLeffler, Prabhakar, series_expectation  # lazy: rarely needed

    if not expr.has(MittagLeffler, Prabhakar):
        return None
    result = series_expectation(expr, x, sigma, mu, dps)
    if result is None:
        return None
    return Quantity.numeric(result.value, result.error, result.method, dps)


def _evaluate(func, t):
    try:
        value = func(t)
    except (OverflowError, ValueError, ZeroDivisionError) as exc:  # mpmath's limits, e.g. erfc(1e300)
        raise ConvergenceError(f"the integrand cannot be evaluated at x = {mp.nstr(t, 8)} "
                               f"({exc.__class__.__name__}: {exc})") from None
    return _finite(value)


def _finite(value):
    value = mp.mpmathify(value)
    if isinstance(value, COMPLEX):
        if value.imag:
            raise DomainError("the integrand takes complex values (is the activation real on R?)")
        value = value.real
    if not mp.isfinite(value):
        raise DomainError("the integrand is not finite everywhere on R (a pole or log of 0?)")
    return value


def _order(value, name):
    """A nonnegative integer (a power or a derivative order) from a user number."""
    number = exact_number(value, name)
    if not (number.is_integer and number >= 0):
        raise DomainError(f"{name} must be a nonnegative integer, got {value!r}")
    if number > limits.MAX_EXPONENT:
        raise LimitError(f"{name} = {number} exceeds MAX_EXPONENT = {limits.MAX_EXPONENT} (symsig.limits)")
    return int(number)


@engine_call
def gaussian_moment(phi, power=1, sigma=SIGMA, mu=0, derivative=0, dps=30, certified=False):
    """``E[phi^(derivative)(X)^power]``: a SymPy closed form when ``sigma`` is a symbol.

    ``phi`` is anything :func:`~symsig.activations.get_activation` accepts; the
    derivative is the classical one (use :func:`symsig.signature` for the
    distributional derivative of a jumping phi).

    With numeric sigma this is :func:`expectation`; with a symbolic sigma (and
    mu) the exact engine's form is returned, or :class:`InputError` says that no
    closed form is known.  ``certified=True`` (numeric sigma and mu only, else
    :class:`InputError`) returns the proven :class:`symsig.certified.Ball` of
    :func:`expectation` with ``certified=True``.

    >>> from symsig.activations import x
    >>> gaussian_moment(sympy.Max(x, 0), power=2)
    sigma**2/2
    >>> str(gaussian_moment(sympy.Max(x, 0), power=2, sigma=3, dps=15, certified=True))
    '[4.5 +/- 0]'
    """
    power, derivative = _order(power, "power"), _order(derivative, "derivative")
    pieces = as_pieces(phi if isinstance(phi, PiecewiseSmooth) else get_activation(phi).expr)
    for _ in range(derivative):
        pieces = pieces.diff()
    pieces = pieces.map(lambda e: e ** power)
    if isinstance(sigma, sympy.Symbol) or isinstance(mu, sympy.Symbol):
        if certified:
            raise InputError("a certified ball needs numeric sigma and mu, not symbols")
        form = exact_form(pieces, mu)
        if form is None:
            raise InputError("no closed form is known for this moment; give a numeric sigma "
                             "for the quadrature value")
        return simplify(form[0].subs({SIGMA: sigma, MU: mu}))
    return expectation(pieces, sigma, mu, dps, certified=certified)
