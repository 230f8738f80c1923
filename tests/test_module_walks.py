"""Which loops over a model's modules may change one (and so run module by module), and which
only read them (and run once, speculatively): module_walks.only_reads. A wrong "reads only" would
leave a count that the loop changes; the reproducers in tests/adversarial check those counts
against torch, and this test pins each kind of use."""

from __future__ import annotations

import ast

import pytest

from paramlens.engine.evaluate.module_walks import module_loop_target, only_reads

READS = [
    "nn.init.kaiming_normal_(m.weight, mode='fan_out')",
    "if isinstance(m, nn.Conv2d) and m.bias is not None:\n    nn.init.zeros_(m.bias)",
    "m.weight.data.normal_(0, 0.01)",
    "w = getattr(m, 'weight', None)",
]
WRITES = [
    "m.bias = None",
    "del m.bias",
    "setattr(m, 'bias', None)",
    "m.weight = nn.Parameter(torch.zeros(1))",
    "m.weight.data = torch.zeros(3)",
    "helper(m)",
    "m.reset_parameters()",
    "m.weight.requires_grad_(False)",
    "m.layers[0] = nn.Identity()",
    "keep.append(m)",
]


def _loop(body: str) -> ast.For:
    source = "for m in model.modules():\n" + "".join(f"    {line}\n" for line in body.splitlines())
    loop = ast.parse(source).body[0]
    assert isinstance(loop, ast.For)
    return loop


@pytest.mark.parametrize("body", READS)
def test_a_loop_that_reads_its_modules(body: str) -> None:
    loop = _loop(body)
    assert module_loop_target(loop) == "m"
    assert only_reads(loop, loop.body, "m")


@pytest.mark.parametrize("body", WRITES)
def test_a_loop_that_may_change_its_modules(body: str) -> None:
    loop = _loop(body)
    assert not only_reads(loop, loop.body, "m")


def test_only_a_loop_over_modules_of_a_plain_owner_is_recognised() -> None:
    pairs = ast.parse("for name, m in self.named_modules():\n    pass").body[0]
    called = ast.parse("for m in make().modules():\n    pass").body[0]
    other = ast.parse("for m in self.parameters():\n    pass").body[0]
    assert module_loop_target(pairs) == "m"  # type: ignore[arg-type]
    assert module_loop_target(called) is None  # type: ignore[arg-type]
    assert module_loop_target(other) is None  # type: ignore[arg-type]
