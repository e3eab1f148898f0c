"""Write stage: the files made of each raster image, resized with Pillow and bare of metadata, kept in a cache.

Owns making them (`make`): the original decoded (a JPEG at the smallest
scale its decoder offers that still covers the widest file), turned upright
by its EXIF orientation, converted to sRGB when it carries a colour profile,
resized with Lanczos to each width, and encoded as JPEG (quality 82,
progressive, optimized), PNG (lossless, zlib level 6) or WebP (quality 80).
Nothing but the pixels is written: no EXIF (so no GPS position), no XMP, no
ICC profile, no comment, no resolution. Every encoder setting is fixed and
nothing carries a time, so the same original always gives the same bytes.
Only Pillow's JPEG, PNG, WebP and AVIF decoders are tried.

And keeping them (`ImageStore`): each file under a key made of the
original's digest, the file's width, format and quality, Pillow's version
and this module's `RECIPE`, in a folder beside the build cache
(`<cache_dir>/sitegen/images/`), shared by every output folder; a file read
back must match the digest stored with it, or it is made again. It holds
bytes only, never anything that is run or unpickled.

`write_images` writes each file through the build's target. A file the
output folder already holds from the last build under the same key (the
render cache remembers the key of each) is left as it is, so a warm build
decodes no image; one the store holds is copied from it; the rest are made,
an original at a time, on every core (the build stage's worker processes)
when there are several.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import PIL
from PIL import Image, ImageCms, ImageOps

from ..model.records import ProcessedImage, Variant

RECIPE = "2"  # change it when the making of a file changes without Pillow's version changing
FORMATS = ("JPEG", "PNG", "WEBP", "AVIF")  # as load/images.py: never another decoder
DIGEST_SIZE = 16


def variant_key(image: ProcessedImage, variant: Variant) -> str:
    """What a file's bytes depend on: the original, the width, the format and quality, Pillow and the recipe."""
    text = f"{RECIPE}\0{PIL.__version__}\0{image.digest}\0{variant.width}x{variant.height}\0{variant.format}" \
           f"\0{variant.quality}"
    return hashlib.blake2b(text.encode(), digest_size=DIGEST_SIZE).hexdigest()


# --------------------------------------------------------------------------- making the files

class Changed(Exception):
    """The original is no longer the file the load stage read (it changed during the build)."""


def make(source: Path, image: ProcessedImage, variants: Iterable[Variant]) -> dict[str, bytes]:
    """The bytes of each of `variants` of `image` (site path -> bytes), made from the original at `source`.

    Raises Changed when the file's bytes are no longer those `image` was planned from, and Pillow's
    errors for a file it cannot decode (which the load stage has already refused once).
    """
    variants = tuple(variants)
    data = source.read_bytes()
    if hashlib.blake2b(data, digest_size=DIGEST_SIZE).hexdigest() != image.digest:
        raise Changed(source)
    # The decoding scale and the chain of resizes come from all of the image's files, never from the
    # ones asked for: a file made alone (the others kept) has the bytes it has when all are made.
    with Image.open(io.BytesIO(data), formats=FORMATS) as opened:
        widest = max(v.width for v in image.variants)
        if opened.format == "JPEG":  # decode no more pixels than the widest file needs
            scale = widest / image.width
            opened.draft("RGB" if opened.mode == "RGB" else None,
                         (max(1, int(opened.width * scale)), max(1, int(opened.height * scale))))
        opened.load()
        upright = ImageOps.exif_transpose(opened)
    picture = in_srgb(upright)
    picture.info = {}  # its colours are sRGB now; nothing else of the original is kept
    made = {}
    # widest first, each width resized once (from the last: faster, and as sharp) for all its formats,
    # down to the narrowest asked for
    narrowest = min(v.width for v in variants)
    for size in sorted({(v.width, v.height) for v in image.variants if v.width >= narrowest}, reverse=True):
        if picture.size != size:
            picture = picture.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        for variant in variants:
            if (variant.width, variant.height) == size:
                made[variant.path] = encode(picture, variant)
    return made


def in_srgb(image: Image.Image) -> Image.Image:
    """`image` in a mode every encoder takes (RGB, RGBA, L, LA), its colours converted to sRGB when it
    carries a colour profile (the profile itself is not kept: a browser reads untagged pixels as sRGB)."""
    alpha = image.has_transparency_data
    profile = image.info.get("icc_profile")
    if image.mode not in ("RGB", "RGBA", "L", "LA", "CMYK"):
        image = image.convert("RGBA" if alpha else "RGB")
    if profile:
        try:
            image = ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                                              ImageCms.createProfile("sRGB"),
                                              outputMode="RGBA" if image.mode in ("RGBA", "LA") else "RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a profile that does not fit the pixels: they are kept as they are
    if image.mode == "CMYK":
        image = image.convert("RGB")
    return image


def encode(image: Image.Image, variant: Variant) -> bytes:
    """The file of one variant: the pixels alone, with fixed settings."""
    image.info = {}  # nothing of the original's metadata may reach an encoder
    out = io.BytesIO()
    if variant.format == "jpeg":
        image = image if image.mode in ("RGB", "L") else image.convert("RGB")
        image.save(out, "JPEG", quality=variant.quality, optimize=True, progressive=True, subsampling="4:2:0")
    elif variant.format == "png":
        image.save(out, "PNG", compress_level=6)  # (optimize: 1% smaller, 10 times slower on a photo)
    else:
        image = image if image.mode in ("RGB", "RGBA") else image.convert("RGBA" if "A" in image.mode else "RGB")
        image.save(out, "WEBP", quality=variant.quality, method=4, exact=False)
    return out.getvalue()


# --------------------------------------------------------------------------- the image cache

@dataclass(frozen=True)
class ImageStore:
    """Image files kept between builds, by key (`variant_key`): `<folder>/<ab>/<key>`, each file the
    digest of its bytes then the bytes."""

    folder: Path

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def get(self, key: str) -> bytes | None:
        """The bytes kept under `key`, or None when there are none, or they do not match their digest."""
        try:
            stored = self.path(key).read_bytes()
        except OSError:
            return None
        data = stored[DIGEST_SIZE:]
        if hashlib.blake2b(data, digest_size=DIGEST_SIZE).digest() != stored[:DIGEST_SIZE]:
            return None
        return data

    def put(self, key: str, data: bytes) -> None:
        """Keep `data` under `key`; a store that cannot be written is left as it is (it only saves time)."""
        path = self.path(key)
        temporary = path.with_name(f".{key}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(hashlib.blake2b(data, digest_size=DIGEST_SIZE).digest() + data)
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)


# --------------------------------------------------------------------------- writing them

@dataclass
class ImageWork:
    """What `write_images` did: files made by Pillow, copied from the image cache, and kept as they were."""

    made: int = 0
    from_store: int = 0
    kept: int = 0
    files: set[str] = field(default_factory=set)  # every image file of the site
    written: set[str] = field(default_factory=set)  # those written by this build
    keys: dict[str, str] = field(default_factory=dict)  # site path -> key of its bytes (the render cache keeps it)
    failed: list[tuple[Path, str]] = field(default_factory=list)  # (original, why) of those that could not be made


def write_images(target, images: list[tuple[ProcessedImage, Path]], last: dict[str, str],
                 store: ImageStore | None, processes: Callable[[int], int] = lambda count: 1,
                 pool: Callable | None = None, make_files: bool = True,
                 advance: Callable[[int], None] = lambda done: None) -> ImageWork:
    """Write every file of `images` ((image, its original) pairs) through `target`.

    `last`: site path -> key of each file the last build wrote into the output folder. The
    originals to decode are spread over `processes(count)` worker processes made by
    `pool(processes)` (the build stage's: forked, so nothing is pickled but the bytes made).
    Without `make_files` (`check`, which writes nothing) the files are only listed. `advance(n)` hears
    of each n originals done (a progress bar).
    """
    work = ImageWork()
    todo = []
    for image, source in images:
        wanted = []
        for variant in image.variants:
            if variant.path in work.keys:  # an identical original elsewhere in the content folder
                continue
            key = work.keys[variant.path] = variant_key(image, variant)
            work.files.add(variant.path)
            if not make_files:
                continue
            if last.get(variant.path) == key and (target.root / variant.path).exists():
                work.kept += 1
                continue
            data = store.get(key) if store is not None else None
            if data is not None:
                target.write(variant.path, data)
                work.written.add(variant.path)
                work.from_store += 1
                continue
            wanted.append(variant)
        if wanted:
            todo.append((image, source, tuple(wanted)))
    advance(len(images) - len(todo))
    if not todo:
        return work
    count = processes(len(todo)) if pool is not None else 1
    workers = pool(count) if count > 1 else None
    try:
        results = workers.imap(make_or_fail, todo) if workers is not None else map(make_or_fail, todo)
        for (image, source, wanted), made in zip(todo, results):  # each written as it comes: little held at once
            advance(1)
            if isinstance(made, str):
                work.failed.append((source, made))
                continue
            for variant in wanted:
                data = made[variant.path]
                if store is not None:
                    store.put(work.keys[variant.path], data)
                target.write(variant.path, data)
                work.written.add(variant.path)
                work.made += 1
    finally:
        if workers is not None:
            workers.terminate()
    return work


def make_or_fail(job: tuple[ProcessedImage, Path, tuple[Variant, ...]]) -> dict[str, bytes] | str:
    """`make`, or why it failed (in an author's words): never an exception out of a thread."""
    image, source, variants = job
    try:
        return make(source, image, variants)
    except Changed:
        return "the file changed while the site was being built: build again"
    except OSError as exc:
        if "truncated" in str(exc):
            return "the file cannot be read as an image: the file is cut short"
        return f"the file cannot be read as an image ({type(exc).__name__}: {exc.strerror or 'damaged'})"
    except Exception as exc:  # noqa: BLE001 - a damaged file is the author's problem, never a traceback
        return f"the file cannot be read as an image: the file is damaged ({type(exc).__name__})"
