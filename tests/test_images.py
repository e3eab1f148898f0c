"""Photos and bitmaps: resized into srcset widths and WebP, bare of metadata, refused when bad, cached.

One site is built once for the module (a phone photo held sideways with its
GPS position in EXIF, XMP, a comment and a colour profile; a transparent PNG;
a WebP in a body; a small PNG; a GIF), and read back: every width in every
srcset exists at the size it states, in its format; nothing of the originals'
metadata, and no original, is published; the photo is upright; a lead image
loads at once and thumbnails lazily. A warm build, a build into a new folder
and a `serve` edit resize nothing; two clean builds give the same bytes; the
site works under its base path. Bad images (too large, too many pixels, cut
short, not images) are located errors that leave the last output as it was.
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms, PngImagePlugin

from conftest import ROOT, SiteFolder, case_study, run_cli
from linkcheck import Crawler
from sitegen.build import pipeline
from sitegen.index.images import WIDTHS, plan, widths_for
from sitegen.load import images as load_images
from sitegen.load.files import find_assets
from sitegen.markup.convert import BODY_SIZES, Converter, picture_html
from sitegen.model.diagnostics import Report
from sitegen.model.records import Raster, Text
from sitegen.model.urls import Urls
from sitegen.write import images as write_images
from sitegen.render import outputs

SECRET = "sitegen-secret-place-33N51E"  # in every piece of metadata the originals carry
BASE = "/showcase/"


def phone_photo() -> bytes:
    """A 2000 x 1500 JPEG as a phone stores a portrait photo: sideways, with EXIF orientation 6 (turn it a
    quarter clockwise), a GPS position, a description, XMP, a comment and an sRGB profile. Its stored
    top-left corner is red, so the upright picture has red at its top right."""
    image = Image.new("RGB", (2000, 1500), (40, 90, 160))
    image.paste((230, 20, 20), (0, 0, 300, 300))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010E] = SECRET
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (33.0, 59.0, 24.0), 3: "E", 4: (51.0, 26.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes(), comment=SECRET.encode(),
               xmp=f"<x:xmpmeta>{SECRET}</x:xmpmeta>".encode(),
               icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    return out.getvalue()


def encoded(image: Image.Image, format: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format, **options)
    return out.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG that says it is `width` x `height` pixels (its data would never fill them)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def described() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010E] = SECRET
    return exif


def with_text(text: str) -> PngImagePlugin.PngInfo:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", text)
    return info


ORIGINALS = {
    "case-studies/img/phone.jpg": phone_photo(),
    "case-studies/img/chart.png": encoded(Image.new("RGBA", (900, 600), (20, 120, 60, 160)), "PNG",
                                          pnginfo=with_text(SECRET), exif=described()),
    "case-studies/img/harbour.webp": encoded(Image.new("RGB", (640, 480), (200, 180, 40)), "WEBP",
                                             exif=described().tobytes()),
    "case-studies/img/small.png": encoded(Image.new("RGB", (300, 200), (90, 90, 90)), "PNG", pnginfo=with_text(SECRET)),
    "case-studies/img/anim.gif": encoded(Image.new("P", (40, 30)), "GIF"),
}


def write_site(root: Path) -> SiteFolder:
    site = SiteFolder(root)
    sources = '[{title: "Report", url: "https://example.org/r"}]'
    for rel, data in ORIGINALS.items():
        site.write(rel, data)
    site.study("kashan-health-tv", image="img/phone.jpg", image_alt="Presenters in a studio",
               image_credit="\"Photo: a test\"", sources=sources,
               body="Intro.\n\n![A harbour at noon](img/harbour.webp)\n\nSee [the photo at full size](img/phone.jpg)"
                    " and ![a chart](/showcase/case-studies/img/chart.png).\n\n## Context\n\nText.\n")
    site.study("cork-charts", title="Cork in charts", city="Cork", country="IE", image="img/chart.png",
               image_alt="A green square", sources=sources, date="2022-01-02")
    site.study("gdynia-small", title="A small picture", city="Gdynia", country="PL", image="img/small.png",
               image_alt="A grey field", sources=sources, date="2021-01-02")
    site.study("tehran-gif", title="An animation", city="Tehran", country="IR", image="img/anim.gif",
               image_alt="A black box", sources=sources, date="2020-01-02")
    return site


def options(site: SiteFolder, output: Path, cache: Path | None, **extra) -> pipeline.BuildOptions:
    return pipeline.BuildOptions(content=site.root, output=output, templates=ROOT / "templates", cache_dir=cache,
                                 search=False, **extra)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(content folder, output folder, cache folder, build result) of the module's site, built cold."""
    root = tmp_path_factory.mktemp("images")
    site = write_site(root / "content")
    result = pipeline.build(options(site, root / "output", root / ".cache"))
    assert result.ok and not result.report.failed(strict=True), result.report.as_text()
    return site, root / "output", root / ".cache", result


class Tags(HTMLParser):
    """Every start tag of a page, as (tag, attributes)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def of(self, tag: str) -> list[dict]:
        return [a for t, a in self.tags if t == tag]


def page(output: Path, path: str) -> Tags:
    return Tags((output / path / "index.html").read_text(encoding="utf-8"))


def file_of(output: Path, url: str) -> Path:
    assert url.startswith(BASE), url
    return output / url[len(BASE):]


def candidates(srcset: str) -> list[tuple[str, int]]:
    found = []
    for part in srcset.split(","):
        url, descriptor = part.split()
        assert descriptor.endswith("w")
        found.append((url, int(descriptor[:-1])))
    return found


# --------------------------------------------------------------------------- what a page shows

def test_every_srcset_width_exists_at_the_size_it_states_with_width_and_height_set(built):
    site, out, _, result = built
    pictures = 0
    for path in ("case-studies/kashan-health-tv", "case-studies/cork-charts", "case-studies/gdynia-small",
                 "case-studies"):
        tags = page(out, path)
        for attrs in tags.of("source") + tags.of("img"):
            if "srcset" not in attrs:
                continue
            pictures += 1
            listed = candidates(attrs["srcset"])
            assert len({url for url, _ in listed}) == len(listed), "each file once"
            ratios = set()
            for url, width in listed:
                with Image.open(file_of(out, url)) as image:
                    assert image.width == width, url
                    ratios.add(round(image.height / image.width, 2))
            assert len(ratios) == 1, "every width keeps the picture's shape"
            if "src" in attrs:  # an <img>: its src is its widest file, whose size it states
                with Image.open(file_of(out, attrs["src"])) as image:
                    assert (int(attrs["width"]), int(attrs["height"])) == image.size
                assert attrs["src"] == max(listed, key=lambda c: c[1])[0]
    assert pictures >= 10
    kashan = page(out, "case-studies/kashan-health-tv")
    lead = kashan.of("img")[1]  # after the header's icon
    assert lead["alt"] == "Presenters in a studio" and "loading" not in lead, "the lead image may be the largest paint"
    assert [w for _, w in candidates(lead["srcset"])] == [480, 800, 1200]
    assert (lead["width"], lead["height"]) == ("1200", "1600")
    small = page(out, "case-studies/gdynia-small").of("img")[1]
    assert [w for _, w in candidates(small["srcset"])] == [300], "never wider than the original"
    chart = page(out, "case-studies/cork-charts").of("img")[1]
    assert [w for _, w in candidates(chart["srcset"])] == [480, 800, 900]


def test_cards_show_lazy_thumbnails_and_a_gif_stays_as_it_is(built):
    _, out, _, _ = built
    listing = page(out, "case-studies")
    thumbnails = [a for a in listing.of("img") if "srcset" in a]
    assert len(thumbnails) == 3 and all(a["loading"] == "lazy" and a["alt"] == "" for a in thumbnails)
    gif = [a for a in page(out, "case-studies/tehran-gif").of("img") if a.get("alt") == "A black box"]
    assert gif == [{"src": f"{BASE}case-studies/img/anim.gif", "alt": "A black box", "decoding": "async"}]
    assert (out / "case-studies/img/anim.gif").read_bytes() == ORIGINALS["case-studies/img/anim.gif"]


def test_webp_is_offered_first_and_every_file_is_of_its_format(built):
    _, out, _, _ = built
    formats = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}
    files = sorted((out / "media").iterdir())
    assert len(files) == 6 + 6 + 2 + 2  # phone, chart: 3 widths x 2 formats; harbour: 2 widths, WebP only; small
    for path in files:
        with Image.open(path) as image:
            assert image.format == formats[path.suffix[1:]], path.name
    kashan = page(out, "case-studies/kashan-health-tv")
    sources = kashan.of("source")
    assert len(sources) == 4  # the lead's, the body's chart's, two related cards'; the harbour is WebP itself
    assert all(s["type"] == "image/webp" and all(url.endswith(".webp") for url, _ in candidates(s["srcset"]))
               for s in sources)


def test_no_metadata_and_no_original_is_published(built):
    _, out, _, _ = built
    for path in (out / "media").iterdir():
        with Image.open(path) as image:
            assert not image.getexif(), f"{path.name} has EXIF data"
            assert not {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment"} & set(image.info), \
                f"{path.name}: {sorted(image.info)}"
    published = tree(out)
    assert not any(SECRET.encode() in data for data in published.values()), "the GPS position's photo left a trace"
    for rel, data in ORIGINALS.items():
        if not rel.endswith(".gif"):
            assert rel not in published and data not in published.values(), f"{rel} was published as it is"


def test_a_phone_photo_comes_out_upright(built):
    _, out, _, _ = built
    [widest] = (out / "media").glob("phone-1200.*.jpg")
    with Image.open(widest) as image:
        assert image.size == (1200, 1600)
        red, green, blue = image.getpixel((image.width - 20, 20))
        assert red > 180 and green < 80 and blue < 80, "the stored top-left corner is now the top right"
        assert image.getpixel((20, 20))[2] > 120


def test_body_images_get_a_picture_with_dimensions_and_links_lead_to_the_largest_file(built):
    _, out, _, _ = built
    html = (out / "case-studies/kashan-health-tv/index.html").read_text(encoding="utf-8")
    body = Tags(html.split('<div class="prose">', 1)[1].split("</div>", 1)[0])
    harbour, chart = body.of("img")
    assert harbour["alt"] == "A harbour at noon" and harbour["loading"] == "lazy" and harbour["sizes"] == BODY_SIZES
    assert (harbour["width"], harbour["height"]) == ("640", "480") and harbour["src"].endswith(".webp")
    assert [w for _, w in candidates(harbour["srcset"])] == [480, 640]
    assert chart["alt"] == "a chart" and chart["src"].startswith(f"{BASE}media/chart-900.")  # a root-relative link
    [link] = [a["href"] for a in body.of("a") if "media/" in a.get("href", "")]
    assert re.fullmatch(rf"{BASE}media/phone-1200\.[0-9a-f]{{8}}\.jpg", link)
    feed = (out / "countries/iran/feed.xml").read_text(encoding="utf-8")
    assert "srcset=&#34;https://example.org/showcase/media/harbour-480." in feed, "a feed's addresses are absolute"
    assert not re.search(r"srcset=&#34;/", feed)


@pytest.mark.vnu
def test_pictures_in_bodies_cards_and_lead_images_are_valid_html(built):
    """The showcase's pages are checked in test_html_valid.py; this site also has pictures in a body."""
    from test_html_valid import vnu
    _, out, _, _ = built
    pages = [out / "case-studies/kashan-health-tv/index.html", out / "case-studies/index.html"]
    assert "<picture><source" in pages[0].read_text(encoding="utf-8")
    assert vnu(*pages) == []


def test_a_case_study_offers_its_image_to_share_and_every_page_the_sites(built):
    _, out, _, result = built
    head = page(out, "case-studies/kashan-health-tv").of("meta")
    [image] = [m["content"] for m in head if m.get("property") == "og:image"]
    assert re.fullmatch(r"https://example\.org/showcase/media/phone-1200\.[0-9a-f]{8}\.jpg", image)
    from sitegen.render.pages import site_context
    from sitegen.render.views import site_views
    views = site_views(result.model)
    study = result.model.content_by_slug["kashan-health-tv"]
    context = outputs.study_context(result.model, study, views)
    share = context["share_image"]
    assert (share.width, share.height, share.alt, share.mime) == (1200, 1600, "Presenters in a studio", "image/jpeg")
    gif = outputs.study_context(result.model, result.model.content_by_slug["tehran-gif"], views)
    assert gif["share_image"] is None
    default = site_context(result.model)["site_share_image"]
    with Image.open(ROOT / "templates" / default.path) as drawn:
        assert drawn.size == (default.width, default.height) == (1200, 630) and default.mime == "image/png"
    assert (out / default.path).is_file()


# --------------------------------------------------------------------------- no image work twice

def test_a_warm_build_a_new_folder_and_a_serve_edit_resize_nothing(built, tmp_path, monkeypatch):
    site, out, cache, cold = built
    assert cold.images.made == 16 and cold.images.from_store == 0
    resized = []
    real_resize = Image.Image.resize
    monkeypatch.setattr(Image.Image, "resize", lambda self, *a, **k: resized.append(1) or real_resize(self, *a, **k))
    monkeypatch.setattr(load_images.Image, "open", fail_open)  # no image is even read again
    warm = pipeline.build(options(site, out, cache))
    assert warm.ok and warm.rendered == [] and warm.changed == []
    assert (warm.images.made, warm.images.from_store, warm.images.kept) == (0, 0, 16)
    monkeypatch.undo()
    monkeypatch.setattr(Image.Image, "resize", lambda self, *a, **k: resized.append(1) or real_resize(self, *a, **k))
    elsewhere = pipeline.build(options(site, tmp_path / "elsewhere", cache))  # a new folder: from the image cache
    assert (elsewhere.images.made, elsewhere.images.from_store) == (0, 16) and resized == []
    assert tree(tmp_path / "elsewhere") == tree(out)
    session = pipeline.Session(options(site, tmp_path / "serve", cache))
    assert session.rebuild().images.from_store == 16
    edited_file = site.root / "case-studies" / "gdynia-small.md"
    text = edited_file.read_text(encoding="utf-8")
    try:
        edited_file.write_text(text.replace("title: A small picture", "title: A small picture, edited"))
        edited = session.rebuild()
    finally:
        edited_file.write_text(text, encoding="utf-8")  # the module's site, as the other tests read it
    assert edited.ok and "case-studies/gdynia-small/index.html" in edited.rendered
    assert (edited.images.made, edited.images.from_store, edited.images.kept) == (0, 0, 16) and resized == []


def fail_open(*args, **kwargs):
    raise AssertionError("an image was read again")


RASTERS = sorted(rel for rel in ORIGINALS if not rel.endswith(".gif"))


@pytest.fixture(scope="module")
def made_whole(tmp_path_factory) -> dict:
    """Each original: (its file, its plan, every file of it made at once)."""
    folder = tmp_path_factory.mktemp("originals")
    whole = {}
    for rel in RASTERS:
        source = folder / rel.replace("/", "-")
        source.write_bytes(ORIGINALS[rel])
        image = plan(load_images.decode(ORIGINALS[rel], rel), "media/{slug}")
        whole[rel] = (source, image, write_images.make(source, image, image.variants))
    return whole


@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_file_made_alone_has_the_bytes_it_has_when_all_are_made(made_whole, data):
    """Whatever files of an original are asked for (the others kept, in the store or the output), each has
    the bytes it has when every file of the original is made: a warm build then equals a clean one."""
    source, image, every = made_whole[data.draw(st.sampled_from(RASTERS))]
    wanted = data.draw(st.sets(st.sampled_from(image.variants), min_size=1))
    assert write_images.make(source, image, wanted) == {v.path: every[v.path] for v in wanted}


def test_a_damaged_image_cache_entry_is_made_again(built, tmp_path):
    site, out, cache, _ = built
    store = cache / "sitegen" / pipeline.IMAGE_STORE
    entry = sorted(p for p in store.rglob("*") if p.is_file())[0]
    entry.write_bytes(entry.read_bytes()[:-10] + b"0123456789")
    again = pipeline.build(options(site, tmp_path / "again", cache))
    assert (again.images.made, again.images.from_store) == (1, 15)
    assert tree(tmp_path / "again") == tree(out)


def test_an_image_changed_under_its_name_changes_every_page_that_shows_it(built, tmp_path):
    """A new photo in the same file (a lead image, shown on cards too; a body's image) gets new files and
    new addresses everywhere, in a warm build as in a clean one."""
    site, out, cache, _ = built
    copy = SiteFolder.__new__(SiteFolder)
    copy.root = tmp_path / "content"
    shutil.copytree(site.root, copy.root)
    shutil.copytree(out, tmp_path / "warm")
    shutil.copytree(cache, tmp_path / "cache")
    first = pipeline.build(options(copy, tmp_path / "warm", tmp_path / "cache"))
    assert first.ok and first.images.made == 0
    copy.write("case-studies/img/chart.png", encoded(Image.new("RGB", (1000, 500), (200, 30, 30)), "PNG"))
    copy.write("case-studies/img/harbour.webp", encoded(Image.new("RGB", (500, 500), (10, 30, 200)), "WEBP"))
    warm = pipeline.build(options(copy, tmp_path / "warm", tmp_path / "cache"))
    assert warm.ok and warm.images.made == 6 + 2  # chart: 480, 800, 1000 x 2 formats; harbour: 480, 500
    assert {"case-studies/cork-charts/index.html", "case-studies/kashan-health-tv/index.html",
            "case-studies/index.html"} <= set(warm.rendered)
    clean = pipeline.build(options(copy, tmp_path / "clean", None))
    assert clean.ok and tree(tmp_path / "warm") == tree(tmp_path / "clean")
    assert not any(path.name.startswith("chart-900") for path in (tmp_path / "warm" / "media").iterdir())


def test_two_clean_builds_give_the_same_bytes(built, tmp_path):
    site, out, _, _ = built
    proc = run_cli("build", "--no-cache", "--no-search", "--content", site.root, "--templates", ROOT / "templates",
                   "--output", tmp_path / "clean", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert tree(tmp_path / "clean") == tree(out)


def test_the_site_works_under_its_base_path(built, static_server):
    _, out, _, _ = built
    result = Crawler(static_server(out, BASE), "https://example.org/showcase/").crawl()
    assert result.problems == [], "\n".join(map(str, result.problems))
    media = {url for url in result.files if "/media/" in url}
    assert len(media) == len(list((out / "media").iterdir())), "every image file is reached by a link"


def test_image_files_take_the_registrys_place(built, tmp_path):
    _, out, _, result = built
    route = outputs.BY_KIND["image"]
    assert route.template is None and route.route == "media/{slug}"
    assert {p.relative_to(out).as_posix() for p in (out / "media").iterdir()} == {
        v.path for image in result.model.images.values() if not image.rel.endswith(".gif") for v in image.variants}
    assert "media" in outputs.reserved().slugs and "media/" in outputs.reserved().copied
    report = Report()
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "x.pdf").write_bytes(b"%PDF-1.7\n")
    assert find_assets(tmp_path, report, outputs.reserved()) == []
    assert "would replace a file the site makes itself" in report.items[0].message


def test_only_the_site_writes_pictures_and_srcsets_in_a_body():
    """nh3 lets no <picture>, <source> or srcset through: they are written after it, for the site's own files."""
    image = plan(Raster("case-studies/a.png", "cd" * 16, 900, 600, "png"), "media/{slug}")
    converter = Converter(Urls("https://example.org/showcase/"), {}, frozenset({"case-studies/a.png"}),
                          images={"case-studies/a.png": image})
    evil = ('<picture><source srcset="https://evil.example/x.webp" type="image/webp">'
            '<img src="a.png" srcset="https://evil.example/z.png 2x" sizes="1px" alt="y"></picture>')
    tags = Tags(converter.convert(Text("case-studies/x.md", f"![A chart](a.png)\n\n{evil}\n", 1)).html)
    [source] = tags.of("source")
    assert [w for _, w in candidates(source["srcset"])] == [480, 800, 900]
    for attrs in tags.of("source") + tags.of("img"):
        assert all(url.startswith(f"{BASE}media/") for url, _ in candidates(attrs.get("srcset", "x 1w")) if url != "x")
    assert len(tags.of("picture")) == 1


# --------------------------------------------------------------------------- bad images

BAD = {
    "case-studies/img/cut.jpg": phone_photo()[:20_000],
    "case-studies/img/notes.png": b"These are my notes, not a picture.\n" * 20,
    "case-studies/img/huge.png": png_bomb(10_000, 5_000),  # 50 megapixels
    "case-studies/img/bomb.png": png_bomb(30_000, 30_000),  # 900 megapixels: Pillow's own guard
}


def test_bad_images_are_located_errors_and_leave_the_output_as_it_was(built, tmp_path):
    site, out, _, _ = built
    before = tree(out)
    broken = tmp_path / "content"
    shutil.copytree(site.root, broken)
    for rel, data in BAD.items():
        (broken / rel).write_bytes(data)
    with open(broken / "case-studies/img/large.jpg", "wb") as f:  # over the 25 MB media limit, on no disk space
        f.truncate(25 * 1024 * 1024 + 1)
    text = case_study(title="Bad", city="Cork", country="IE", image="img/cut.jpg", image_alt="A photo")
    (broken / "case-studies/bad.md").write_text(text, encoding="utf-8")
    line = text.splitlines().index("image: img/cut.jpg") + 1
    notes = case_study(title="Notes", city="Cork", country="IE", body="Text.\n\n![notes](img/notes.png)\n")
    (broken / "case-studies/notes.md").write_text(notes, encoding="utf-8")
    (broken / "case-studies/large.md").write_text(case_study(title="Large", image="img/large.jpg", image_alt="A"))
    proc = run_cli("build", "--content", broken, "--templates", ROOT / "templates", "--output", out, cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    errors = dict(re.findall(r"^(\S+): error: (.*)$", proc.stderr, re.M))
    located = {Path(where.split(":")[0]).name + ":" + where.split(":", 1)[1]: message for where, message in errors.items()}
    assert located[f"bad.md:{line}"].startswith("image 'img/cut.jpg' cannot be read as an image: the file is cut short")
    assert located["large.md:7"].startswith("image 'img/large.jpg' is 25.1 MB (26,214,401 bytes), over the 25 MB "
                                            "limit for an image or other file the site publishes")
    assert located["notes.png:1"].startswith("the file cannot be read as an image: it is not a JPEG, PNG, WebP or AVIF")
    assert located["huge.png:1"].startswith("the file is 10,000 × 5,000 pixels (50.0 megapixels), over the limit "
                                            "of 40 megapixels")
    assert located["bomb.png:1"].startswith("the file has more pixels than sitegen opens (over 40 megapixels)")
    assert len(errors) == 5, proc.stderr
    assert tree(out) == before, "a failed build changes nothing"
    check = run_cli("check", "--content", broken, cwd=tmp_path)
    assert check.returncode == 1
    body_line = notes.splitlines().index("![notes](img/notes.png)") + 1
    assert re.search(rf"notes\.md:{body_line}:\d+: error: image 'img/notes.png' leads to an image that cannot be "
                     r"published: it cannot be read as an image", check.stdout), check.stdout


# --------------------------------------------------------------------------- for every image

@settings(max_examples=60)
@given(width=st.integers(1, 5000), height=st.integers(1, 5000),
       widths=st.lists(st.integers(16, 4000), min_size=1, max_size=5, unique=True).map(lambda w: tuple(sorted(w))),
       format=st.sampled_from(["jpeg", "png", "webp", "avif"]), alpha=st.booleans())
def test_widths_never_exceed_the_original_and_a_srcset_lists_each_file_once_at_its_width(width, height, widths,
                                                                                          format, alpha):
    chosen = widths_for(width, widths)
    assert chosen == tuple(sorted(set(chosen))) and max(chosen) <= width
    assert set(chosen) - {width} <= set(widths) and (width in chosen or width >= max(widths))
    image = plan(Raster("case-studies/x.png", "ab" * 16, width, height, format, alpha), "media/{slug}", widths)
    urls = Urls("https://example.org/showcase/")
    tags = Tags(picture_html(image, urls, {"alt": "x"}, BODY_SIZES, lazy=True))
    lists = [candidates(a["srcset"]) for a in tags.of("source") + tags.of("img")]
    assert len(lists) == (1 if image.fallback == "webp" else 2)
    for listed, variants in zip(lists[::-1], (image.of(image.fallback), image.sources)):
        assert listed == [(urls.url(v.path), v.width) for v in variants]
        assert [w for _, w in listed] == list(chosen)
    assert len({v.path for v in image.variants}) == len(image.variants)
    assert all(v.height == max(1, round(height * v.width / width)) for v in image.variants)


def test_the_committed_illustrations_are_what_the_script_draws():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_illustrations.py"), "--check"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    drawn = sorted((ROOT / "content" / "case-studies" / "images").glob("*.png"))
    assert len(drawn) == 7 and all(p.stat().st_size < 40_000 for p in drawn)
    assert WIDTHS[-1] == 1200
