import sys

from paramlens.cli import main

sys.exit(main())
