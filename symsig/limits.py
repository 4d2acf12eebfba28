"""The resource limits of symsig's input contract, in one place (docs/limits.md).

Every limit is checked before any work starts and a violation raises
:class:`~symsig.errors.LimitError` naming the limit.  The values accept what
people write (a 300-term polynomial, 1000-digit constants, ``dps=5000``) and
refuse what would exhaust memory, recursion or time.  They are module
constants: a caller who needs more can raise one, e.g.
``symsig.limits.MAX_DPS = 20000``, at their own risk of long runs.
"""

#: Largest number of decimal digits (``dps``) a computation may ask for.
MAX_DPS = 10_000

#: Longest string accepted as an activation, an integrand or a number.
MAX_TEXT_LENGTH = 20_000

#: Most syntax-tree nodes in one expression (a 300-term polynomial has about 2,100).
MAX_NODES = 5_000

#: Deepest nesting of one expression: function calls, powers, parentheses.
#: A chain of ``+``/``-`` (or of ``*``/``/``) counts as one level, so long sums stay shallow.
MAX_DEPTH = 40

#: Most decimal digits in a number literal, and in the numerator or denominator
#: of any exact number built from literals (a power such as ``10**1000`` included).
MAX_DIGITS = 2_000

#: Largest ``|e|`` in a decimal exponent ``1e-5``-style literal.
MAX_DECIMAL_EXPONENT = 1_000

#: Largest ``|n|`` in a power ``u**n`` whose base depends on x (``relu_pow(k=n)`` included).
MAX_EXPONENT = 10_000


def approx_digits(n):
    """Decimal digits of the integer ``|n|``, within one, without converting it to text."""
    return int(abs(n).bit_length() * 0.30103) + 1

#: Most nodes of an expression handed to an open-ended SymPy algorithm (``simplify``,
#: ``solve``, ``limit``, ``integrate``); larger ones are not attempted, which gives the
#: same "no closed form" on every machine instead of a result that depends on time.
MAX_SYMBOLIC_NODES = 300

#: Largest integer multiple ``n`` in ``exp(n u)``, ``cos(n u)``, ... (u symbolic) handed to an
#: open-ended SymPy algorithm: SymPy's polynomial code sees ``exp(-7200 sigma**2)`` as a power
#: of degree 7200 of ``exp(sigma**2)`` and factors it for minutes (``simplify`` of the moments
#: of ``sin(60 x)``), although the expression has 9 nodes.
MAX_SYMBOLIC_MULTIPLE = 100

#: Deepest nesting of transcendental functions handed to SymPy's ``limit`` (Gruntz):
#: ``tanh(tanh(tanh(x)))`` is 3; deeper towers are decided by symsig's structural
#: limits or numerically.
MAX_LIMIT_NESTING = 3

#: Most terms of a Mittag-Leffler asymptotic series handed to Gruntz: where the algebraic
#: series cancels to every order (e^x - 1 written as x E_{1,2}(x), differentiated), Gruntz
#: would ask for ever more terms.
MAX_ASERIES_TERMS = 24
