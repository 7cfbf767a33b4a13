"""Entry point of the PyInstaller bundle: the same `inspector` command as the installed package."""

import multiprocessing
import sys

from inspector.cli import main

if __name__ == "__main__":
    # `office serve --workers N` starts worker processes by spawning this executable again.
    multiprocessing.freeze_support()
    sys.exit(main())
