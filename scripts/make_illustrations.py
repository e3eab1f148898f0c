#!/usr/bin/env python3
"""Draw the bundled showcase's illustrations: `python scripts/make_illustrations.py [--check]`.

One abstract illustration per theme of content/site.yaml (flat shapes and
colours: an open book for literacy, leaves for sustainable development, a
heart for health...) as a 1200 x 800 PNG in content/case-studies/images/,
and the site's share image (1200 x 630, the size sites that show a link
expect) in the theme's templates/static/share.png. They are made for this
repository and free to use (CC0): no photograph, no font, no network, only
Pillow. Each is drawn twice as large and scaled down (smooth edges), then
reduced to a palette of 48 colours, so a file weighs a few tens of KB. The
same Pillow gives the same pixels on every run; `--check` compares the
committed files with a fresh drawing and changes nothing
(tests/test_images.py runs it).
"""

from __future__ import annotations

import argparse
import io
import math
import sys
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "content" / "case-studies" / "images"
SHARE = ROOT / "templates" / "static" / "share.png"
SIZE = (1200, 800)
SHARE_SIZE = (1200, 630)
SCALE = 2  # drawn at twice the size, then scaled down: smooth edges without an anti-aliasing renderer
COLOURS = 48

# The theme's colours (templates/static/style.css) and a few companions.
PAPER, SAND, INK, TEAL, RUST, CHIP = "#fbf9f4", "#f1ede4", "#1c2026", "#1d4e5f", "#b4532a", "#e6efee"
SUN, LEAF, MOSS, SKY, ROSE, PLUM, WHITE = "#f2b544", "#5f9e5a", "#2f6b3f", "#8ec5d6", "#d9686a", "#6d4c7d", "#ffffff"


class Canvas:
    """Drawing in the coordinates of the final image (1200 wide), on a canvas SCALE times larger."""

    def __init__(self, size: tuple[int, int], background: str):
        self.size = size
        self.image = Image.new("RGB", (size[0] * SCALE, size[1] * SCALE), background)
        self.draw = ImageDraw.Draw(self.image)

    def at(self, points) -> list[tuple[float, float]]:
        return [(round(x * SCALE * 4) / 4, round(y * SCALE * 4) / 4) for x, y in points]

    def box(self, x0, y0, x1, y1) -> list[float]:
        return [c * SCALE for c in (x0, y0, x1, y1)]

    def circle(self, x, y, r, fill, outline=None, width=0):
        self.draw.ellipse(self.box(x - r, y - r, x + r, y + r), fill=fill, outline=outline, width=width * SCALE)

    def ellipse(self, x0, y0, x1, y1, fill=None, outline=None, width=0):
        self.draw.ellipse(self.box(x0, y0, x1, y1), fill=fill, outline=outline, width=width * SCALE)

    def rect(self, x0, y0, x1, y1, fill, radius=0):
        self.draw.rounded_rectangle(self.box(x0, y0, x1, y1), radius=radius * SCALE, fill=fill)

    def polygon(self, points, fill):
        self.draw.polygon(self.at(points), fill=fill)

    def line(self, points, fill, width):
        self.draw.line(self.at(points), fill=fill, width=width * SCALE, joint="curve")
        for x, y in (points[0], points[-1]):  # round ends
            self.circle(x, y, width / 2, fill)

    def pie(self, x, y, r, start, end, fill):
        self.draw.pieslice(self.box(x - r, y - r, x + r, y + r), start, end, fill=fill)

    def finished(self) -> Image.Image:
        small = self.image.resize(self.size, Image.Resampling.LANCZOS)
        return small.quantize(COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def leaf(c: Canvas, x, y, length, angle, fill, vein):
    """A leaf from (x, y) along `angle` degrees: two arcs meeting at its tip, and its middle vein."""
    a = math.radians(angle)
    points = []
    for side in (1, -1):
        steps = range(0, 33) if side == 1 else range(32, -1, -1)
        for i in steps:
            t = i / 32
            along, across = t * length, side * math.sin(math.pi * t) * length * 0.28
            points.append((x + along * math.cos(a) - across * math.sin(a), y + along * math.sin(a) + across * math.cos(a)))
    c.polygon(points, fill)
    c.line([(x, y), (x + length * 0.9 * math.cos(a), y + length * 0.9 * math.sin(a))], vein, 5)


def heart(c: Canvas, x, y, size, fill):
    """A heart centred on (x, y), `size` wide."""
    points = []
    for i in range(97):
        t = 2 * math.pi * i / 96
        hx = 16 * math.sin(t) ** 3
        hy = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        points.append((x + hx * size / 34, y - hy * size / 34))
    c.polygon(points, fill)


def person(c: Canvas, x, y, size, fill):
    """A person seen from the front: a head over rounded shoulders."""
    c.circle(x, y - size * 0.55, size * 0.32, fill)
    c.draw.chord(c.box(x - size * 0.62, y - size * 0.12, x + size * 0.62, y + size * 1.1), 180, 360, fill=fill)


def book(c: Canvas, x, y, w, fill_left, fill_right, lines):
    """An open book centred on (x, y), `w` wide, its pages curving up from the spine."""
    h = w * 0.42
    for side, fill in ((-1, fill_left), (1, fill_right)):
        edge = [(x + side * w / 2 * i / 24, y - h / 2 - math.sin(math.pi * i / 48) * h * 0.12) for i in range(25)]
        bottom = [(x + side * w / 2 * i / 24, y + h / 2 - math.sin(math.pi * i / 48) * h * 0.08) for i in range(24, -1, -1)]
        c.polygon(edge + bottom, fill)
        for row in range(5):
            top = y - h / 2 + h * (0.2 + 0.14 * row)
            inner, outer = x + side * w * 0.06, x + side * w * (0.42 if row % 2 else 0.36)
            c.line([(min(inner, outer), top), (max(inner, outer), top)], lines, 7)
    c.line([(x, y - h / 2 - 4), (x, y + h / 2 + 4)], lines, 6)


# --------------------------------------------------------------------------- one drawing per theme

def literacy() -> Image.Image:
    c = Canvas(SIZE, SAND)
    c.circle(930, 190, 120, SUN)
    c.rect(120, 610, 1080, 660, TEAL, radius=25)
    book(c, 600, 420, 760, WHITE, PAPER, TEAL)
    c.polygon([(720, 232), (760, 232), (760, 360), (740, 340), (720, 360)], RUST)  # a bookmark ribbon
    return c.finished()


def esd() -> Image.Image:
    c = Canvas(SIZE, CHIP)
    c.circle(940, 180, 110, SUN)
    c.ellipse(-200, 560, 700, 1100, fill=LEAF)
    c.ellipse(500, 600, 1500, 1150, fill=MOSS)
    c.line([(600, 700), (600, 420)], MOSS, 18)
    for angle, length, fill in ((-150, 260, LEAF), (-30, 280, MOSS), (-110, 220, "#7fb870"), (-60, 240, LEAF)):
        leaf(c, 600, 460 + (angle % 40), length, angle, fill, "#e8f1e4")
    leaf(c, 250, 300, 150, -20, "#7fb870", "#e8f1e4")
    return c.finished()


def health() -> Image.Image:
    c = Canvas(SIZE, "#f7e7e3")
    c.circle(600, 400, 300, "#f1d0ca")
    heart(c, 600, 400, 420, ROSE)
    pulse = [(80, 420), (380, 420), (430, 330), (490, 520), (550, 250), (610, 470), (650, 420), (1120, 420)]
    c.line(pulse, WHITE, 16)
    return c.finished()


def entrepreneurship() -> Image.Image:
    c = Canvas(SIZE, PAPER)
    c.rect(0, 640, 1200, 800, SAND)
    c.rect(260, 330, 940, 640, WHITE)
    stripes = 8
    for i in range(stripes):
        x0 = 230 + i * 740 / stripes
        fill = RUST if i % 2 == 0 else "#f3d9c8"
        c.polygon([(x0 + 15, 170), (x0 + 740 / stripes + 15, 170), (x0 + 740 / stripes, 300), (x0, 300)], fill)
        c.pie(x0 + 740 / stripes / 2, 300, 740 / stripes / 2, 0, 180, fill)
    c.rect(240, 160, 960, 185, TEAL, radius=10)
    c.rect(260, 500, 940, 540, TEAL)
    for i, (h, fill) in enumerate(((60, SUN), (100, LEAF), (150, SKY), (120, PLUM))):
        c.rect(310 + i * 125, 500 - h, 400 + i * 125, 500, fill, radius=8)
    for i in range(4):  # coins on the counter
        c.ellipse(830, 480 - i * 22, 910, 510 - i * 22, fill=SUN, outline="#c98f22", width=4)
    return c.finished()


def equity() -> Image.Image:
    c = Canvas(SIZE, "#efe9f3")
    c.circle(600, 420, 250, "#ddd2e6")
    colours = (RUST, TEAL, SUN, PLUM, LEAF, ROSE, SKY, MOSS)
    for i, fill in enumerate(colours):
        angle = 2 * math.pi * i / len(colours) - math.pi / 2
        person(c, 600 + 250 * math.cos(angle), 440 + 250 * math.sin(angle), 95, fill)
    heart(c, 600, 420, 150, WHITE)
    return c.finished()


def gced() -> Image.Image:
    c = Canvas(SIZE, "#e3eef3")
    c.circle(600, 400, 270, SKY)
    for dx in (0, 90, 180):  # meridians
        c.ellipse(600 - dx, 130, 600 + dx, 670, outline=WHITE, width=7)
    for y in (220, 310, 400, 490, 580):  # parallels
        half = math.sqrt(max(0, 270 ** 2 - (y - 400) ** 2))
        c.line([(600 - half + 6, y), (600 + half - 6, y)], WHITE, 7)
    for x, y, fill in ((470, 290, RUST), (720, 350, SUN), (560, 520, LEAF), (800, 520, PLUM)):
        c.circle(x, y, 26, fill)
    c.line([(470, 290), (560, 180), (720, 350)], TEAL, 8)
    c.line([(560, 520), (690, 640), (800, 520)], TEAL, 8)
    c.rect(860, 120, 1080, 230, WHITE, radius=40)  # a speech bubble
    c.polygon([(900, 225), (950, 225), (880, 280)], WHITE)
    for i in range(3):
        c.circle(920 + i * 50, 175, 14, TEAL)
    return c.finished()


def planning() -> Image.Image:
    c = Canvas(SIZE, PAPER)
    c.rect(140, 140, 760, 660, WHITE, radius=24)
    c.line([(200, 600), (700, 600)], INK, 6)
    c.line([(200, 600), (200, 200)], INK, 6)
    for i, (h, fill) in enumerate(((120, SKY), (190, TEAL), (160, SKY), (280, TEAL), (340, RUST))):
        c.rect(240 + i * 90, 600 - h, 300 + i * 90, 600, fill, radius=6)
    points = [(270, 440), (360, 380), (450, 400), (540, 300), (630, 230)]
    c.line(points, SUN, 10)
    for x, y in points:
        c.circle(x, y, 16, SUN)
    c.rect(820, 200, 1080, 600, SAND, radius=20)  # a checklist
    for row in range(4):
        y = 260 + row * 90
        c.rect(850, y - 22, 894, y + 22, WHITE, radius=8)
        c.line([(915, y), (1050 - (row % 2) * 40, y)], TEAL, 10)
        if row < 3:
            c.line([(858, y), (870, y + 12), (888, y - 14)], LEAF, 7)
    return c.finished()


THEMES: dict[str, Callable[[], Image.Image]] = {
    "literacy": literacy, "esd": esd, "health-wellbeing": health, "entrepreneurship": entrepreneurship,
    "equity-inclusion": equity, "gced": gced, "planning-me": planning,
}


def share() -> Image.Image:
    """The site's share image: a city skyline under a row of the themes' colours."""
    c = Canvas(SHARE_SIZE, TEAL)
    c.circle(980, 150, 90, SUN)
    buildings = ((60, 330, 170), (190, 250, 130), (340, 380, 150), (510, 200, 120), (650, 300, 160),
                 (830, 260, 120), (970, 360, 170))
    for x, top, w in buildings:
        c.rect(x, top, x + w, 630, "#163d4b")
        for row in range(int((560 - top) // 55)):
            for col in range(int((w - 30) // 45)):
                c.rect(x + 22 + col * 45, top + 30 + row * 55, x + 44 + col * 45, top + 58 + row * 55,
                       SUN if (row * 7 + col * 3 + x) % 5 == 0 else "#2c6275", radius=3)
    c.rect(0, 560, 1200, 630, PAPER)
    for i, fill in enumerate((RUST, SUN, LEAF, SKY, ROSE, PLUM, CHIP)):
        c.circle(150 + i * 150, 595, 22, fill)
    book(c, 250, 130, 220, WHITE, PAPER, TEAL)
    leaf(c, 700, 150, 120, -35, LEAF, "#e8f1e4")
    heart(c, 470, 110, 90, ROSE)
    return c.finished()


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def drawings() -> dict[Path, Image.Image]:
    """Every file this script writes, by path."""
    made = {IMAGES / f"{theme}.png": draw() for theme, draw in THEMES.items()}
    made[SHARE] = share()
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare the committed files with a fresh drawing (pixels), write nothing")
    args = parser.parse_args()
    different = []
    for path, image in drawings().items():
        if args.check:
            try:
                with Image.open(path) as old:
                    same = old.size == image.size and old.convert("RGB").tobytes() == image.convert("RGB").tobytes()
            except OSError:
                same = False
            if not same:
                different.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png(image))
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")
    for path in different:
        print(f"{path.relative_to(ROOT)} differs from a fresh drawing: run scripts/make_illustrations.py",
              file=sys.stderr)
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
