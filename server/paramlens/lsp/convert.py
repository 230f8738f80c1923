"""Between the engine's terms and LSP's: positions (1-based lines and code-point columns against
0-based lines and the client's UTF-16 units), diagnostics, and the project's configuration."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import Protocol

from lsprotocol import types
from pygls import uris
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition

from paramlens.editor.document import BlockResults, Document
from paramlens.engine.results import Diagnostic, LayerResult, Span
from paramlens.lsp import views
from paramlens.lsp.options import Options
from paramlens.review.checks import reviewed
from paramlens.review.config import ConfigError, ProjectConfig, config_for
from paramlens.review.registry import severity

log = logging.getLogger("paramlens")

class HasLines(Protocol):
    lines: list[str]


_SEVERITY = {"error": types.DiagnosticSeverity.Error,
             "warning": types.DiagnosticSeverity.Warning,
             "information": types.DiagnosticSeverity.Information,
             "hint": types.DiagnosticSeverity.Hint}


def to_lsp_position(codec: PositionCodec, doc: HasLines, line: int, column: int) -> types.Position:
    """A 1-based line and code-point column → LSP position in the client's units (UTF-16)."""
    text = doc.lines[line - 1] if 1 <= line <= len(doc.lines) else ""
    position = codec.position_to_client_units([text], ServerTextPosition(0, column))
    return types.Position(line=line - 1, character=position.character)


def to_lsp_range(codec: PositionCodec, doc: HasLines, span: Span) -> types.Range:
    return types.Range(start=to_lsp_position(codec, doc, span.line, span.column),
                       end=to_lsp_position(codec, doc, span.end_line, span.end_column))


def from_lsp_position(codec: PositionCodec, doc: HasLines, position: types.Position
                      ) -> tuple[int, int]:
    """An LSP position → a 1-based line and a code-point column."""
    if position.line >= len(doc.lines):
        return position.line + 1, position.character
    text = doc.lines[position.line]
    if position.character > codec.client_num_units(text):
        return position.line + 1, len(text) + 1  # past the end of the line: on nothing
    converted = codec.position_from_client_units(
        [text], types.Position(line=0, character=position.character))
    return position.line + 1, converted.character


def to_lsp_diagnostic(codec: PositionCodec, doc: HasLines, diagnostic: Diagnostic
                      ) -> types.Diagnostic:
    return types.Diagnostic(range=to_lsp_range(codec, doc, diagnostic.span),
                            message=diagnostic.message, severity=_SEVERITY[diagnostic.severity],
                            code=diagnostic.code, source="paramlens")


def project_config(uri: str) -> tuple[ProjectConfig, str | None]:
    """The [tool.paramlens] table that applies to a file on disk, as the CLI reads it; the
    defaults and why, when it cannot be read (diagnostics go on without it)."""
    if not uri.startswith("file:"):
        return ProjectConfig(), None
    try:
        return config_for(Path(uris.to_fs_path(uri) or "")), None
    except ConfigError as error:
        return ProjectConfig(), str(error)
    except Exception as error:  # a bug in reading it must not cost the file its diagnostics
        log.error("reading the configuration for %s failed:\n%s", uri, traceback.format_exc())
        return ProjectConfig(), f"[tool.paramlens] could not be read ({type(error).__name__})"


def document_diagnostics(doc: Document, results: BlockResults, config: ProjectConfig,
                         config_error: str | None, options: Options) -> list[Diagnostic]:
    if doc.error:
        return [Diagnostic(Span(1, 0, 1, 0), severity("not-analysed"), "not-analysed",
                           doc.error)]
    found = reviewed(results.diagnostics, results.layers, results.models, config,
                     options.max_params_per_layer) + views.unknown_count_hints(results.layers)
    if config_error:
        found.append(Diagnostic(Span(1, 0, 1, 0), severity("config"), "config",
                                f"{config_error}; using the default configuration"))
    for first, last, why in doc.unread_lines():
        lines = f"line {first}" if first == last else f"lines {first}–{last}"
        until = "" if why.startswith("nested") else " until it parses"
        found.append(Diagnostic(Span(first, 0, first, len(doc.lines[first - 1])),
                                severity("not-parsed"), "not-parsed",
                                f"paramlens skips {lines} ({why}){until}"))
    if doc.failure:
        found.append(Diagnostic(Span(1, 0, 1, 0), severity("internal-error"), "internal-error",
                                doc.failure))
    return sorted(found, key=lambda d: (d.span.line, d.span.column))


def layer_at(layers: list[LayerResult], line: int, column: int) -> LayerResult | None:
    """The innermost layer call whose name or parentheses hold the position."""
    holding = [r for r in layers if r.span.contains(line, column) or
               r.name_span.contains(line, column)]
    return min(holding, key=lambda r: (r.span.end_line - r.span.line, r.span.end_column -
                                       r.span.column), default=None)
