"""`python -m sitegen`: the same command line as the `sitegen` script."""

import sys

from sitegen.commands.cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m sitegen"))
