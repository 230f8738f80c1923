"""Quick fixes and refactors over LSP, against the real server over stdio. Each edit the server
offers is applied to the text as an editor applies it (UTF-16 positions), and the result is run
with torch: the fixed model builds and runs where the original raised, and a refactored one has
the parameters torch gives the original."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_helpers import (
    CAPABILITIES,
    SERVER,
    diagnostics_for,
    hover_text,
    logging_client_fixture,
    open_text,
    start,
    until_asleep,
)

torch = pytest.importorskip("torch")

MISMATCH = """\
import torch.nn as nn

model = nn.Sequential(
    nn.Conv2d(3, 16, 3),  # the stem
    nn.ReLU(),
    nn.Conv2d(32, 8, 3),  # reads the stem's channels
)
"""

EMOJI = ('import torch.nn as nn\n'
         'tag = "😀"; model = nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU(), nn.Conv2d(32, 8, 3))\n')

LAZY = """\
import torch.nn as nn

model = nn.Sequential(
    nn.Conv2d(3, 16, 3),
    nn.ReLU(),
    nn.LazyConv2d(
        8,  # output channels
        3,
    ),
    nn.LazyBatchNorm2d(),
)
"""

VERSIONED = types.ClientCapabilities(
    general=CAPABILITIES.general, text_document=CAPABILITIES.text_document,
    workspace=types.WorkspaceClientCapabilities(
        workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)))


logging_client, SLEEP_LOG = logging_client_fixture("code-actions")  # its log says when a document sleeps


@pytest_lsp.fixture(config=SERVER)
async def versioned_client(lsp_client: LanguageClient):
    await start(lsp_client, capabilities=VERSIONED)
    yield
    await lsp_client.shutdown_session()


# an editor's side: UTF-16 positions, edits applied to the text ---------------------------------
def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def offset(text: str, position: types.Position) -> int:
    """A UTF-16 LSP position as an index into the text (lines end at \\n)."""
    lines = text.split("\n")
    start = sum(len(line) + 1 for line in lines[:position.line])
    units = 0
    for i, character in enumerate(lines[position.line]):
        if units >= position.character:
            return start + i
        units += 2 if ord(character) > 0xFFFF else 1
    return start + len(lines[position.line])


def applied(text: str, edits: list[types.TextEdit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character),
                       reverse=True):
        text = text[:offset(text, edit.range.start)] + edit.new_text + \
            text[offset(text, edit.range.end):]
    return text


def edits_of(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    assert action.edit is not None
    if action.edit.document_changes is not None:
        found = []
        for change in action.edit.document_changes:
            assert isinstance(change, types.TextDocumentEdit)
            assert change.text_document.uri == uri
            found += [e for e in change.edits if isinstance(e, types.TextEdit)]
        return found
    assert action.edit.changes is not None
    return list(action.edit.changes[uri])


async def actions_at(client: LanguageClient, uri: str, at: types.Range,
                     diagnostics: list[types.Diagnostic], only: list[str] | None = None
                     ) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=at,
        context=types.CodeActionContext(diagnostics=diagnostics, only=only)))
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


def run_model(text: str, shape: tuple[int, ...]) -> object:
    """The module executed for real; its `model` called on a random input."""
    namespace: dict[str, object] = {}
    exec(compile(text, "model.py", "exec"), namespace)
    model = namespace["model"]
    assert isinstance(model, torch.nn.Module)
    return model(torch.randn(*shape))


async def quick_fix(client: LanguageClient, uri: str, text: str) -> tuple[types.CodeAction,
                                                                          types.Diagnostic]:
    open_text(client, uri, text)
    found = [d for d in await diagnostics_for(client, uri, 1) if d.code == "channel-mismatch"]
    assert len(found) == 1
    cursor = types.Range(start=found[0].range.start, end=found[0].range.start)
    actions = await actions_at(client, uri, cursor, found)
    fixes = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert len(fixes) == 1
    return fixes[0], found[0]


# the tests --------------------------------------------------------------------------------------
async def test_channel_mismatch_fix_makes_the_model_run(client: LanguageClient) -> None:
    with pytest.raises(RuntimeError):  # as written, torch refuses the forward pass
        run_model(MISMATCH, (1, 3, 12, 12))
    uri = "file:///tmp/mismatch.py"
    action, diagnostic = await quick_fix(client, uri, MISMATCH)
    assert action.is_preferred
    assert list(action.diagnostics or ()) == [diagnostic]  # linked to the squiggle the client shows
    assert "in_channels=16" in action.title
    fixed = applied(MISMATCH, edits_of(action, uri))
    assert run_model(fixed, (1, 3, 12, 12)).shape == (1, 8, 8, 8)
    # only the argument changed: both comments and every other line are as they were
    before, after = MISMATCH.splitlines(), fixed.splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == [5] and after[5].endswith("# reads the stem's channels")


async def test_positions_after_an_emoji_are_utf16(client: LanguageClient) -> None:
    uri = "file:///tmp/emoji.py"
    action, _ = await quick_fix(client, uri, EMOJI)
    (edit,) = edits_of(action, uri)
    line = EMOJI.split("\n")[1]
    second = line.index("nn.Conv2d(32") + len("nn.Conv2d(")
    # the emoji is one code point and two UTF-16 units: the edit starts where an editor counts
    assert (edit.range.start.line, edit.range.start.character) == (1, utf16(line[:second]))
    assert edit.range.start.character == second + 1
    fixed = applied(EMOJI, [edit])
    assert run_model(fixed, (1, 3, 12, 12)).shape == (1, 8, 8, 8)


async def test_documents_edits_carry_the_version(versioned_client: LanguageClient) -> None:
    client = versioned_client
    uri = "file:///tmp/versioned.py"
    action, _ = await quick_fix(client, uri, MISMATCH)
    assert action.edit is not None and action.edit.document_changes is not None
    (change,) = action.edit.document_changes
    assert isinstance(change, types.TextDocumentEdit) and change.text_document.version == 1
    assert run_model(applied(MISMATCH, edits_of(action, uri)), (1, 3, 12, 12)).shape == \
        (1, 8, 8, 8)


async def test_lazy_layer_made_explicit_keeps_its_parameters(client: LanguageClient) -> None:
    uri = "file:///tmp/lazy.py"
    open_text(client, uri, LAZY)
    await diagnostics_for(client, uri, 1)
    lines = LAZY.split("\n")
    row = next(i for i, line in enumerate(lines) if "nn.LazyConv2d(" in line)
    cursor = types.Position(line=row, character=lines[row].index("Lazy") + 2)
    actions = await actions_at(client, uri, types.Range(start=cursor, end=cursor), [],
                               only=[types.CodeActionKind.Refactor])
    assert [a.title for a in actions] == ["Make in_channels explicit"]
    assert actions[0].kind == types.CodeActionKind.RefactorRewrite
    fixed = applied(LAZY, edits_of(actions[0], uri))
    assert "# output channels" in fixed and "LazyConv2d" not in fixed

    # torch: the lazy layer's parameters once a forward pass has sized it, against the eager
    # layer's as built (no forward pass)
    namespace: dict[str, object] = {}
    exec(compile(LAZY, "lazy.py", "exec"), namespace)
    lazy = namespace["model"]
    assert isinstance(lazy, torch.nn.Sequential)
    lazy(torch.randn(1, 3, 12, 12))
    namespace = {}
    exec(compile(fixed, "fixed.py", "exec"), namespace)
    eager = namespace["model"]
    assert isinstance(eager, torch.nn.Sequential)
    assert type(eager[2]) is torch.nn.Conv2d
    assert sum(p.numel() for p in eager[2].parameters()) == \
        sum(p.numel() for p in lazy[2].parameters())
    assert eager[2].weight.shape == lazy[2].weight.shape

    # the quick-fix filter leaves the refactor out, and nothing is offered off the layers
    assert await actions_at(client, uri, types.Range(start=cursor, end=cursor), [],
                            only=[types.CodeActionKind.QuickFix]) == []
    first = types.Position(line=0, character=1)
    assert await actions_at(client, uri, types.Range(start=first, end=first), []) == []


async def test_lazy_batch_norm_gets_num_features(client: LanguageClient) -> None:
    uri = "file:///tmp/lazy_bn.py"
    open_text(client, uri, LAZY)
    await diagnostics_for(client, uri, 1)
    lines = LAZY.split("\n")
    row = next(i for i, line in enumerate(lines) if "LazyBatchNorm2d" in line)
    cursor = types.Position(line=row, character=lines[row].index("Lazy"))
    (action,) = await actions_at(client, uri, types.Range(start=cursor, end=cursor), [])
    assert action.title == "Make num_features explicit"
    fixed = applied(LAZY, edits_of(action, uri))
    namespace: dict[str, object] = {}
    exec(compile(fixed, "fixed.py", "exec"), namespace)
    model = namespace["model"]
    assert isinstance(model, torch.nn.Sequential) and type(model[3]) is torch.nn.BatchNorm2d
    assert model(torch.randn(2, 3, 12, 12)).shape == (2, 8, 8, 8)


MODEL_CHECKS = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)  # followed by a norm
        self.bn = nn.BatchNorm2d(8)
        self.heads = [  # one per task
            nn.Linear(8, 4),
            nn.Linear(8, 2),
        ]

    def forward(self, x):
        x = self.bn(self.conv(x)).mean((2, 3))
        return [head(x) for head in self.heads]


model = Net()
"""


def build(text: str) -> torch.nn.Module:
    namespace: dict[str, object] = {}
    exec(compile(text, "model.py", "exec"), namespace)
    model = namespace["model"]
    assert isinstance(model, torch.nn.Module)
    return model


async def model_check_fix(client: LanguageClient, uri: str, code: str) -> str:
    """The text after the quick fix of the one diagnostic with this code."""
    open_text(client, uri, MODEL_CHECKS)
    found = [d for d in await diagnostics_for(client, uri, 1) if d.code == code]
    assert len(found) == 1
    actions = await actions_at(client, uri, found[0].range, found,
                               only=[types.CodeActionKind.QuickFix])
    assert len(actions) == 1 and actions[0].is_preferred
    return applied(MODEL_CHECKS, edits_of(actions[0], uri))


async def test_redundant_bias_fix_keeps_the_output(client: LanguageClient) -> None:
    fixed = await model_check_fix(client, "file:///tmp/redundant_bias.py", "redundant-bias")
    assert "nn.Conv2d(3, 8, 3, padding=1, bias=False)  # followed by a norm" in fixed
    before, after = build(MODEL_CHECKS), build(fixed)
    assert before.conv.bias is not None and after.conv.bias is None
    # the same weights, less the bias; in train mode the norm uses the batch's own statistics
    missing, unexpected = after.load_state_dict(before.state_dict(), strict=False)
    assert (missing, unexpected) == ([], ["conv.bias"])
    for mine, theirs in zip(after.heads, before.heads, strict=True):  # a plain list: by hand
        mine.load_state_dict(theirs.state_dict())
    before.train()
    after.train()
    x = torch.randn(4, 3, 6, 6)
    for a, b in zip(before(x), after(x), strict=True):
        assert torch.allclose(a, b, atol=1e-5)
    assert sum(p.numel() for p in before.parameters()) - \
        sum(p.numel() for p in after.parameters()) == 8


async def test_unregistered_layers_fix_registers_them(client: LanguageClient) -> None:
    fixed = await model_check_fix(client, "file:///tmp/unregistered.py", "unregistered-layers")
    assert "self.heads = nn.ModuleList([  # one per task" in fixed
    before, after = build(MODEL_CHECKS), build(fixed)
    heads = sum(p.numel() for head in before.heads for p in head.parameters())
    assert heads > 0
    # torch left the plain list's layers out of parameters(); the ModuleList's are in
    assert sum(p.numel() for p in after.parameters()) == \
        sum(p.numel() for p in before.parameters()) + heads
    assert [tuple(y.shape) for y in after(torch.randn(2, 3, 6, 6))] == [(2, 4), (2, 2)]


async def test_a_sleeping_document_offers_the_same_fixes(logging_client: LanguageClient
                                                         ) -> None:
    """Beyond the documents used last, open documents sleep as a snapshot of their results; the
    quick fix and the refactor are offered as while they were live."""
    client = logging_client
    uri = "file:///tmp/sleeper.py"
    text = MISMATCH + "lazy = nn.Sequential(nn.Linear(3, 5), nn.LazyLinear(2))\n"
    open_text(client, uri, text)
    found = [d for d in await diagnostics_for(client, uri, 1) if d.code == "channel-mismatch"]
    row = len(text.split("\n")) - 2
    lazy_at = types.Position(line=row, character=text.split("\n")[row].index("LazyLinear"))

    async def offered() -> list[tuple[str, str]]:
        fixes = await actions_at(client, uri, found[0].range, found)
        lazy = await actions_at(client, uri, types.Range(start=lazy_at, end=lazy_at), [])
        return [(a.title, applied(text, edits_of(a, uri))) for a in fixes + lazy]

    live = await offered()
    hover = await hover_text(client, uri, lazy_at.line, lazy_at.character)
    assert hover is not None and "in_channels = 5 from Linear" in hover
    assert [title for title, _ in live] == [
        "Set in_channels=16 (what the previous layer gives)", "Make in_features explicit"]
    assert live[1][1].endswith("nn.Sequential(nn.Linear(3, 5), nn.Linear(5, 2))\n")
    for k in range(8):  # more than the documents kept live
        other = f"file:///tmp/other{k}.py"
        open_text(client, other, f"import torch.nn as nn\nc = nn.Conv2d({k + 1}, 4, 3)\n")
        await diagnostics_for(client, other, 1)
    await until_asleep(SLEEP_LOG, uri, 10)
    assert await offered() == live
    # and so does the hover (the snapshot holds every layer as analysed, even when another
    # document's evaluation woke this one and only some of its blocks were analysed again)
    assert await hover_text(client, uri, lazy_at.line, lazy_at.character) == hover


# a server on a Python without libcst (the VS Code extension's bundle holds pure-Python packages
# only): `import libcst` fails as it does there
client_without_libcst, NO_LIBCST_LOG = logging_client_fixture(
    "no-libcst", prelude="sys.modules['libcst'] = None", level="INFO")


async def test_without_libcst_no_fix_is_offered_and_the_log_says_why(
        client_without_libcst: LanguageClient) -> None:
    client, uri = client_without_libcst, "file:///no_libcst.py"
    open_text(client, uri, MISMATCH)
    found = [d for d in await diagnostics_for(client, uri, 1) if d.code == "channel-mismatch"]
    assert len(found) == 1  # the finding is still there; only its fix is not
    cursor = types.Range(start=found[0].range.start, end=found[0].range.start)
    for _ in range(2):
        assert await actions_at(client, uri, cursor, found) == []
    hover = await hover_text(client, uri, 5, 8)
    assert hover is not None and "parameters" in hover  # the server goes on answering
    said = NO_LIBCST_LOG.read_text()
    assert said.count("no quick fixes: they need libcst") == 1, said
