"""Which findings a review reports: the engine's proven errors that are enabled, and the budget
warnings. Used by the CLI's formats and by the editor alike."""

from __future__ import annotations

import dataclasses

from paramlens.engine.results import Diagnostic, FileReport, LayerResult, ModelTotal
from paramlens.review.config import ProjectConfig
from paramlens.review.registry import CHECKS


def budget_warnings(layers: list[LayerResult], models: list[ModelTotal],
                    max_per_layer: int | None, max_per_model: int | None) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if max_per_layer is not None:
        for layer in layers:
            count = layer.params if layer.params is not None else layer.params_default
            if count is not None and count > max_per_layer:
                short = layer.layer.rsplit(".", 1)[1]
                found.append(Diagnostic(layer.name_span, "warning", "max-params-per-layer",
                                        f"{short} has {count:,} parameters, over the budget of "
                                        f"{max_per_layer:,} per layer"))
    if max_per_model is not None:
        for model in models:
            if model.exact is not None:
                count, words = model.exact, f"{model.exact:,}"
            elif model.params_default is not None:
                count, words = model.params_default, f"{model.params_default:,} (if defaults hold)"
            else:  # a certain lower bound is still over the budget
                count, words = model.params, f"at least {model.params:,}"
            if count > max_per_model:
                found.append(Diagnostic(model.span, "warning", "max-params-per-model",
                                        f"{model.name} has {words} parameters, over the budget "
                                        f"of {max_per_model:,} per model"))
    return found


def reviewed(diagnostics: list[Diagnostic], layers: list[LayerResult], models: list[ModelTotal],
             config: ProjectConfig, max_per_layer: int | None = None) -> list[Diagnostic]:
    """The enabled checks among the engine's findings, plus the budget warnings. An editor's
    own per-layer budget (`max_per_layer`) takes the place of the project's."""
    per_layer = max_per_layer if max_per_layer is not None else config.max_params_per_layer
    # the registry sets each check's level, whatever the engine that found it said
    found = [dataclasses.replace(d, severity=CHECKS[d.code].severity) for d in diagnostics
             if d.code in config.checks]
    found += budget_warnings(
        layers, models,
        per_layer if "max-params-per-layer" in config.checks else None,
        config.max_params_per_model if "max-params-per-model" in config.checks else None)
    return sorted(found, key=lambda d: (d.span.line, d.span.column, d.code))


def review_diagnostics(report: FileReport, config: ProjectConfig) -> list[Diagnostic]:
    return reviewed(report.diagnostics, report.layers, report.models, config)
