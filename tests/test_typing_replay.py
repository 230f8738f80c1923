"""Typing a block into a class one character at a time, as an editor sends it (one didChange per
keystroke). After every keystroke the untouched layers elsewhere must still show their counts,
and never a wrong one."""

from __future__ import annotations

import torch
from pytest_lsp import LanguageClient

from lsp_helpers import ROOT, hover_text, open_file, replace

TYPED = ("        self.conv3 = nn.Conv2d(64, 128, 3, padding=1)\n"
         "        self.norm3 = nn.BatchNorm2d(128)\n"
         "        self.pool = nn.AdaptiveAvgPool2d(1)\n"
         "        self.fc = nn.Linear(128, 10)\n")


def params(layer: torch.nn.Module) -> str:
    return f"**{sum(p.numel() for p in layer.parameters()):,} parameters**"


async def test_typing_a_block_into_a_class(client: LanguageClient) -> None:
    path = ROOT / "tests" / "fixtures" / "two_models.py"
    uri, text = open_file(client, path)
    lines = text.splitlines()
    conv1 = next(i for i, t in enumerate(lines) if "self.conv1 =" in t)
    conv2 = next(i for i, t in enumerate(lines) if "self.conv2 =" in t)
    up = next(i for i, t in enumerate(lines) if "ConvTranspose2d" in t)
    untouched = [  # (line before the insertion point moves, column, what torch counts)
        (conv1, False, lines[conv1].index("Conv2d") + 1, params(torch.nn.Conv2d(3, 32, 3))),
        (up, True, lines[up].index("ConvTranspose2d") + 3,
         params(torch.nn.ConvTranspose2d(64, 32, 2, stride=2))),
    ]
    line, column, version = conv2 + 1, 0, 1
    right = wrong = missing = 0
    for char in TYPED:
        version += 1
        replace(client, uri, version, line, column, line, column, char)
        line, column = (line + 1, 0) if char == "\n" else (line, column + 1)
        moved = line - (conv2 + 1)
        for row, after, character, truth in untouched:
            shown = await hover_text(client, uri, row + (moved if after else 0), character)
            if shown is None:
                missing += 1
            elif shown.startswith(truth):
                right += 1
            else:
                wrong += 1
    states = len(TYPED) * len(untouched)
    print(f"keystroke states: {states}, right {right}, missing {missing}, wrong {wrong}")
    assert wrong == 0
    assert right >= 0.99 * states, (right, missing, states)
    typed = TYPED.splitlines()
    expected = [params(torch.nn.Conv2d(64, 128, 3, padding=1)), params(torch.nn.BatchNorm2d(128)),
                None, params(torch.nn.Linear(128, 10))]
    for offset, (source, truth) in enumerate(zip(typed, expected, strict=True)):
        shown = await hover_text(client, uri, conv2 + 1 + offset, source.index(" = nn.") + 7)
        if truth is None:  # AdaptiveAvgPool2d owns no parameters
            assert shown is None or shown.startswith("**0 parameters**")
        else:
            assert shown is not None and shown.startswith(truth), (source, shown)
