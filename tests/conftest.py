import mpmath
import pytest


@pytest.fixture(autouse=True)
def global_mpmath_precision_is_untouched():
    """Every call must leave mpmath's global precision as it found it."""
    before = (mpmath.mp.prec, mpmath.mp.dps)
    yield
    after = (mpmath.mp.prec, mpmath.mp.dps)
    mpmath.mp.prec = before[0]
    assert after == before, f"mpmath.mp changed from {before} to {after}"
