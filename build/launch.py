"""Entry script of the packaged app: the same ``main`` as the ``minepivot`` command."""

import sys

from gui.main import main

if __name__ == "__main__":
    sys.exit(main())
