"""A module that computes a large table when imported, between two bindings of WIDTH."""

WIDTH = 3
TABLE = {}
for i in range(700):
    for j in range(700):
        TABLE[i, j] = i * j
WIDTH = 64
DEPTH = len(TABLE) // 100_000
