#!/usr/bin/env python3
"""Write a synthetic, deterministic showcase: `python benchmarks/corpus.py --count 1000 --out DIR`.

Case studies of about 700 words in sitegen's own content format, with
headings, lists, links, a blockquote and sometimes a table, spread over
about 60 countries and 10 themes. The same --count and --seed always give
the same files, byte for byte.

The folder it writes holds a marker file (`.sitegen-corpus`): running it
again on that folder replaces the old corpus, but it refuses a folder that
already holds files it did not write, and leaves that folder as it was.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from pathlib import Path

MARKER = ".sitegen-corpus"  # written into every corpus folder; only such a folder is ever replaced
DEFAULT_OUT = Path("benchmarks/corpus")

COUNTRIES = [
    "IR", "PL", "KR", "CN", "JP", "EG", "JO", "MA", "TN", "QA", "SA", "AE", "IE", "GB", "FI", "DE", "FR", "GR",
    "UA", "PT", "ES", "IT", "NL", "DK", "SE", "NO", "HU", "AT", "CA", "US", "MX", "CO", "BR", "AR", "PY", "EC",
    "CL", "PE", "NG", "ET", "CI", "CM", "GN", "KE", "GH", "SN", "ZA", "AU", "NZ", "MY", "ID", "PH", "VN", "TH",
    "IN", "BD", "NP", "LK", "KZ", "TR",
]
THEMES = [
    ("Education for Sustainable Development", "esd"), ("Equity and Inclusion", "equity-inclusion"),
    ("Global Citizenship Education", "gced"), ("Entrepreneurship", "entrepreneurship"),
    ("Health and Well-being", "health-wellbeing"), ("Literacy", "literacy"),
    ("Educational Planning, Monitoring and Evaluation", "planning-me"), ("Digital Learning", "digital"),
    ("Culture and Heritage", "culture"), ("Families and Communities", "families"),
]
WORDS = (
    "learning city residents library centre community programme adults families volunteers school course "
    "neighbourhood partners council skills literacy health festival museum workshop youth seniors training "
    "network budget evaluation survey teachers mentors district culture digital access inclusion women "
    "migrants jobs employers university classes outreach campaign garden climate water reading numeracy "
    "media radio television online platform plan strategy report award members mayor citizens learners"
).split()
CITY_PARTS = ["Nor", "Val", "Ket", "Sar", "Mir", "Bel", "Tor", "Lan", "Ash", "Ori", "Kal", "Dun", "Ama", "Zel"]


def sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    return " ".join(chosen).capitalize() + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng, rng.randint(9, 16)) for _ in range(sentences))


def body(rng: random.Random, index: int, count: int) -> str:
    other = f"study-{rng.randrange(count):05d}.md"
    parts = [
        paragraph(rng, 4),
        "## Context", paragraph(rng, 5), paragraph(rng, 4), paragraph(rng, 4),
        "## What the city did", paragraph(rng, 4), paragraph(rng, 4),
        "\n".join(f"- {sentence(rng, rng.randint(5, 10))}" for _ in range(4)),
        f"The approach echoes [a related initiative]({other}) and the work of "
        f"[the network](https://www.uil.unesco.org/en/learning-cities).",
        "> " + sentence(rng, 18),
        "### Partners", paragraph(rng, 3),
        "### Funding", paragraph(rng, 3),
        "## Challenges", paragraph(rng, 5),
        "\n".join(f"1. {sentence(rng, rng.randint(6, 12))}" for _ in range(3)),
        "## Results and lessons", paragraph(rng, 5), paragraph(rng, 4),
    ]
    if index % 4 == 0:
        rows = "\n".join(f"| {2015 + i} | {rng.randint(100, 9000)} | {rng.randint(2, 90)} |" for i in range(5))
        parts.insert(8, "| Year | Learners | Courses |\n|---|--:|--:|\n" + rows)
    return "\n\n".join(parts) + "\n"


def case_study(rng: random.Random, index: int, count: int) -> str:
    city = "".join(rng.choice(CITY_PARTS) for _ in range(2)).capitalize() + f" {index}"
    themes = sorted({rng.choice(THEMES)[1] for _ in range(rng.randint(1, 3))})
    date = dt.date(2012, 1, 1) + dt.timedelta(days=rng.randrange(5000))
    summary = f"summary: {sentence(rng, 14)}\n" if index % 3 else ""
    return (
        "---\n"
        f"title: {city} {rng.choice(['opens', 'builds', 'expands', 'connects'])} {rng.choice(WORDS)} learning\n"
        f"city: {city}\n"
        f"country: {COUNTRIES[rng.randrange(len(COUNTRIES))]}\n"
        f"themes: [{', '.join(themes)}]\n"
        f"date: {date.isoformat()}\n"
        f"{summary}"
        "sources:\n"
        f"  - title: Report on {city}\n"
        f"    url: https://example.org/reports/{index}\n"
        "---\n\n" + body(rng, index, count)
    )


def site_yaml() -> str:
    lines = ["title: Synthetic Showcase", "description: A generated showcase for benchmarks.",
             "base_url: https://example.org/showcase/", "language: en", "themes:"]
    for name, theme_id in THEMES:
        lines += [f"  - name: {name}", f"    id: {theme_id}", f"    description: Case studies about {name.lower()}."]
    return "\n".join(lines) + "\n"


class ForeignFolder(Exception):
    """The output folder holds files that corpus.py did not write."""


def check_out_folder(out: Path) -> None:
    """Raise ForeignFolder unless `out` is missing, empty, or a corpus written by this script."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise ForeignFolder(f"{out}: is not a folder. Choose a new folder with --out DIR.")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise ForeignFolder(f"{out}: already holds files that corpus.py did not write, so it was left as it was. "
                            "Choose an empty or new folder with --out DIR.")


def write_corpus(out: Path, count: int, seed: int = 7) -> Path:
    """Write `count` case studies into `out` (replacing a corpus written there before)."""
    check_out_folder(out)
    if out.exists():
        shutil.rmtree(out)
    (out / "case-studies").mkdir(parents=True)
    (out / MARKER).write_text("Written by benchmarks/corpus.py; running it again replaces this folder.\n",
                              encoding="utf-8")
    (out / "pages").mkdir()
    (out / "site.yaml").write_text(site_yaml(), encoding="utf-8")
    (out / "home.md").write_text("---\ntitle: Synthetic Showcase\n---\n\n" + paragraph(random.Random(seed), 3) + "\n")
    (out / "pages" / "about.md").write_text("---\ntitle: About\nmenu: 1\n---\n\nA generated site.\n")
    for index in range(count):
        rng = random.Random(f"{seed}-{index}")
        (out / "case-studies" / f"study-{index:05d}.md").write_text(case_study(rng, index, count), encoding="utf-8")
    return out


def case_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative: give 0 or more")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Write a synthetic, deterministic showcase (case studies in "
                                            "sitegen's content format) for the benchmarks.",
                                epilog="The same --count and --seed always give the same files, byte for byte.")
    p.add_argument("--count", type=case_count, default=1000, metavar="N",
                   help="how many case studies to write (default: 1000)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                   help=f"the folder to write: a new or empty one, or one this script wrote before, which is "
                        f"replaced (it holds a {MARKER} file); any other folder is refused (default: {DEFAULT_OUT})")
    p.add_argument("--seed", type=int, default=7,
                   help="the seed of the random text: another seed gives another corpus (default: 7)")
    return p


def main() -> int:
    args = parser().parse_args()
    try:
        write_corpus(args.out, args.count, args.seed)
    except ForeignFolder as exc:
        print(f"corpus.py: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.count} case studies to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
