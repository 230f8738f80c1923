"""`paramlens check`, `annotate` and `serve`: argument parsing over the analysis and the server."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from paramlens.review.cache import Cache, cache_folder
from paramlens.review.config import FORMATS, ConfigError, config_for, config_form
from paramlens.review.formats.github import render_github
from paramlens.review.formats.json_report import file_json, joined_files, render_json
from paramlens.review.formats.rdjson import render_rdjson
from paramlens.review.formats.sarif import render_sarif
from paramlens.review.git_diff import DiffError
from paramlens.review.review import Plan, ReviewedFile, RunProgress, plan

if TYPE_CHECKING:
    from paramlens.review.fix_files import FixRun
    from paramlens.review.formats.text import TextOptions


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paramlens",
                                     description="Parameter counts of neural-network layers, "
                                                 "read statically from Python source.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="report every layer's parameter count")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                       help="files or folders (searched for .py files and .ipynb notebooks)")
    check.add_argument("--format", choices=FORMATS, default=None,
                       help="output format (default: [tool.paramlens] format, else text)")
    check.add_argument("--diff", metavar="REV",
                       help="report only layers on lines changed since REV (git diff -U0 REV)")
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    check.add_argument("--all", action="store_true", dest="show_all",
                       help="text format: list the layers that own no parameters too")
    check.add_argument("-j", "--jobs", type=_jobs, default=_cores(), metavar="N",
                       help="worker processes for the files' own analyses (default: the "
                            "number of cores); the program is evaluated as a whole meanwhile")
    check.add_argument("--no-cache", action="store_true",
                       help="neither read nor write the cache (.paramlens_cache/ in the "
                            "project root, or $PARAMLENS_CACHE_DIR)")
    check.add_argument("--fix", action="store_true",
                       help="write every proven fix into the files, then report what remains "
                            "(never from the cache)")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix, also write the fixes that change what the model holds "
                            "(bias=False, nn.ModuleList: an old checkpoint then no longer loads "
                            "strictly)")
    check.add_argument("--max-notices", type=int, metavar="N",
                       help="github format: at most N notices, the rest summed in one "
                            "(default: [tool.paramlens] max-notices, else 10)")
    annotate = commands.add_parser("annotate", help="write each layer's count as a trailing "
                                    "comment (# 280 params), and each model's total")
    annotate.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                          help="files or folders (searched for .py files)")
    annotate.add_argument("--check", action="store_true",
                          help="change nothing; exit 1 if a comment is missing or stale "
                               "(with --remove: if one is left)")
    annotate.add_argument("--remove", action="store_true",
                          help="take the comments paramlens wrote out again")
    annotate.add_argument("-j", "--jobs", type=_jobs, default=_cores(), metavar="N",
                          help="worker processes for the files' own analyses, as for "
                               "check, and for their rewriting")
    annotate.add_argument("--no-cache", action="store_true",
                          help="neither read nor write the cache, as for check")
    summary = commands.add_parser("summary", help="a model's modules as a tree with their "
                                  "counts, in torchinfo's layout")
    summary.add_argument("target", metavar="FILE[:MODEL]",
                         help="a .py file or a notebook, optionally with the builder, class "
                              "or variable that makes the model (default: every model the file "
                              "builds)")
    summary.add_argument("--depth", type=_depth, default=3, metavar="N",
                         help="list submodules down to depth N (default 3, as torchinfo)")
    summary.add_argument("--format", choices=("text", "json"), default="text")
    serve = commands.add_parser("serve", help="run the language server (stdio by default)")
    transport = serve.add_mutually_exclusive_group()
    transport.add_argument("--stdio", action="store_true",
                           help="talk over stdin/stdout (the default; editors append it)")
    transport.add_argument("--tcp", type=int, metavar="PORT", help="listen on 127.0.0.1:PORT")
    transport.add_argument("--ws", type=int, metavar="PORT",
                           help="listen for WebSocket clients on 127.0.0.1:PORT")
    serve.add_argument("--log-file", metavar="PATH", help="write the log here instead of stderr")
    serve.add_argument("--log-level", default="INFO",
                       choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser


def _cores() -> int:
    """The cores this process may run on (a container's CPU set, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def _depth(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be at least 0")
    return value


def _jobs(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def render(fmt: str, files: list[ReviewedFile], max_notices: int,
           text: TextOptions | None = None) -> str:
    notebooks = [f.notebook for f in files]
    if fmt == "text":
        from paramlens.review.formats.text import render_text  # rich: only for the table

        return render_text([f.report for f in files], text, notebooks)
    if fmt == "json":
        return render_json([f.report for f in files], notebooks)
    findings = [finding for f in files for finding in f.findings()]
    if fmt == "github":
        return render_github(findings, max_notices)
    if fmt == "sarif":
        return render_sarif(findings)
    return render_rdjson(findings)


def run_check(args: argparse.Namespace) -> int:
    # A run builds many objects and frees few until it ends, and what it frees, reference
    # counting frees (the trees hold no cycles: nodes.py). The cyclic collector's passes over
    # the millions of objects found little and cost a sixth of the time: a run goes without
    # them (its worker processes, forked from this one, too), and gives them back after.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run_check(args)
    finally:
        if enabled:
            gc.enable()


def _run_check(args: argparse.Namespace) -> int:
    cwd = Path.cwd()
    # a run that writes files reads them itself: no result of an earlier run is trusted for it
    if args.unsafe_fixes and not args.fix:
        print("paramlens: --unsafe-fixes needs --fix", file=sys.stderr)
        return 2
    cache = None if args.no_cache or args.fix else Cache(cache_folder(cwd))
    try:
        defaults = config_for(cwd)
        planned = plan(args.paths, args.diff, cwd, cache)
    except (ConfigError, DiffError) as error:
        print(f"paramlens: {error}", file=sys.stderr)
        return 2
    if not planned.chosen and args.diff is None:
        print("paramlens: no Python files or notebooks found in " + ", ".join(args.paths),
              file=sys.stderr)
        return 2
    fmt = args.format or defaults.format
    max_notices = args.max_notices if args.max_notices is not None else defaults.max_notices
    output_key = None
    encoding = sys.stdout.encoding or "utf-8", sys.stdout.errors or "strict"
    text = _text_options(args.show_all) if fmt == "text" else None
    if cache is not None and args.diff is None:
        # The printed output is a function of the evaluated reports (the run key, checked by
        # plan()) and of everything below; with --diff it also depends on git's state.
        output_key = cache.output_key(planned.key, [
            fmt, max_notices, args.strict, str(planned.root), encoding,
            [text.width, text.color, text.show_all] if text is not None else None,
            [(str(a), p, config_form(c)) for a, c, p in planned.chosen]])
        if planned.token is not None:
            stored = cache.output(output_key, planned.token)
            if stored is not None:
                stored_out, stored_err, stored_code = stored
                _write_bytes(stored_out, encoding)
                sys.stderr.write(stored_err)
                return stored_code
    progress = _progress()
    # The JSON report is written file by file as each is reviewed, while others are still
    # being analysed (its largest cost, overlapped). --fix reviews the files again after.
    items: list[str] | None = [""] * len(planned.chosen) if fmt == "json" and not args.fix \
        else None

    def rendered(i: int, reviewed: ReviewedFile) -> None:
        if items is not None:
            items[i] = file_json(reviewed.report, reviewed.notebook)

    try:
        files = planned.review(args.jobs, progress, rendered)
    finally:
        if progress is not None:
            progress.finish()
    fixes = None
    if args.fix:
        files, fixes = _fix(args, planned, files, cwd)
    output = joined_files(items) if items is not None else render(fmt, files, max_notices, text)
    stdout = output + "\n" if output else ""
    stderr = "".join(f"paramlens: {f.report.path}: {f.report.error}\n"
                     for f in files if f.report.error)
    code = _exit_code(files, args.strict)
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    if fixes is not None:
        # machine-read formats keep stdout to themselves
        told = sys.stdout if fmt == "text" else sys.stderr
        for line in fixes.summary():
            print(line, file=told)
        for problem in fixes.problems:
            print(f"paramlens: {problem}", file=sys.stderr)
    if output_key is not None and cache is not None and planned.token is not None:
        # tied to the reports it was made from, by their token (see Cache.reports), and stored
        # as the bytes this stdout's encoding made of it (the encoding is in the key)
        try:
            cache.store_output(output_key, planned.token, stdout.encode(*encoding), stderr, code)
        except (UnicodeError, LookupError):
            pass  # what this stdout cannot encode is not worth caching
    return code


def _fix(args: argparse.Namespace, planned: Plan, files: list[ReviewedFile], cwd: Path
         ) -> tuple[list[ReviewedFile], FixRun]:
    """Every proven fix written (review/fix_files.py); then the files are read and reviewed
    again, so that what is reported is what remains."""
    from paramlens.review.fix_files import fix_files

    fixes = fix_files(planned, files, args.unsafe_fixes)
    if fixes.files:
        files = plan(args.paths, args.diff, cwd, None).review(args.jobs)
    return files, fixes


def _text_options(show_all: bool) -> TextOptions:
    from paramlens.review.formats.text import DEFAULT_WIDTH, TextOptions  # imports rich

    """The terminal's width and whether it wants colour; for a pipe or a file, $COLUMNS (else a
    fixed width) and no colour. NO_COLOR turns colour off anywhere (no-color.org)."""
    terminal = sys.stdout.isatty()
    width = 0
    if terminal:
        try:
            width = os.get_terminal_size(sys.stdout.fileno()).columns
        except (OSError, ValueError):
            width = 0
    if not width:
        columns = os.environ.get("COLUMNS", "")
        width = int(columns) if columns.isdigit() and int(columns) > 0 else DEFAULT_WIDTH
    color = terminal and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    return TextOptions(max(width, 40), bool(color), show_all)


def _progress() -> RunProgress | None:
    if not sys.stderr.isatty():
        return None
    from paramlens.review.progress import TerminalProgress  # rich: only on a terminal

    return TerminalProgress(color=not os.environ.get("NO_COLOR"))


def _write_bytes(data: bytes, encoding: tuple[str, str]) -> None:
    """Bytes as `sys.stdout.write` of their text would have written them."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None or os.linesep != "\n":  # a replaced stdout, or newlines translated
        sys.stdout.write(data.decode(*encoding))
        return
    sys.stdout.flush()
    buffer.write(data)
    buffer.flush()


def _exit_code(files: list[ReviewedFile], strict: bool) -> int:
    if any(f.report.error for f in files):
        return 2
    severities = {d.severity for f in files for d in f.report.diagnostics}
    if "error" in severities or (strict and "warning" in severities):
        return 1
    return 0


def run_serve(args: argparse.Namespace) -> int:
    import importlib.util
    import logging

    if args.ws is not None and importlib.util.find_spec("websockets") is None:
        print("paramlens: --ws needs the websockets package: pip install websockets",
              file=sys.stderr)
        return 2
    handler: logging.Handler = logging.FileHandler(args.log_file) if args.log_file \
        else logging.StreamHandler(sys.stderr)  # stdout carries the protocol
    logging.basicConfig(level=args.log_level, handlers=[handler],
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.log_level != "DEBUG":
        logging.getLogger("pygls").setLevel(logging.WARNING)  # it logs every message at INFO
    from paramlens.lsp import transport
    from paramlens.lsp.server import server

    # Each returns only by ending the process, when the one client's session ends.
    if args.tcp is not None:
        transport.run_tcp(server, "127.0.0.1", args.tcp)
    elif args.ws is not None:
        transport.run_ws(server, "127.0.0.1", args.ws)
    else:
        transport.run_stdio(server)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return run_serve(args)
    if args.command == "annotate":
        # here, not at the top: it loads libcst, which check and serve never need
        from paramlens.review.annotate_command import Request, run_annotate

        return run_annotate(Request(args.paths, args.check, args.remove, args.jobs,
                                    not args.no_cache))
    if args.command == "summary":
        from paramlens.review.summary_command import Request as SummaryRequest
        from paramlens.review.summary_command import run_summary

        text = _text_options(False)
        return run_summary(SummaryRequest(args.target, args.depth, args.format, text.width,
                                          text.color))
    return run_check(args)


if __name__ == "__main__":
    sys.exit(main())
