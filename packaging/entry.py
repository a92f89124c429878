"""PyInstaller entry point for the frozen `pos-app` (see tableside.spec).

The same `pos_app.cli:main` as the `pos-app` console script, so the installed program
accepts the same arguments and subcommands (`--self-test`, `configure`, `doctor`, ...).
"""

import multiprocessing
import sys

from pos_app.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # harmless unless something spawns processes (Windows)
    sys.exit(main())
