"""The incremental document against a whole-file analysis: after any edit, the blocks it
re-analysed and the ones it kept must give exactly what analysing the new text from scratch gives."""

from __future__ import annotations

from dataclasses import astuple

from hypothesis import example, given, settings
from hypothesis import strategies as st

from lsp_helpers import ROOT
from paramlens.editor.document import Document
from paramlens.engine.analysis import analyze_source

FILES = [ROOT / "examples" / name for name in
         ("torch_resnet_block.py", "keras_separable.py", "every_conv_family.py", "seed.py")]
REPLACEMENTS = ["3", "64", "x", "", "nn.Conv2d(8, 8, 1)", "width", "\n", "(", ")", "True", "False",
                '"""', "@wrap\n", "\\\n", "    ", "\nclass K:\n", "#"]


def summary(layers, models) -> list:
    return sorted([("layer", astuple(r.span), r.params, r.params_default, r.formula,
                    r.in_channels_from) for r in layers] +
                  [("model", astuple(m.span), m.params, m.unknown_layers, m.params_default)
                   for m in models])


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(FILES), st.lists(st.tuples(st.floats(0, 1), st.integers(0, 3),
                                                  st.sampled_from(REPLACEMENTS)),
                                        min_size=1, max_size=6))
# found by this test: the edit dedents `return model` to the module, which the compiler refuses
@example(ROOT / "examples" / "seed.py", [(0.36328125, 2, "\n")])
def test_incremental_results_equal_a_fresh_analysis(path, edits) -> None:
    text = path.read_text()
    doc = Document("untitled:x.py", text, 1)
    doc.analyse()
    for version, (where, length, replacement) in enumerate(edits, start=2):
        at = int(where * len(text))
        text = text[:at] + replacement + text[at + length:]
        doc.update(text, version)
        fresh = analyze_source(text)
        if not fresh.error and doc.blocks:
            # A hover asks for one block: analysed alone, it must already be right.
            block = doc.blocks[int(where * (len(doc.blocks) - 1))]
            doc.analyse([block])
            assert not block.stale
            lines = range(block.start, block.end + 1)
            alone = doc.results_of(block)
            assert summary(alone.layers, []) == summary(
                [r for r in fresh.layers if r.span.line in lines], [])
        doc.analyse()
        if fresh.error:  # the whole file does not parse; the server's answer is tested elsewhere
            continue
        mine = doc.all_results()
        assert summary(mine.layers, mine.models) == summary(fresh.layers, fresh.models)
        assert sorted((astuple(d.span), d.code) for d in mine.diagnostics) == \
            sorted((astuple(d.span), d.code) for d in fresh.diagnostics)


def test_a_string_the_line_heuristics_cut_is_read_whole_once_the_file_parses() -> None:
    """A triple-quoted string being typed holds lines at column 0 that look like statements:
    the block heuristics cut it there while it is open. Once its closing quotes are typed and
    the whole file parses, the document splits where Python does (the check for a cut string
    must see that block)."""
    text = ('import torch.nn as nn\n\nNOTE = """\nclass Fake:\nx = nn.Linear(1, 1)\n'
            "model = nn.Linear(3, 4)\nother = nn.Linear(2, 2)\n")
    doc = Document("untitled:x.py", text, 1)
    doc.analyse()
    closed = text.replace("x = nn.Linear(1, 1)\n", 'x = nn.Linear(1, 1)\n"""\n')
    doc.update(closed, 2)
    doc.analyse()
    fresh = analyze_source(closed)
    assert [(r.span.line, r.params) for r in doc.all_results().layers] == \
        [(r.span.line, r.params) for r in fresh.layers] == [(7, 16), (8, 6)]
