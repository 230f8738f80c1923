"""What `paramlens check` reports for each file: its analysis, the project's configuration
applied (enabled checks, budgets), and with `--diff` only what touches changed lines."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from paramlens.engine.in_context import apply_evaluation, evaluate_texts
from paramlens.engine.results import FileReport, Span
from paramlens.review.checks import review_diagnostics
from paramlens.review.config import ProjectConfig, config_for
from paramlens.review.formats.findings import Finding, file_findings
from paramlens.review.git_diff import changed_lines, repository_root
from paramlens.review.sources import collect_paths, read_source, report_for


@dataclass
class ReviewedFile:
    report: FileReport  # diagnostics already reviewed; layers limited to the diff if asked
    config: ProjectConfig
    display_path: str  # relative to the repository root (or the working folder)

    def findings(self) -> list[Finding]:
        return file_findings(self.report, self.display_path, self.report.diagnostics,
                             "layer-params" in self.config.checks)


def _touches(span: Span, lines: set[int]) -> bool:
    return any(n in lines for n in range(span.line, span.end_line + 1))


def analyse_and_evaluate(read: list[tuple[str, str | None, str | None]], texts: dict[str, str],
                         jobs: int) -> list[FileReport]:
    """Each file's own analysis, and the program evaluated as a whole; with jobs > 1 the files'
    analyses run in worker processes while this one evaluates."""
    pool = None
    if jobs > 1 and len(read) > 1 and "fork" in multiprocessing.get_all_start_methods():
        pool = ProcessPoolExecutor(max_workers=jobs - 1,
                                   mp_context=multiprocessing.get_context("fork"))
    try:
        pending = pool.map(_report, read, chunksize=max(1, len(read) // (4 * (jobs - 1)))) \
            if pool is not None else None
        evaluation = evaluate_texts({path: text for path, text in texts.items()})
        reports = list(pending) if pending is not None else [_report(r) for r in read]
    finally:
        if pool is not None:
            pool.shutdown()
    if evaluation is not None:
        for report in reports:
            if report.error is None:
                apply_evaluation(report, evaluation)
    return reports


def _report(item: tuple[str, str | None, str | None]) -> FileReport:
    path, text, error = item
    return report_for(path, text, error)


def review(arguments: list[str], diff: str | None, cwd: Path, jobs: int = 1
           ) -> list[ReviewedFile]:
    """Raises ConfigError or DiffError for what the user must fix first."""
    root = repository_root(cwd) or cwd
    changed = changed_lines(diff, cwd) if diff is not None else None
    chosen: list[tuple[Path, ProjectConfig, str]] = []
    for path in collect_paths(arguments):
        absolute = Path(path).resolve()
        config = config_for(absolute)
        if not config.wants(absolute):
            continue
        if changed is not None and absolute not in changed:
            continue
        chosen.append((absolute, config, path))
    read = [(path, *read_source(path)) for _absolute, _config, path in chosen]
    texts = {path: text for path, text, _error in read if text is not None}
    reports = analyse_and_evaluate(read, texts, jobs)
    reviewed: list[ReviewedFile] = []
    for (absolute, config, _path), report in zip(chosen, reports, strict=True):
        report.diagnostics = review_diagnostics(report, config)
        if changed is not None:
            lines = changed[absolute]
            report.layers = [r for r in report.layers if _touches(r.span, lines)]
            report.diagnostics = [d for d in report.diagnostics if _touches(d.span, lines)]
            report.models = [m for m in report.models if _touches(m.span, lines)]
        try:
            display = absolute.relative_to(root).as_posix()
        except ValueError:
            display = os.path.relpath(absolute, cwd)
        reviewed.append(ReviewedFile(report, config, display))
    return reviewed
