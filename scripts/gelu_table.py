#!/usr/bin/env python3
"""Prints the coefficient table of avx512::gelu_by_table (core/blip/avx512_math.h).

The standard normal CDF Phi(x) on [-6, 6] in 32 intervals of 0.375, each by the polynomial of
degree 5 that interpolates Phi at the Chebyshev nodes of the interval, in w = the position in the
interval (0 to 1). Row j of the table holds coefficient j (of w^j) of the 32 intervals, rounded to
float32. Standard library only: python3 scripts/gelu_table.py
"""
import math
import struct

INTERVALS, DEGREE, LOW, WIDTH = 32, 5, -6.0, 12.0 / 32


def phi(x):
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def solve(a, b):
    """Gaussian elimination with partial pivoting (the systems are 6 x 6)."""
    n = len(b)
    m = [row[:] + [v] for row, v in zip(a, b)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c:
                f = m[r][c] / m[c][c]
                for k in range(c, n + 1):
                    m[r][k] -= f * m[c][k]
    return [m[r][n] / m[r][r] for r in range(n)]


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def main():
    n = DEGREE + 1
    table = []
    for i in range(INTERVALS):
        nodes = [0.5 + 0.5 * math.cos((2 * k + 1) * math.pi / (2 * n)) for k in range(n)]
        table.append(solve([[w**j for j in range(n)] for w in nodes], [phi(LOW + WIDTH * (i + w)) for w in nodes]))
    worst = 0.0
    for i in range(INTERVALS):
        for s in range(401):
            w = s / 400
            p = 0.0
            for j in reversed(range(n)):
                p = p * w + f32(table[i][j])
            worst = max(worst, abs(p - phi(LOW + WIDTH * (i + w))))
    print(f"// |error| of Phi at most {worst:.2e} (float32 coefficients, evaluated in double)")
    for j in range(n):
        print("{" + ", ".join(f"{f32(table[i][j]):.9e}f" for i in range(INTERVALS)) + "},")


if __name__ == "__main__":
    main()
