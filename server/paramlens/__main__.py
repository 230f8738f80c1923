import os
import sys

from paramlens.cli import main

code = main()
# The process ends here, once what it printed is flushed, without freeing what the run built
# object by object (nor collecting its cycles) on the way out: that took a sixth of a
# check's time. Its worker processes have ended already; `serve` never returns here.
try:
    sys.stdout.flush()
    sys.stderr.flush()
except (OSError, ValueError):  # a closed or broken stream: end as Python ends then
    sys.exit(code)
os._exit(code)
