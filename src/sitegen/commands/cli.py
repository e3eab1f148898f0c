"""The `sitegen` command line: parses options and calls the stages; owns no logic of its own.

Exit status: 0 when the site was built (or the check passed), 1 when the
sources have problems (every one is printed as `path:line: severity:
message`), 2 for a wrong command line. `sitegen` alone prints the help.

Every command takes -q/--quiet (only problems and failures) and -v/--verbose
(also stage timings and the files a build touched). Colour and progress
appear only on a terminal, colour never with NO_COLOR set; see console.py.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import inspect
import os
import sys
from pathlib import Path

from .. import __version__
from ..build import pipeline
from ..render.environment import default_theme
from .console import Console

COMMANDS = ("build", "serve", "check", "new", "deploy", "translations")
MAX_JOBS = 256


def main(argv: list[str] | None = None, prog: str = "sitegen", default_command: str | None = None) -> int:
    """Run one command. With `default_command` (build.py: "build"), arguments that do not
    start with a command name are that command's: `build.py --help` is build's help."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if default_command and (not argv or argv[0] not in COMMANDS and argv[0] != "--version"):
        argv = [default_command, *argv]
    top = parser(prog, default_command)
    args = top.parse_args(argv)
    if args.command is None:
        top.print_help()
        return 0
    if args.quiet and args.verbose:
        top.error("-q/--quiet and -v/--verbose cannot be used together")
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130


def parser(prog: str = "sitegen", default_command: str | None = None) -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog=prog, description="Build the learning-cities showcase.",
        epilog=f"Run '{prog} COMMAND --help' for the options of a command. "
               "Colour only on a terminal, and never when NO_COLOR is set.")
    top.add_argument("--version", action="version", version=f"sitegen {__version__}")
    add_output_level_options(top, False)
    sub = top.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    levels = output_level_parent()

    def command(name: str, help: str, **kwargs) -> argparse.ArgumentParser:
        if name == default_command:  # build.py's own usage line: `build.py [options]`
            kwargs.setdefault("prog", prog)
            others = ", ".join(c for c in COMMANDS if c != name)
            kwargs.setdefault("epilog", f"Other commands: {others} (run '{prog} COMMAND --help').")
        return sub.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".",
                              parents=[levels], **kwargs)

    build = command("build", "build the site into the output folder")
    add_source_options(build)
    add_output_options(build)
    build.add_argument("--drafts", action="store_true", help="also publish case studies marked draft: true")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--no-cache", action="store_true", help="render every page, ignoring .cache/")
    build.add_argument("--no-search", action="store_true",
                       help="make no search index (quicker; the search page then links to the indexes instead)")
    build.add_argument("--jobs", type=job_count, default=0, metavar="N",
                       help=f"render processes, 1 to {MAX_JOBS} (default: 0, one per core)")
    build.set_defaults(run=run_build)

    serve = command("serve", "preview the site with live reload while you edit")
    add_source_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one, shown in the address printed)")
    serve.add_argument("--base-url", metavar="URL", help="public address whose path the preview uses (default: base_url in site.yaml)")
    serve.add_argument("--no-drafts", action="store_true", help="hide case studies marked draft: true")
    serve.set_defaults(run=lazy("serve"))

    check = command("check", "check the content for mistakes without building")
    add_source_options(check)
    check.add_argument("--format", choices=("text", "json", "github"), default="text",
                       help="how to print problems: text, json, or github (GitHub Actions annotations) (default: text)")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.set_defaults(run=lazy("check", handles_quiet=True))

    new = command("new", "start a new case study from a template")
    new.add_argument("kind", choices=("case-study",), help="what to create")
    new.add_argument("--city", required=True, help="the city, e.g. Gdynia")
    new.add_argument("--country", required=True, help="ISO code or English name, e.g. PL")
    new.add_argument("--theme", action="append", required=True, help="a theme name or id (repeat for more)")
    new.add_argument("--title", help="the headline (default: a placeholder to replace)")
    new.add_argument("--slug", help="the URL name (default: from city and title)")
    new.add_argument("--content", type=Path, default=Path("content"), metavar="DIR", help="the content folder (default: content)")
    new.set_defaults(run=lazy("new"))

    deploy = command("deploy", "build and commit the site to the gh-pages branch")
    add_source_options(deploy)
    add_output_options(deploy)
    deploy.add_argument("--branch", default="gh-pages", help="branch to commit to (default: gh-pages)")
    deploy.add_argument("--remote", default="origin", help="remote to push to with --push (default: origin)")
    deploy.add_argument("--message", help="commit message")
    deploy.add_argument("--push", action="store_true", help="push the branch after committing")
    deploy.add_argument("--force", action="store_true", help="deploy even with uncommitted source changes")
    deploy.set_defaults(run=lazy("deploy"))

    translations = command("translations", "show how far each language's translations have come")
    translations.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                              help="the content folder (default: content)")
    translations.add_argument("--digests", action="store_true",
                              help="also list every original's digest, to record in a new translation")
    translations.set_defaults(run=lazy("translations"))
    return top


def add_output_level_options(p: argparse.ArgumentParser, default) -> None:
    """-q/--quiet and -v/--verbose. Before the command they default to False; after it they
    are left out unless given (SUPPRESS), so `sitegen -q build` and `sitegen build -q` both work."""
    group = p.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", default=default,
                       help="print only problems and failures, no summary or progress")
    group.add_argument("-v", "--verbose", action="store_true", default=default,
                       help="also print how long each stage took and every file rendered, written or removed")


def output_level_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    add_output_level_options(parent, argparse.SUPPRESS)
    return parent


def job_count(text: str) -> int:
    """--jobs: a whole number from 0 (one process per core) to MAX_JOBS."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a number of processes: give a whole number from 1 to {MAX_JOBS}, "
            "or 0 for one per core") from None
    if not 0 <= value <= MAX_JOBS:
        raise argparse.ArgumentTypeError(
            f"{value} processes is out of range: give a whole number from 1 to {MAX_JOBS}, or 0 for one per core")
    return value


def lazy(module: str, handles_quiet: bool = False):
    """Run `sitegen.commands.<module>.run(args)`, importing the module only when its command is used.

    For a command that does not read `args.quiet` itself, --quiet silences its standard
    output; its problems and failures go to standard error and still print."""
    def run(args) -> int:
        command = importlib.import_module(f"sitegen.commands.{module}")
        if not args.quiet or handles_quiet:
            return command.run(args)
        with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
            return command.run(args)
    return run


def add_output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--output", type=Path, default=Path("output"), metavar="DIR", help="where to write the site (default: output)")
    p.add_argument("--base-url", metavar="URL", help="the site's public address (default: base_url in site.yaml)")


def add_source_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--content", type=Path, default=Path("content"), metavar="DIR", help="the content folder (default: content)")
    p.add_argument("--templates", type=Path, default=default_theme(), metavar="DIR",
                   help="the theme's templates folder (default: the theme sitegen ships)")


def run_build(args) -> int:
    console = Console.from_args(args)
    options = pipeline.BuildOptions(content=args.content, output=args.output, templates=args.templates,
                                    base_url=args.base_url, drafts=args.drafts, strict=args.strict,
                                    cache_dir=None if args.no_cache else pipeline.BuildOptions.cache_dir,
                                    jobs=args.jobs, search=not args.no_search)
    progress = console.progress()
    try:
        result = build_with_progress(options, progress)
    finally:
        progress.finish()
    report = result.report
    console.stage_times(progress)
    console.problems(report, console.err)
    if report.failed(args.strict) or not result.ok:
        console.summary(f"Build failed: {report.summary()}. The output folder was left as it was.", ok=False,
                        stream=console.err)
        return 1
    written, removed = split_changed(result)
    if result.images is not None and result.images.files:
        work = result.images
        console.detail(f"images: {plural(work.made, 'file')} made with Pillow, {work.from_store} from the image cache, "
                       f"{work.kept} kept from the last build")
    console.file_list("rendered", sorted(result.rendered))
    console.file_list("written", written)
    console.file_list("removed", removed)
    if not console.quiet:
        console.summary(build_summary(result, args.output), ok=True)
    return 0


def build_with_progress(options: pipeline.BuildOptions, progress) -> pipeline.BuildResult:
    """`pipeline.build`, reporting its stages to `progress` when it takes one (else one stage for all)."""
    if "progress" in inspect.signature(pipeline.build).parameters:
        return pipeline.build(options, progress=progress)
    progress.stage("Building the site", 0)
    return pipeline.build(options)


def split_changed(result: pipeline.BuildResult) -> tuple[list[str], list[str]]:
    """`result.changed` as (files written, files removed): a removed file is no longer in the site."""
    written = [f for f in result.changed if f in result.files]
    removed = [f for f in result.changed if f not in result.files]
    return written, removed


def build_summary(result: pipeline.BuildResult, output: Path) -> str:
    """E.g. "Built 77 pages (82 files; 79 rendered, 82 written) into output in 0.32 s; 0 errors, 0 warnings."

    pages: HTML files of the site; files: every file of the site; rendered: files made
    from templates by this run; written: files whose bytes this run wrote (a warm build
    skips identical ones); removed: files of the last build the site no longer has."""
    written, removed = split_changed(result)
    counts = f"{len(result.rendered)} rendered, {len(written)} written" + (f", {len(removed)} removed" if removed else "")
    return (f"Built {plural(result.pages(), 'page')} ({plural(len(result.files), 'file')}; {counts}) "
            f"into {output} in {result.seconds:.2f} s; {result.report.summary()}.")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


if __name__ == "__main__":
    sys.exit(main())
