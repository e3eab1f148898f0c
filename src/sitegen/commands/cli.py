"""The `sitegen` command line: parses options and calls the stages; owns no logic of its own.

Exit status: 0 when the site was built (or the check passed), 1 when the
sources have problems (every one is printed as `path:line: severity:
message`), 2 for a wrong command line.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from .. import __version__
from ..build import pipeline

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
    add_output_options(build)
    build.add_argument("--drafts", action="store_true", help="also publish case studies marked draft: true")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--no-cache", action="store_true", help="render every page, ignoring .cache/")
    build.add_argument("--jobs", type=int, default=0, help="render processes (default: one per core)")
    build.set_defaults(run=run_build)

    serve = sub.add_parser("serve", help="preview the site with live reload while you edit")
    add_source_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument("--base-url", help="public address whose path the preview uses (default: base_url in site.yaml)")
    serve.add_argument("--no-drafts", action="store_true", help="hide case studies marked draft: true")
    serve.set_defaults(run=lazy("serve"))

    check = sub.add_parser("check", help="check the content for mistakes without building")
    add_source_options(check)
    check.add_argument("--format", choices=("text", "json"), default="text", help="how to print problems")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.set_defaults(run=lazy("check"))

    new = sub.add_parser("new", help="start a new case study from a template")
    new.add_argument("kind", choices=("case-study",), help="what to create")
    new.add_argument("--city", required=True, help="the city, e.g. Gdynia")
    new.add_argument("--country", required=True, help="ISO code or English name, e.g. PL")
    new.add_argument("--theme", action="append", required=True, help="a theme name or id (repeat for more)")
    new.add_argument("--title", help="the headline (default: a placeholder to replace)")
    new.add_argument("--slug", help="the URL name (default: from city and title)")
    new.add_argument("--content", type=Path, default=Path("content"), help="the content folder (default: content)")
    new.set_defaults(run=lazy("new"))

    deploy = sub.add_parser("deploy", help="build and commit the site to the gh-pages branch")
    add_source_options(deploy)
    add_output_options(deploy)
    deploy.add_argument("--branch", default="gh-pages", help="branch to commit to (default: gh-pages)")
    deploy.add_argument("--remote", default="origin", help="remote to push to with --push (default: origin)")
    deploy.add_argument("--message", help="commit message")
    deploy.add_argument("--push", action="store_true", help="push the branch after committing")
    deploy.add_argument("--force", action="store_true", help="deploy even with uncommitted source changes")
    deploy.set_defaults(run=lazy("deploy"))
    return top


def lazy(module: str):
    """Run `sitegen.<module>.run(args)`, importing the module only when its command is used."""
    def run(args) -> int:
        return importlib.import_module(f"sitegen.commands.{module}").run(args)
    return run


def add_output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--output", type=Path, default=Path("output"), help="where to write the site (default: output)")
    p.add_argument("--base-url", help="the site's public address (default: base_url in site.yaml)")


def add_source_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--content", type=Path, default=Path("content"), help="the content folder (default: content)")
    p.add_argument("--templates", type=Path, default=Path("templates"), help="the templates folder (default: templates)")


def run_build(args) -> int:
    options = pipeline.BuildOptions(content=args.content, output=args.output, templates=args.templates,
                                    base_url=args.base_url, drafts=args.drafts, strict=args.strict,
                                    cache_dir=None if args.no_cache else pipeline.BuildOptions.cache_dir,
                                    jobs=args.jobs)
    result = pipeline.build(options)
    report = result.report
    if report.items:
        print(report.as_text(), file=sys.stderr)
    if report.failed(args.strict) or not result.ok:
        print(f"Build failed: {report.summary()}. The output folder was left as it was.", file=sys.stderr)
        return 1
    print(f"Built {result.pages()} pages ({len(result.files)} files; {len(result.rendered)} rendered, "
          f"{len(result.changed)} changed) into {args.output} in {result.seconds:.2f} s; {report.summary()}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
