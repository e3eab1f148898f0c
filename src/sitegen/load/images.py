"""Photos and bitmaps of a content folder (JPEG, PNG, WebP, AVIF), read with Pillow before anything is published.

Owns what the load stage learns of each such file (`filetypes.RASTER_TYPES`;
the site publishes them resized, never as they are): its size upright (the
EXIF orientation of a phone photo applied), its format, whether it has
transparency, and a digest of its bytes, as a `Raster`. A file that cannot be
published becomes an `ImageRefusal` with its reason and a fix, which the load
stage tells where the image is used (the front matter's `image:` line) or at
the file itself:

- a file over the media size limit (site.yaml's `limits: media_size_mb`),
  never read;
- a picture of more than MAX_PIXELS pixels: a photo far larger than a page
  needs, or a decompression bomb (a small file that would take gigabytes of
  memory once decoded; Pillow's own guard is caught and told the same way);
- an animation (the site would keep only its first frame: GIF publishes one
  as it is);
- a file Pillow cannot decode whole: damaged, cut short, or not an image of
  these types at all. Only the JPEG, PNG, WebP and AVIF decoders are tried,
  whatever the file's name says.

A file is decoded whole here (a JPEG at an eighth of its size, which reads
every byte for a fraction of the work), so a damaged one is found by `check`
too. The build keeps each result while the file is unchanged. Nothing here
writes: `write/images.py` makes the resized files.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from collections.abc import Callable
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ..model.records import ImageRefusal, Raster
from . import filetypes
from .files import CEILING_MB, MEDIA_SETTING

MAX_PIXELS = 40_000_000  # 40 megapixels: more than any phone takes; far more than a page shows
FORMATS = ("JPEG", "PNG", "WEBP", "AVIF")  # the decoders Pillow may try (never EPS, PSD, ...)
ORIENTATION = 0x0112  # the EXIF tag that says how a photo was held
TURNED = frozenset({5, 6, 7, 8})  # orientations that swap width and height
DIGEST_SIZE = 16

TOO_LARGE_FIX = ("Make the file smaller (a photo 2,000 pixels wide is plenty on a web page; the site makes the "
                 "smaller sizes itself), or link to it where it is published elsewhere, or raise limits: "
                 f"{MEDIA_SETTING} in site.yaml (up to {CEILING_MB}). Readers on slow connections wait for "
                 "every megabyte.")
PIXELS_FIX = ("Save it smaller, for example 3,000 pixels wide at most (in an image editor: Image > Resize): the "
              "site makes the sizes a page needs itself.")
ANIMATION_FIX = "Save the animation as a GIF to publish it as it is, or save one frame as a JPEG or PNG."
UNREADABLE_FIX = ("Open it in an image editor and save it again as JPEG or PNG; if it came from a download or an "
                  "e-mail, fetch it again. A GIF or SVG must be named .gif or .svg.")


def read_raster(path: Path, rel: str, limit: int) -> Raster | ImageRefusal:
    """What the site needs to know of the image at `path` (`rel` in the content folder), or why it
    cannot be published; `limit` is the media size limit in bytes. Never raises for a bad file."""
    try:
        size = os.stat(path).st_size
        if size > limit:
            return ImageRefusal(rel, "is " + filetypes.too_large(size, limit, "an image or other file the site "
                                                                   "publishes").removeprefix("the file is "),
                                TOO_LARGE_FIX)
        with path.open("rb") as f:
            data = f.read(min(size, limit) + 1)  # one byte more than it had: a file that grew is seen
    except OSError as exc:
        return ImageRefusal(rel, f"cannot be read: {exc.strerror}", "Check that the file is there and readable.")
    if len(data) > limit:  # it grew past the limit since
        return ImageRefusal(rel, f"is over the {filetypes.megabytes(limit)} limit for an image or other file the "
                                 "site publishes", TOO_LARGE_FIX)
    return decode(data, rel)


def decode(data: bytes, rel: str) -> Raster | ImageRefusal:
    """The `Raster` of an image file's bytes, or why it cannot be published."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)  # Pillow's guard, told as a refusal
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return too_many_pixels(rel, width, height)
                frames = getattr(image, "n_frames", 1)
                if frames > 1:
                    return ImageRefusal(rel, f"is an animation ({frames} frames), which the site does not resize",
                                        ANIMATION_FIX)
                turned = image.getexif().get(ORIENTATION, 1) in TURNED
                alpha = image.has_transparency_data
                kind = image.format.lower()
                if image.format == "JPEG":  # decode at 1/8 scale: every byte is still read and checked
                    image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return ImageRefusal(rel, f"has more pixels than sitegen opens (over {MAX_PIXELS // 1_000_000} megapixels): "
                                 "it is either a huge picture or a file made to exhaust memory", PIXELS_FIX)
    except UnidentifiedImageError:
        return unreadable(rel, "it is not a JPEG, PNG, WebP or AVIF image")
    except Exception as exc:  # noqa: BLE001 - a damaged file is the author's problem, never a traceback
        return unreadable(rel, reason(exc))
    if turned:
        width, height = height, width
    return Raster(rel, hashlib.blake2b(data, digest_size=DIGEST_SIZE).hexdigest(), width, height, kind, alpha)


def too_many_pixels(rel: str, width: int, height: int) -> ImageRefusal:
    return ImageRefusal(rel, f"is {width:,} × {height:,} pixels ({width * height / 1_000_000:.1f} megapixels), over "
                             f"the limit of {MAX_PIXELS // 1_000_000} megapixels", PIXELS_FIX)


def unreadable(rel: str, why: str) -> ImageRefusal:
    return ImageRefusal(rel, f"cannot be read as an image: {why}", UNREADABLE_FIX)


def reason(exc: Exception) -> str:
    """Why Pillow could not decode a file, in an author's words (never an object's address, so the
    message is the same on every run)."""
    text = str(exc)
    if "truncated" in text or isinstance(exc, EOFError):
        return "the file is cut short (it may not have finished downloading or copying)"
    return f"the file is damaged ({type(exc).__name__})"


def read_rasters(root: Path, rels: list[str], limit: int,
                 mapper: Callable | None = None) -> tuple[tuple[Raster, ...], tuple[ImageRefusal, ...]]:
    """Each raster image of the content folder read (`rels`, in order): (what can be published, what cannot).

    `mapper(reader, [(rel, path)])`, when given, applies `RasterReader` to them (the build passes one
    that keeps each result while its file is unchanged, and reads many files on every core).
    """
    reader = RasterReader(limit)
    items = [(rel, root / rel) for rel in rels]
    results = mapper(reader, items) if mapper is not None else [reader(item) for item in items]
    return (tuple(r for r in results if isinstance(r, Raster)),
            tuple(r for r in results if isinstance(r, ImageRefusal)))


class RasterReader:
    """`read_raster` for one (rel, path), with the limit it was made with (`key`: results depend on it)."""

    def __init__(self, limit: int):
        self.limit = limit

    @property
    def key(self) -> str:
        return f"limit={self.limit} pixels={MAX_PIXELS}"

    def __call__(self, item: tuple[str, Path]) -> Raster | ImageRefusal:
        rel, path = item
        return read_raster(path, rel, self.limit)
