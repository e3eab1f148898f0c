#!/usr/bin/env python3
"""Build the showcase: `python build.py [--content DIR] [--output DIR] [--base-url URL] [--drafts] [--strict]`.

A thin entry point into the `sitegen` package; `python build.py serve` (or
any other sitegen command) works too.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from sitegen.commands.cli import COMMANDS, main  # noqa: E402

if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0] not in COMMANDS and args[0] not in ("-h", "--help", "--version"):
        args = ["build", *args]
    sys.exit(main(args))
