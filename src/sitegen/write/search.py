"""Write stage, search: the Pagefind index of the site's pages, made inside the build's transaction.

Pagefind (PyPI `pagefind[bin]`: its binary comes in the wheel and runs
offline) reads HTML pages and writes a static index, and the JavaScript that
searches it, under `pagefind/` in the site. The templates mark what it reads:
`data-pagefind-body` on what a result is made of (case studies and free
pages), `data-pagefind-filter` and `data-pagefind-meta` for the filters and
what a result shows.

It runs after every page is written into the stage and before the commit, so
a failed index fails the build and the output folder never holds an index of
pages other than its own. Pagefind reads a folder: a build into a new folder
has every page in its stage, but a build into a folder of its own stages only
the pages that changed. The pages are therefore gathered as hard links (copies
where a link cannot be made) in a temporary folder beside the output, which is
removed afterwards.

The index depends on the pages' bytes, Pagefind's version and the language
it is told to read: when none of them changed and the index files are still
in place, they are kept as they are.

Pagefind 1.5 writes the values of each filter in an order that changes from
run to run (a hash map's), and names the files after their bytes. sitegen's
output must be the same for the same input, so `canonical_filters` sorts them
and names the files again. It reads Pagefind's own file format (gzip, a
`pagefind_dcd` mark, then CBOR), which is why `pagefind-bin` is pinned to one
release; tests index one site twice and compare every byte.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import cbor2

BUNDLE = "pagefind"  # the folder of the index in the site
DISTRIBUTION = "pagefind-bin"  # the package that holds the binary (`pagefind[bin]`)


@dataclass(frozen=True)
class SearchIndex:
    """What the cache remembers of the last index: what it was made from, and its files."""

    key: str = ""
    files: tuple[str, ...] = ()  # output paths, "pagefind/..."


class SearchFailed(Exception):
    """Pagefind could not be run, or stopped with an error (its own words are in the message)."""


def index_key(pages: dict[str, str], language: str) -> str:
    """A digest of everything the index is made from: each page's path and bytes (as their digest),
    the language, and Pagefind's version."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{pagefind_version()}\0{language}\0".encode())
    for path in sorted(pages):
        h.update(f"{path}\0{pages[path]}\0".encode())
    return h.hexdigest()


def pagefind_version() -> str:
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def executable() -> Path:
    """The Pagefind binary of the installed `pagefind-bin`."""
    try:
        import pagefind_bin
    except ImportError as exc:
        raise SearchFailed("the search indexer (the Python package pagefind-bin) is not installed: "
                           "install sitegen again (pip install -e .)") from exc
    return pagefind_bin.get_executable()


def build_index(target, pages: dict[str, str], language: str, previous: SearchIndex) -> tuple[SearchIndex, set[str]]:
    """Index `pages` (output path -> digest of its bytes, HTML pages only) into `target`'s stage.

    Returns the new index and the files written for it (none when the last index still holds).
    Raises SearchFailed when Pagefind cannot index.
    """
    key = index_key(pages, language)
    if key == previous.key and previous.files and all((target.root / f).is_file() for f in previous.files):
        return previous, set()
    bundle = target.stage / BUNDLE
    if bundle.exists():  # left by an earlier attempt of this build: the stage is sitegen's
        shutil.rmtree(bundle)
    with tempfile.TemporaryDirectory(prefix=".sitegen-search-", dir=target.stage.parent) as folder:
        gather(target, sorted(pages), Path(folder))
        run_pagefind(Path(folder), bundle, language)
    canonical_filters(bundle)
    files = tuple(sorted(f"{BUNDLE}/{path.relative_to(bundle).as_posix()}"
                         for path in bundle.rglob("*") if path.is_file()))
    return SearchIndex(key, files), set(files)


def gather(target, pages: list[str], folder: Path) -> None:
    """Put each page (as this build leaves it: staged if written now, else in the output) into `folder`."""
    made = set()
    for rel in pages:
        source = target.stage / rel
        if not source.is_file():
            source = target.root / rel
        destination = folder / rel
        parent = rel.rpartition("/")[0]
        if parent not in made:
            destination.parent.mkdir(parents=True, exist_ok=True)
            made.add(parent)
        try:
            os.link(source, destination)
        except OSError:  # another file system, or links not allowed
            shutil.copyfile(source, destination)


MULTIPLE = "mul"  # ISO 639's code for several languages: Pagefind reads each page's <html lang> and indexes each apart


def language_of(site_language: str) -> str:
    """The language Pagefind is told to read: the primary subtag of site.yaml's `language` ("pt-BR" -> "pt"),
    or MULTIPLE for a site in several languages."""
    return site_language.split("-")[0].lower()


def pagefind_command(site: Path, bundle: Path, language: str) -> list[str]:
    forced = ["--force-language", language] if language != MULTIPLE else []
    return [str(executable()), "--site", str(site), "--output-path", str(bundle), *forced, "--silent"]


def run_pagefind(site: Path, bundle: Path, language: str) -> None:
    try:
        done = subprocess.run(pagefind_command(site, bundle, language), capture_output=True, text=True,
                              check=False)
    except OSError as exc:
        raise SearchFailed(f"the search indexer could not start: {exc.strerror}") from exc
    if done.returncode != 0:
        raise SearchFailed(failure(done.returncode, done.stderr or done.stdout))


def failure(status: int, said: str) -> str:
    said = " ".join(said.split())[-500:]
    return f"the search indexer stopped with status {status}: {said or 'no message'}"


class Indexing:
    """Pagefind indexing a finished site in the background, in a process group of its own (in the
    session of whoever started it, so it can be found), stopped at any moment with `kill` (`serve`
    stops it when the next save comes), at a lower priority than the server and the builder.

    `bundle` must be a new folder outside `site`; `install` then moves it into the site. Pagefind's
    messages go to a file beside the bundle, never to a pipe that a long run could fill. Folders
    that are no longer needed are renamed out of the way at once and deleted by a thread, so that
    the caller (serve's IOLoop) never waits for thousands of files to go.
    """

    def __init__(self, site: Path, bundle: Path, language: str):
        self.site, self.bundle = site, bundle
        self.said = bundle.with_name(bundle.name + ".log")
        try:
            with self.said.open("wb") as log:
                self.process = subprocess.Popen(pagefind_command(site, bundle, language), stdin=subprocess.DEVNULL,
                                                stdout=subprocess.DEVNULL, stderr=log, process_group=0)
        except OSError as exc:
            raise SearchFailed(f"the search indexer could not start: {exc.strerror}") from exc
        try:
            os.setpriority(os.PRIO_PROCESS, self.process.pid, NICER)
        except OSError:  # gone already, or not allowed: it runs at the usual priority
            pass

    def done(self) -> bool:
        return self.process.poll() is not None

    def kill(self) -> None:
        """SIGKILL to Pagefind's group; returns at once (safe in a signal handler)."""
        if self.process.returncode is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def close(self) -> None:
        """Kill Pagefind if it still runs, reap it and remove what it left (in the background)."""
        self.kill()
        self.process.wait()
        discard(self.bundle)
        self.said.unlink(missing_ok=True)

    def install(self) -> None:
        """Once `done()`: put the new bundle in place of the site's, which is then deleted.
        Raises SearchFailed, with Pagefind's words, when it failed or could not be put in place."""
        status = self.process.wait()
        try:
            if status != 0:
                said = self.said.read_bytes()[-4000:].decode("utf-8", "replace")
                raise SearchFailed(failure(status, said))
            place = self.site / BUNDLE
            old = self.bundle.with_name(self.bundle.name + "-old")
            if place.exists():
                place.rename(old)
            try:
                self.bundle.rename(place)
            except OSError as exc:
                if old.exists():
                    old.rename(place)  # the last index stays in place
                raise SearchFailed(f"the new search index could not be put in place: {exc.strerror or exc}") from exc
            discard(old)
        finally:
            self.close()


NICER = 10  # how much lower the background indexer's priority is (`nice`)


def discard(folder: Path) -> None:
    """Delete `folder` in a thread of its own, after renaming it out of the way (so nothing can find
    it any more once this returns)."""
    if not folder.exists():
        return
    trash = folder.with_name(folder.name + f".deleting-{os.getpid()}-{id(folder)}")
    try:
        folder.rename(trash)
    except OSError:
        trash = folder
    threading.Thread(target=shutil.rmtree, args=(trash,), kwargs={"ignore_errors": True}, daemon=True).start()


MARK = b"pagefind_dcd"  # what Pagefind's index files start with, once unzipped


def read_cbor(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(MARK):
        raise SearchFailed(f"the search index file {path.name} is not in the format sitegen reads (Pagefind "
                           f"{pagefind_version()}): install the version sitegen pins")
    return cbor2.loads(data[len(MARK):])


def write_cbor(folder: Path, stem: str, suffix: str, value) -> str:
    """Write `value` as Pagefind does, named `<stem>_<digest>.<suffix>`; returns the name without the suffix."""
    data = gzip.compress(MARK + cbor2.dumps(value), mtime=0)
    name = f"{stem}_{hashlib.blake2b(data, digest_size=8).hexdigest()[:10]}"
    (folder / f"{name}.{suffix}").write_bytes(data)
    return name


def canonical_filters(bundle: Path) -> None:
    """Sort the values of every filter, the filters in the metadata file and the languages of the entry file,
    and rename the files after their new bytes, so that the same pages always give the same index."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language in entry["languages"].values():
        meta_path = bundle / f"pagefind.{language['hash']}.pf_meta"
        meta = read_cbor(meta_path)
        stem = language["hash"].split("_")[0]
        filters = []
        for name, digest in meta[3]:
            path = bundle / "filter" / f"{digest}.pf_filter"
            filter_name, values = read_cbor(path)
            path.unlink()
            filters.append([name, write_cbor(path.parent, stem, "pf_filter", [filter_name, sorted(values)])])
        meta[3] = sorted(filters)
        meta_path.unlink()
        language["hash"] = write_cbor(bundle, "pagefind." + stem, "pf_meta", meta).removeprefix("pagefind.")
    entry["languages"] = dict(sorted(entry["languages"].items()))  # (in no fixed order with several languages)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
