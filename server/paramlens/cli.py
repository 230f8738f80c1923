"""`paramlens check` and `paramlens serve`: argument parsing over the analysis and the server."""

from __future__ import annotations

import argparse
import sys

from .report.json_report import render_json
from .report.text import render_text
from .sources import check_file, collect_paths

FORMATS = {"text": render_text, "json": render_json}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paramlens",
                                     description="Parameter counts of neural-network layers, "
                                                 "read statically from Python source.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="report every layer's parameter count")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                       help="files or folders (searched for .py files)")
    check.add_argument("--format", choices=sorted(FORMATS), default="text")
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
    from .server import server

    if args.tcp is not None:
        server.start_tcp("127.0.0.1", args.tcp)
    elif args.ws is not None:
        server.start_ws("127.0.0.1", args.ws)
    else:
        server.start_io()
    return 0


def run_check(paths: list[str], fmt: str) -> int:
    reports = [check_file(p) for p in collect_paths(paths)]
    if not reports:
        print("paramlens: no Python files found in " + ", ".join(paths), file=sys.stderr)
        return 2
    print(FORMATS[fmt](reports))
    for report in reports:
        if report.error:
            print(f"paramlens: {report.path}: {report.error}", file=sys.stderr)
    if any(r.error for r in reports):
        return 2
    if any(d.severity == "error" for r in reports for d in r.diagnostics):
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return run_serve(args)
    return run_check(args.paths, args.format)


if __name__ == "__main__":
    sys.exit(main())
