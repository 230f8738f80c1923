"""The language server from the copy bundled with the extension:
`<python> lsp_server.py [--stdio] [serve options]` runs `paramlens serve` with bundled/libs first
on sys.path (see paramlens_cli.py)."""

import sys

from paramlens_cli import main

if __name__ == "__main__":
    sys.exit(main(["serve"] + sys.argv[1:]))
