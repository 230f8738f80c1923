"""Documents the server tests and bench/server_scale.py open."""

from __future__ import annotations


def bomb() -> str:
    """A document whose evaluation takes many seconds: 300 functions, each calling the one
    before it twice (the evaluator stops each entry point at its budget, but only after
    seconds), after 5,000 layer lines that the blocks' analysis reads one by one."""
    lines = ["import torch.nn as nn"]
    lines += [f"conv_{i} = nn.Conv2d(3, 16, 3)" for i in range(5_000)]
    lines += ["def f0(c):", "    return nn.Conv2d(c, c, 3)"]
    for i in range(1, 300):
        lines += [f"def f{i}(c):", f"    return [f{i - 1}(c), f{i - 1}(c + 1)]"]
    lines.append("m = f299(3)")
    return "\n".join(lines) + "\n"
