"""Print the coverage table of the exact engine (docs/exact.md) for the whole catalogue.

Run: python bench/coverage_exact.py
"""

from symsig.exact.coverage import coverage_table

if __name__ == "__main__":
    print(coverage_table())
