#!/usr/bin/env python3
"""Build the showcase: `python build.py [--content DIR] [--output DIR] [--base-url URL] [--drafts] [--strict]`.

A thin entry point into the `sitegen` package: the arguments are `sitegen
build`'s (`python build.py --help` lists them), unless they start with
another command: `python build.py serve` (or check, new, deploy) works too.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from sitegen.commands.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], prog="build.py", default_command="build"))
