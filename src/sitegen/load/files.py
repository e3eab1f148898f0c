"""Files of a content folder: where things are, reading text, links that must stay inside, assets.

Owns the folder layout (case-studies/, pages/, site.yaml, home.md, templates/),
reading a file as text (UTF-8 with or without BOM, any line ending), refusing
links that lead outside the content folder or nowhere, finding the Markdown
files and the assets (every other file), and keeping assets off the places
the site's own files take. Which assets may be published (their types,
backups left out, SVG files checked) is `filetypes`'.

Also owns how large a file may be (`FileLimits`, from site.yaml's `limits:`):
a Markdown file (case study, page, home) or an SVG/XML file that sitegen
reads and checks may be `file_size_mb` (8 MB unless site.yaml says), any
file published as it is, SVG too, `media_size_mb` (25 MB, what GitHub's web
page uploads); neither goes above 100 MB, the largest file GitHub accepts.
A larger file is an error at its line 1 that gives its size, the limit and
the setting to raise; it is never read past the limit. A photo or bitmap
(`filetypes.RASTER_TYPES`) is measured when `images` reads it, so that its
error is told where it is used.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from slugify import slugify

from ..model.diagnostics import Report
from ..model.records import Asset
from ..model.urls import Reserved
from . import filetypes

CASE_STUDY_DIR = "case-studies"
PAGES_DIR = "pages"
SITE_FILE = "site.yaml"
HOME_FILE = "home.md"
OVERRIDES_DIR = "templates"  # a content folder may carry its own template overrides
NOTHING_RESERVED = Reserved(frozenset(), frozenset(), frozenset(), (), frozenset())


MB = filetypes.MB
MAX_TEXT_BYTES = filetypes.MAX_XML_BYTES  # file_size_mb's default: far above any case study; site.yaml's limit
MAX_MEDIA_BYTES = 25 * MB  # media_size_mb's default: the largest file GitHub's web page uploads
CEILING_MB = 100  # neither limit goes higher: GitHub refuses a file over 100 MB
CEILING_BYTES = CEILING_MB * MB
TEXT_SETTING, MEDIA_SETTING = "file_size_mb", "media_size_mb"  # the keys under site.yaml's `limits:`
TEXT_FIX = f"Split it into several case studies or pages, or raise limits: {TEXT_SETTING} in site.yaml."


@dataclass(frozen=True)
class FileLimits:
    """How large a file of the content folder may be, in bytes (site.yaml's `limits:`).

    Part of what a loaded case study depends on (`StudyLoader.key`): a new limit checks every file again.
    """

    text: int = MAX_TEXT_BYTES  # a Markdown file, or an SVG/XML file checked before it is published
    media: int = MAX_MEDIA_BYTES  # every file published as it is: images (SVG too), PDFs, CSV files...


DEFAULT_LIMITS = FileLimits()


def read_text(path: Path, report: Report, limit: int = MAX_TEXT_BYTES, what: str = "a Markdown file",
              fix: str = TEXT_FIX) -> str | None:
    """The file as text with LF line endings, or None (with a located error).

    A file over `limit` bytes is not read: text that long is a mistake or an attack, and the
    Markdown parser's work grows faster than the text does. `what` and `fix` complete the error.
    """
    data = filetypes.read_at_most(path, limit, report, what, fix)
    if data is None:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start:exc.start].decode("utf-8", "replace")) + 1
        report.error(path, line, "the file is not UTF-8 text",
                     "Save it as UTF-8 (in most editors: Save with encoding > UTF-8).", column)
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def is_inside(root: Path, path: Path, report: Report, folders: dict[str, str] | None = None) -> bool:
    """False (with an error) when `path` is a link to a file outside the content folder.

    `folders` remembers where each folder really is, so a folder of many files is resolved once.
    """
    folders = {} if folders is None else folders
    try:
        real = str(path.resolve()) if path.is_symlink() else os.path.join(real_folder(path.parent, folders), path.name)
        base = real_folder(root, folders).rstrip(os.sep) + os.sep
        if not real.startswith(base):
            report.error(path, None, "this file is a link to something outside the content folder",
                         "Copy the file into the content folder instead of linking to it.")
            return False
    except (OSError, RuntimeError):  # a link to itself, or a name the system cannot use
        report_dead_link(path, report)
        return False
    return True


def report_dead_link(path: Path, report: Report) -> None:
    report.error(path, None, "this file is a link that leads nowhere",
                 "Replace the link with the file itself, or delete it.")


def real_folder(folder: Path, folders: dict[str, str]) -> str:
    key = str(folder)
    if key not in folders:
        folders[key] = str(folder.resolve())
    return folders[key]


def markdown_files(folder: Path, report: Report) -> list[Path]:
    """The .md files of a folder, sorted; of two names that differ only in case, the second is refused."""
    files, seen = [], {}
    try:
        names = sorted(e.name for e in os.scandir(folder) if e.name.endswith(".md") and not e.name.startswith(".")
                       and not filetypes.is_backup(e.name))  # e.g. an office program's lock file, ~$plan.md
    except (FileNotFoundError, NotADirectoryError):
        names = []
    for path in (folder / name for name in names):
        key = folded(path.name)
        if key in seen:
            report.error(path, None, f"'{path.name}' and '{seen[key]}' differ only in upper and lower case",
                         "Windows and macOS see them as one file: rename or merge one of them.")
            continue
        seen[key] = path.name
        files.append(path)
    return files


def file_slug(path: Path) -> str:
    return slugify(path.stem)



def find_assets(root: Path, report: Report, reserved: Reserved = NOTHING_RESERVED,
                extra_types: tuple[str, ...] = (), limits: FileLimits = DEFAULT_LIMITS) -> list[Asset]:
    """Every non-Markdown file in the content folder that may be published, except site.yaml,
    overrides and hidden files.

    A file of a type that is not published (`filetypes.published_types`; `extra_types` are
    site.yaml's publish_types), an SVG that fails its check, or a file over its size limit
    (`limits`) is an error; an editor's backup or temporary file is left out with a hint.
    Either way the file is not published.
    """
    types = filetypes.published_types(extra_types)
    assets = []
    seen: dict[str, str] = {}
    folders: dict[str, str] = {}  # see is_inside
    for folder, dirs, files in os.walk(root):
        rel_folder = Path(folder).relative_to(root)
        top = rel_folder == Path(".")
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (top and d == OVERRIDES_DIR))
        for name in sorted(files):
            if name.startswith("."):
                continue
            backup = filetypes.is_backup(name)  # (before .md: an office program's lock file ~$plan.md is one)
            if not backup and (name.endswith(".md") or (top and name == SITE_FILE)):
                continue
            path = Path(folder) / name
            rel = (rel_folder / name).as_posix()
            if backup:
                report.hint(path, None, f"'{rel}' is a backup or temporary file, so it is not published",
                            "Nothing to do; delete it when you no longer need it.")
                continue
            if not is_inside(root, path, report, folders):
                continue
            try:
                info = os.stat(path)
            except OSError:
                info = None
            if info is None or not stat.S_ISREG(info.st_mode):  # a link to a missing file
                report_dead_link(path, report)
                continue
            key = folded(rel)
            if takes_generated_place(key, reserved):
                report.error(path, None, f"'{rel}' would replace a file the site makes itself",
                             "Rename the file or move it into another folder.")
                continue
            if key in seen:
                report.error(path, None, f"'{rel}' and '{seen[key]}' differ only in upper and lower case",
                             "Windows and macOS see them as one file: rename one of them.")
                continue
            seen[key] = rel
            if filetypes.check_asset(path, name, types, report, limit=limits.text) and (
                    # a raster image's size is checked when it is read (load/images.py), and told where it is used
                    filetypes.extension(name) in filetypes.RASTER_TYPES
                    or not over_media_limit(path, info.st_size, limits.media, report)):
                assets.append(Asset(rel, path))
    return assets


def over_media_limit(path: Path, size: int, limit: int, report: Report) -> bool:
    """True (with an error at line 1) when a file published as it is, `size` bytes long, is over `limit`."""
    if size <= limit:
        return False
    report.error(path, 1, filetypes.too_large(size, limit, "an image or other file the site publishes"),
                 "Make the file smaller (a photo 2,000 pixels wide is plenty on a web page; save a PDF with "
                 "reduced size), or link to it where it is published elsewhere, or raise limits: "
                 f"{MEDIA_SETTING} in site.yaml (up to {CEILING_MB}). Readers on slow connections wait for "
                 "every megabyte.")
    return True


def takes_generated_place(key: str, reserved: Reserved) -> bool:
    """Would a file at `key` (folded) replace, or stand in the way of, a file the site makes?"""
    return (key.rsplit("/", 1)[-1] in reserved.names or key in reserved.files or key in reserved.folders
            or key.startswith(reserved.copied) or any(key.startswith(f"{file}/") for file in reserved.files))


def folded(rel: str) -> str:
    """The form under which two paths are one file on Windows and macOS (case and Unicode form ignored)."""
    return unicodedata.normalize("NFC", rel).casefold()
