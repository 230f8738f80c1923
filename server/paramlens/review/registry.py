"""Every check paramlens can report, described once. The CLI's formats, the SARIF rules, the
configuration's `checks` list and the server's diagnostics and quick fixes all read this table;
none of them keeps its own list of codes or words.

Each check states the one fact it rests on (`fact`): it fires only where the engine proves that
fact, never on a pattern in the text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    code: str
    level: str  # "error" | "warning" | "note" (as SARIF names them), or "hint" (editor only)
    short: str  # one line: what is wrong
    fact: str  # what the engine proves before it reports it
    help: str  # what to do about it
    fixable: bool = False  # a quick fix (and `check --fix`) can write the change
    # `check --fix` writes it without asking (as ruff's safe fixes): the code keeps its meaning
    # or could not run before. The others change what the model holds (its state_dict: an old
    # checkpoint no longer loads strictly), so they need --unsafe-fixes, as in ruff.
    safe_fix: bool = False
    # shown only by the editor: about the analysis itself, not about the code (never in a review
    # format, and not a name for [tool.paramlens] checks)
    editor: bool = False

    @property
    def severity(self) -> str:
        """The level as an LSP diagnostic's severity is named."""
        return "information" if self.level == "note" else self.level  # "hint" is LSP's own


_ALL = (
    Check("channel-mismatch", "error",
          "A layer's input channels differ from what the previous layer gives",
          "the previous layer of the same Sequential gives a fixed number of channels, and this "
          "layer states a different fixed number",
          "Make the layer's in_channels equal to the previous layer's out_channels.",
          fixable=True, safe_fix=True),
    Check("groups-divisibility", "error",
          "`groups` does not divide the input or output channels",
          "the channels and `groups` are fixed numbers and the division leaves a remainder",
          "Choose groups that divide both the input and the output channels (there is no "
          "single right value, so there is no quick fix)."),
    Check("refused-arguments", "error",
          "The framework refuses to build a layer from these arguments (it has no count)",
          "the framework's own argument checks, run on the values the code fixes, raise",
          "Pass arguments the framework accepts: the message gives its reason (a size below "
          "zero, a float where an int is needed, a repeated keyword, ...)."),
    Check("refused-call", "error",
          "Keras refuses to call a layer on these inputs (the code raises there)",
          "the shapes of the tensors the call is given are fixed, and the layer's own check "
          "of them raises (an attention's value and key of other lengths); the layer keeps "
          "the weights it made before, and a model made after the call is never made",
          "Give the call tensors the layer accepts: the message gives Keras' reason."),
    Check("merge-mismatch", "error",
          "The tensors a Keras merge layer (Concatenate, Add, ...) joins cannot agree",
          "the shapes of the joined tensors are fixed and differ on an axis that must agree",
          "Give the merged tensors the same shape (all axes but the joined one for "
          "Concatenate)."),
    Check("unregistered-layers", "error",
          "Layers kept in a plain list, tuple or dict attribute are not registered with the "
          "module",
          "an nn.Module's attribute holds a Python list, tuple or dict of layers that no "
          "registered submodule holds: torch's parameters(), .to() and state_dict() leave "
          "them out",
          "Hold them in nn.ModuleList or nn.ModuleDict.",
          fixable=True),
    Check("unused-layer", "warning",
          "A layer with parameters is built in __init__ but never used",
          "no code the engine read takes the attribute again (no method, no getattr, no loop "
          "over the module's children): its parameters get no gradient, and DDP stops with "
          "'parameters that were not used in producing loss'",
          "Use the layer in forward, or remove it."),
    Check("layer-in-forward", "warning",
          "A layer with parameters is built inside forward",
          "the constructor call lies in the forward method of an nn.Module: each call makes "
          "new, random, untrained weights that the module does not register",
          "Build the layer once in __init__, keep it as an attribute, and call that in "
          "forward."),
    Check("redundant-bias", "note",
          "A bias that the BatchNorm right after it cancels",
          "the layer's output goes only to a BatchNorm over the same channels, which subtracts "
          "each channel's mean, so the bias never changes the result",
          "Pass bias=False (use_bias=False in Keras): the same model with fewer parameters.",
          fixable=True),
    Check("max-params-per-layer", "warning",
          "A layer has more parameters than the configured budget",
          "the layer's count is known and over max-params-per-layer",
          "Shrink the layer, or raise max-params-per-layer in [tool.paramlens]."),
    Check("max-params-per-model", "warning",
          "A model has more parameters than the configured budget",
          "the model's total (or a certain lower bound of it) is over max-params-per-model",
          "Shrink the model, or raise max-params-per-model in [tool.paramlens]."),
    Check("layer-params", "note",
          "The parameter count of a layer, with its formula",
          "the framework's own formula on the arguments the code gives",
          "Informational: how many parameters the layer owns, counted as the framework counts "
          "them."),
)

# What the editor says about its own analysis of a document.
_EDITOR = (
    Check("count-unknown", "hint", "The file does not fix this layer's parameter count",
          "a size the count needs is not fixed by the code", "Hover for the formula.",
          editor=True),
    Check("not-parsed", "hint", "Lines paramlens skips until they parse",
          "Python's parser refuses these lines", "Finish the statement.", editor=True),
    Check("not-analysed", "note", "The document is not analysed",
          "it is too large, or not Python", "See the message.", editor=True),
    Check("internal-error", "note", "paramlens failed on this document",
          "an error inside paramlens", "Report it with the server's log.", editor=True),
    Check("config", "warning", "[tool.paramlens] cannot be read",
          "the pyproject.toml that applies is malformed", "Fix the table the message names.",
          editor=True),
)

CHECKS: dict[str, Check] = {check.code: check for check in _ALL}
EDITOR_CHECKS: dict[str, Check] = {check.code: check for check in _EDITOR}


def severity(code: str) -> str:
    """The LSP severity of any code paramlens reports."""
    check = CHECKS.get(code) or EDITOR_CHECKS[code]
    return check.severity
