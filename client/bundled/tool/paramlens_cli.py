"""`paramlens ...` from the copy bundled with the extension: `<python> paramlens_cli.py check FILE`.

The extension's bundled/libs (paramlens and its pure-Python dependencies) goes first on
sys.path, as in Microsoft's python-tools extension template, so any Python >= 3.10 runs it
with nothing installed. Packages the bundle leaves out (libcst, for quick fixes) are still
found in the interpreter's own environment.
"""

import os
import sys

LIBS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "libs")


def main(argv):
    if sys.version_info < (3, 10):
        sys.stderr.write("paramlens needs Python 3.10 or later; %s is %d.%d.\n"
                         % (sys.executable, sys.version_info[0], sys.version_info[1]))
        return 2
    if LIBS not in sys.path:
        sys.path.insert(0, LIBS)
    from paramlens.cli import main as paramlens_main

    return paramlens_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
