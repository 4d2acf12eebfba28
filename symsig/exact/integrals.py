"""``definite_integral``: int_a^b g(x) dx in closed form, or None."""


def definite_integral(g, x, a, b):
    return None
