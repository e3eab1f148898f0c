"""The `sitegen` command line: parses options and calls the stages; owns no logic of its own.

Exit status: 0 when the site was built (or the check passed), 1 when the
sources have problems (every one is printed as `path:line: severity:
message`), 2 for a wrong command line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__, pipeline

COMMANDS = ("build", "serve", "check", "new", "deploy")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="sitegen", description="Build the learning-cities showcase.")
    top.add_argument("--version", action="version", version=f"sitegen {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = sub.add_parser("build", help="build the site into the output folder")
    add_source_options(build)
    build.add_argument("--output", type=Path, default=Path("output"), help="where to write the site (default: output)")
    build.add_argument("--base-url", help="the site's public address (default: base_url in site.yaml)")
    build.add_argument("--drafts", action="store_true", help="also publish case studies marked draft: true")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.set_defaults(run=run_build)
    return top


def add_source_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--content", type=Path, default=Path("content"), help="the content folder (default: content)")
    p.add_argument("--templates", type=Path, default=Path("templates"), help="the templates folder (default: templates)")


def run_build(args) -> int:
    options = pipeline.BuildOptions(content=args.content, output=args.output, templates=args.templates,
                                    base_url=args.base_url, drafts=args.drafts, strict=args.strict)
    result = pipeline.build(options)
    report = result.report
    if report.items:
        print(report.as_text(), file=sys.stderr)
    if report.failed(args.strict) or not result.written:
        print(f"Build failed: {report.summary()}. The output folder was left as it was.", file=sys.stderr)
        return 1
    print(f"Built {result.pages()} pages ({result.written} files) into {args.output} "
          f"in {result.seconds:.2f} s; {report.summary()}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
