"""`sitegen translations`: how far each of the site's languages has come, and what is out of date.

Loads the content folder (nothing is built or written) and prints, for each
language besides the site's own, how many case studies and pages are
translated and how many translations are stale; then each translation with
its state and the content digest of its original now, which a translator
copies into `translated_from:` once the translation matches it.
`--digests` also lists every original's digest, to start a translation.
Exit status 1 when the content folder cannot be loaded.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from .. import load
from ..build import pipeline
from ..index.languages import translation_states
from ..load.translations import content_digest
from ..model.diagnostics import Report


def run(args) -> int:
    from .console import Console  # the command line's printing; imported here as the command runs

    console = Console.from_args(args)
    report = Report()
    content = load.load_content(Path(args.content), report, rules=pipeline.load_rules())
    if content is None or report.failed():
        console.problems(report, console.err)
        console.summary(f"Could not read the content folder: {report.summary()}.", ok=False, stream=console.err)
        return 1
    if not content.config.translated:
        print("The site has one language: add others under 'languages:' in site.yaml (see \"Languages\" in the "
              "README).")
        return 0
    states = translation_states(content, content_digest)
    print(table(content, states))
    listed = [s for s in states if s.translation is not None]
    if listed:
        print()
        print("Translations (state; the original's digest now, for translated_from:):")
        for state in listed:
            print(f"  {state.translation.body.rel}  {state.status}  {state.digest}")
    if args.digests:
        print()
        print("Originals (the digest a new translation records as translated_from:):")
        for rel, digest in sorted({(s.original, s.digest) for s in states}):
            print(f"  {rel}  {digest}")
    return 0


def table(content, states) -> str:
    """The coverage of each language: case studies, pages (and the home page), and stale translations."""
    rows = [("Language", "Case studies", "Pages and home", "Stale", "Unrecorded")]
    for language in content.config.translated:
        mine = [s for s in states if s.lang == language.code]
        counts = Counter((s.kind == "case_study", s.status != "missing") for s in mine)
        studies = counts[True, True], counts[True, True] + counts[True, False]
        pages = counts[False, True], counts[False, True] + counts[False, False]
        stale = sum(s.status == "stale" for s in mine)
        unrecorded = sum(s.status == "unrecorded" for s in mine)
        rows.append((f"{language.code} {language.name}", share(*studies), share(*pages), str(stale), str(unrecorded)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)


def share(done: int, total: int) -> str:
    return f"{done} of {total} ({round(100 * done / total) if total else 100}%)"
