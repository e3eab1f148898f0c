#!/usr/bin/env python3
"""Write a synthetic, deterministic showcase: `python benchmarks/corpus.py --count 1000 --out DIR`.

Case studies of about 700 words in sitegen's own content format, with
headings, lists, links, a blockquote and sometimes a table, spread over
about 60 countries and 10 themes, from up to 400 cities (--cities), nine in
ten of them with coordinates near their country's capital, so the maps have
as many dots as a large network would. The same options always give the
same files, byte for byte.

With `--images N`, the first N case studies get a lead image: a photo-like
JPEG of 2,000 x 1,500 pixels (blurred shapes over a gradient, each one
different, some 300 KB), carrying EXIF data as a phone writes it (an
orientation, a camera, and a GPS position near the case study's city), so
the build has real work to do: decode, turn, resize, encode, strip.

The folder it writes holds a marker file (`.sitegen-corpus`): running it
again on that folder replaces the old corpus, but it refuses a folder that
already holds files it did not write, and leaves that folder as it was.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import multiprocessing
import random
import shutil
import sys
from pathlib import Path

MARKER = ".sitegen-corpus"  # written into every corpus folder; only such a folder is ever replaced
DEFAULT_OUT = Path("benchmarks/corpus")

# Each country with the (latitude, longitude) of its capital, roughly; cities are put within a degree of it.
CAPITALS = {
    "IR": (35.7, 51.4), "PL": (52.2, 21.0), "KR": (37.6, 127.0), "CN": (39.9, 116.4), "JP": (35.7, 139.7),
    "EG": (30.0, 31.2), "JO": (31.9, 35.9), "MA": (34.0, -6.8), "TN": (36.8, 10.2), "QA": (25.3, 51.5),
    "SA": (24.7, 46.7), "AE": (24.5, 54.4), "IE": (53.3, -6.3), "GB": (51.5, -0.1), "FI": (60.2, 24.9),
    "DE": (52.5, 13.4), "FR": (48.9, 2.4), "GR": (38.0, 23.7), "UA": (50.5, 30.5), "PT": (38.7, -9.1),
    "ES": (40.4, -3.7), "IT": (41.9, 12.5), "NL": (52.4, 4.9), "DK": (55.7, 12.6), "SE": (59.3, 18.1),
    "NO": (59.9, 10.8), "HU": (47.5, 19.0), "AT": (48.2, 16.4), "CA": (45.4, -75.7), "US": (38.9, -77.0),
    "MX": (19.4, -99.1), "CO": (4.7, -74.1), "BR": (-15.8, -47.9), "AR": (-34.6, -58.4), "PY": (-25.3, -57.6),
    "EC": (-0.2, -78.5), "CL": (-33.4, -70.7), "PE": (-12.0, -77.0), "NG": (9.1, 7.5), "ET": (9.0, 38.7),
    "CI": (6.8, -5.3), "CM": (3.9, 11.5), "GN": (9.6, -13.6), "KE": (-1.3, 36.8), "GH": (5.6, -0.2),
    "SN": (14.7, -17.5), "ZA": (-25.7, 28.2), "AU": (-35.3, 149.1), "NZ": (-41.3, 174.8), "MY": (3.1, 101.7),
    "ID": (-6.2, 106.8), "PH": (14.6, 121.0), "VN": (21.0, 105.8), "TH": (13.8, 100.5), "IN": (28.6, 77.2),
    "BD": (23.8, 90.4), "NP": (27.7, 85.3), "LK": (6.9, 79.9), "KZ": (51.2, 71.4), "TR": (39.9, 32.9),
}
COUNTRIES = list(CAPITALS)
DEFAULT_CITIES = 400
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


def city_of(seed: int, number: int) -> tuple[str, str, str]:
    """City `number`: its name, its country's code, and its coordinates line (empty for one city in ten)."""
    rng = random.Random(f"{seed}-city-{number}")
    name = "".join(rng.choice(CITY_PARTS) for _ in range(2)).capitalize() + f" {number}"
    country = COUNTRIES[rng.randrange(len(COUNTRIES))]
    lat, lon = CAPITALS[country]
    place = f"coordinates: [{lat + rng.uniform(-1, 1):.3f}, {lon + rng.uniform(-1, 1):.3f}]\n"
    return name, country, place if number % 10 else ""


def case_study(rng: random.Random, index: int, count: int, city_place: tuple[str, str, str],
               image: str | None = None) -> str:
    city, country, place = city_place
    themes = sorted({rng.choice(THEMES)[1] for _ in range(rng.randint(1, 3))})
    date = dt.date(2012, 1, 1) + dt.timedelta(days=rng.randrange(5000))
    summary = f"summary: {sentence(rng, 14)}\n" if index % 3 else ""
    lead = (f"image: {image}\nimage_alt: A generated photo of shapes and colours for case study {index}\n"
            if image else "")
    return (
        "---\n"
        f"title: {city} {rng.choice(['opens', 'builds', 'expands', 'connects'])} {rng.choice(WORDS)} learning (no. {index})\n"
        f"city: {city}\n"
        f"country: {country}\n"
        f"{place}"
        f"themes: [{', '.join(themes)}]\n"
        f"date: {date.isoformat()}\n"
        f"{summary}"
        f"{lead}"
        "sources:\n"
        f"  - title: Report on {city}\n"
        f"    url: https://example.org/reports/{index}\n"
        "---\n\n" + body(rng, index, count)
    )


def site_yaml(languages: tuple[str, ...] = ()) -> str:
    lines = ["title: Synthetic Showcase", "description: A generated showcase for benchmarks.",
             "base_url: https://example.org/showcase/", "language: en"]
    if languages:
        lines += ["languages:", "  - code: en", *(f"  - code: {code}" for code in languages)]
    lines += ["themes:"]
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


PHOTO_SIZE = (2000, 1500)  # what a phone photo resized for the web by a careful author measures


def photo(seed: str, lat: float, lon: float) -> bytes:
    """A photo-like JPEG, different for each `seed`: soft shapes over a gradient, with a phone's EXIF data
    (sideways, orientation 6, a camera's name, and a GPS position at `lat`, `lon`)."""
    from PIL import Image, ImageDraw, ImageFilter  # only for --images

    rng = random.Random(seed)
    width, height = PHOTO_SIZE
    small = Image.new("RGB", (width // 4, height // 4))
    top, bottom = ([rng.randrange(256) for _ in range(3)] for _ in range(2))
    gradient = Image.linear_gradient("L").resize(small.size)
    small = Image.composite(Image.new("RGB", small.size, tuple(bottom)), Image.new("RGB", small.size, tuple(top)),
                            gradient)
    draw = ImageDraw.Draw(small)
    for _ in range(14):
        x, y = rng.randrange(small.width), rng.randrange(small.height)
        r = rng.randrange(10, 120)
        draw.ellipse((x - r, y - r * rng.uniform(0.4, 1.2), x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    image = small.filter(ImageFilter.GaussianBlur(6)).resize(PHOTO_SIZE, Image.Resampling.BICUBIC)
    grain = Image.frombytes("L", (width // 8, height // 8), rng.randbytes(width // 8 * height // 8))
    image = Image.blend(image, Image.merge("RGB", [grain.resize(PHOTO_SIZE)] * 3), 0.08)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F], exif[0x0110] = "Benchmark", "Phone 1"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N" if lat >= 0 else "S", 2: degrees(lat), 3: "E" if lon >= 0 else "W", 4: degrees(lon)})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, exif=exif.tobytes())
    return out.getvalue()


def degrees(value: float) -> tuple[float, float, float]:
    """A coordinate as EXIF writes it: degrees, minutes, seconds."""
    seconds = round(abs(value) * 3600)
    return float(seconds // 3600), float(seconds // 60 % 60), float(seconds % 60)


def write_photo(job: tuple[Path, str, float, float]) -> None:
    path, seed, lat, lon = job
    path.write_bytes(photo(seed, lat, lon))


def translation(rng: random.Random, index: int, count: int, code: str) -> str:
    """A translation of case study `index` into `code`: its own title, summary and body."""
    return (f"---\ntitle: {code.upper()} {sentence(rng, 6).rstrip('.')} (no. {index})\n"
            f"summary: {sentence(rng, 12)}\n---\n\n" + body(rng, index, count))


def write_corpus(out: Path, count: int, seed: int = 7, cities: int = DEFAULT_CITIES, images: int = 0,
                 languages: tuple[str, ...] = (), translated: int = 10) -> Path:
    """Write `count` case studies from `cities` cities into `out` (replacing a corpus written there before);
    the first `images` of them with a photo each. With `languages` (codes besides English), the site is
    published in them too, and `translated` percent of the case studies have a translation into each."""
    check_out_folder(out)
    if out.exists():
        shutil.rmtree(out)
    (out / "case-studies").mkdir(parents=True)
    (out / MARKER).write_text("Written by benchmarks/corpus.py; running it again replaces this folder.\n",
                              encoding="utf-8")
    (out / "pages").mkdir()
    (out / "site.yaml").write_text(site_yaml(languages), encoding="utf-8")
    (out / "home.md").write_text("---\ntitle: Synthetic Showcase\n---\n\n" + paragraph(random.Random(seed), 3) + "\n")
    (out / "pages" / "about.md").write_text("---\ntitle: About\nmenu: 1\n---\n\nA generated site.\n")
    photos = []
    for index in range(count):
        rng = random.Random(f"{seed}-{index}")
        city = city_of(seed, index % max(cities, 1))
        image = f"img/study-{index:05d}.jpg" if index < images else None
        study = case_study(rng, index, count, city, image)
        (out / "case-studies" / f"study-{index:05d}.md").write_text(study, encoding="utf-8")
        for code in languages:
            if index % 100 < translated:
                (out / "case-studies" / f"study-{index:05d}.{code}.md").write_text(
                    translation(random.Random(f"{seed}-{index}-{code}"), index, count, code), encoding="utf-8")
        if image:
            lat, lon = CAPITALS[city[1]]
            photos.append((out / "case-studies" / image, f"{seed}-photo-{index}", lat, lon))
    if photos:
        (out / "case-studies" / "img").mkdir()
        with multiprocessing.Pool() as pool:  # some 0.1 s of drawing each
            pool.map(write_photo, photos, chunksize=16)
    return out


def case_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative: give 0 or more")
    return value


def percent(text: str) -> int:
    value = case_count(text)
    if value > 100:
        raise argparse.ArgumentTypeError(f"{value} is more than 100 percent")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Write a synthetic, deterministic showcase (case studies in "
                                            "sitegen's content format) for the benchmarks.",
                                epilog="The same options always give the same files, byte for byte.")
    p.add_argument("--count", type=case_count, default=1000, metavar="N",
                   help="how many case studies to write (default: 1000)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                   help=f"the folder to write: a new or empty one, or one this script wrote before, which is "
                        f"replaced (it holds a {MARKER} file); any other folder is refused (default: {DEFAULT_OUT})")
    p.add_argument("--cities", type=case_count, default=DEFAULT_CITIES, metavar="N",
                   help=f"how many cities the case studies are spread over, case study i in city i mod N "
                        f"(default: {DEFAULT_CITIES})")
    p.add_argument("--images", type=case_count, default=0, metavar="N",
                   help="give the first N case studies a 2,000 x 1,500 photo with EXIF and GPS data (needs "
                        "Pillow, which sitegen installs; default: 0)")
    p.add_argument("--languages", nargs="+", default=[], metavar="CODE",
                   help="publish the site in these languages besides English (e.g. fr ar), with translations of "
                        "--translated percent of the case studies into each (default: English only)")
    p.add_argument("--translated", type=percent, default=10, metavar="P",
                   help="the percentage of case studies translated into each of --languages (default: 10)")
    p.add_argument("--seed", type=int, default=7,
                   help="the seed of the random text: another seed gives another corpus (default: 7)")
    return p


def main() -> int:
    args = parser().parse_args()
    try:
        write_corpus(args.out, args.count, args.seed, args.cities, min(args.images, args.count),
                     tuple(args.languages), args.translated)
    except ForeignFolder as exc:
        print(f"corpus.py: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.count} case studies to {args.out}"
          + (f", {min(args.images, args.count)} with a photo" if args.images else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
