"""What a content folder publishes: allowed file types only, no backups, and SVG files checked first.

Every attack is a real file in a real content folder, run through the real
CLI (`check --strict` and `build`): each must be refused with an error at its
file (and line, where the parser gives one), and nothing may be published.
Good files (images, PDF, CSV, SVG from drawing programs, in UTF-8 or UTF-16)
are published byte for byte; editors' backups and temporary files are left
out with a hint, never an error. A derandomized hypothesis property checks
that an SVG passes only when every (namespace, name) of its elements and
attributes is on the allowlist, in every encoding a browser reads.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, SITE_YAML, SiteFolder, image_bytes, run_cli
from sitegen.load import filetypes, yamltext
from sitegen.load.files import find_assets
from sitegen.model.diagnostics import ERROR, HINT, Report
from sitegen.model.records import SiteConfig

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XHTML_NS = "http://www.w3.org/1999/xhtml"
OPEN = f'<svg xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}" viewBox="0 0 10 10">\n'
SCRIPT_SVG = f'<svg xmlns="{SVG_NS}" xmlns:h="{XHTML_NS}">\n<h:script>alert(document.domain)</h:script>\n</svg>\n'
ONLOAD_SVG = f'<svg xmlns="{SVG_NS}"\n  onload="alert(1)"><rect width="1" height="1"/></svg>\n'
LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE svg [\n <!ENTITY a "lollollollollollollollollollol">\n'
          + "".join(f' <!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(8))
          + f']>\n<svg xmlns="{SVG_NS}"><text>&i;</text></svg>\n')


def utf16(text: str, order: str, bom: bool) -> bytes:
    data = text.encode(f"utf-16-{order}")
    return ({"le": codecs.BOM_UTF16_LE, "be": codecs.BOM_UTF16_BE}[order] if bom else b"") + data


# file -> (its bytes, the line of the error or None, words the message must hold)
ATTACKS = {
    "svg/xhtml-script.svg": (SCRIPT_SVG.encode(), 2, "holds script"),
    "svg/prefixed-svg-script.svg": (f'<s:svg xmlns:s="{SVG_NS}">\n\n<s:script>alert(1)</s:script></s:svg>'.encode(),
                                    3, "holds script"),
    "svg/utf16-le-bom.svg": (utf16(SCRIPT_SVG, "le", True), 2, "holds script"),
    "svg/utf16-be-bom.svg": (utf16(SCRIPT_SVG, "be", True), 2, "holds script"),
    "svg/utf16-le.svg": (utf16(SCRIPT_SVG, "le", False), 2, "holds script"),
    "svg/utf16-be.svg": (utf16(SCRIPT_SVG, "be", False), 2, "holds script"),
    "svg/utf16-declared.svg": (('<?xml version="1.0" encoding="UTF-16"?>\n' + ONLOAD_SVG).encode("utf-16"), 2,
                               "event attribute 'onload'"),
    "svg/utf8-bom.svg": (codecs.BOM_UTF8 + ONLOAD_SVG.encode(), 1, "event attribute 'onload'"),
    # The declaration says one thing, the bytes another: readers would disagree, so it is refused.
    "svg/declaration-says-utf16.svg": (('<?xml version="1.0" encoding="UTF-16"?>' + SCRIPT_SVG).encode(), 1,
                                       "says it is in the encoding 'UTF-16'"),
    "svg/declaration-says-utf8.svg": (('<?xml version="1.0" encoding="UTF-8"?>' + SCRIPT_SVG).encode("utf-16"), 1,
                                      "says it is in the encoding 'UTF-8'"),
    "svg/declaration-says-le.svg": (utf16('<?xml version="1.0" encoding="UTF-16LE"?>' + SCRIPT_SVG, "be", True), 1,
                                    "saved as UTF-16 big-endian"),
    "svg/declaration-latin1.svg": (('<?xml version="1.0" encoding="ISO-8859-1"?>\n' + SCRIPT_SVG).encode(), 3,
                                   "holds script"),
    "svg/declaration-ebcdic.svg": (('<?xml version="1.0" encoding="cp037"?>' + ONLOAD_SVG).encode(), 1,
                                   "encoding 'cp037', which sitegen does not check"),
    "svg/declaration-shift-jis.svg": (('<?xml version="1.0" encoding="Shift_JIS"?>' + ONLOAD_SVG).encode(), 1,
                                      "encoding 'Shift_JIS'"),
    "svg/not-utf8.svg": (OPEN.encode() + b"<text>\n\xff\xfe</text></svg>", 3, "is not valid UTF-8 text"),
    "svg/cdata-script.svg": ((OPEN + "<script><![CDATA[\nalert(1)\n]]></script></svg>").encode(), 2, "holds script"),
    "svg/onload.svg": (ONLOAD_SVG.encode(), 1, "event attribute 'onload' on <svg>"),
    "svg/onclick-case.svg": ((OPEN + '<rect OnClick="alert(1)"/></svg>').encode(), 2, "event attribute 'OnClick'"),
    "svg/xlink-javascript.svg": ((OPEN + '<a xlink:href="javascript:alert(1)"><text>x</text></a></svg>').encode(),
                                 2, "holds script: the link 'javascript:alert(1)' on <a>"),
    "svg/hidden-javascript.svg": ((OPEN + '<a href=" java&#x09;scr&#x0A;ipt:alert(1) ">x</a></svg>').encode(),
                                  2, "holds script: the link"),
    "svg/entity-javascript.svg": ((OPEN + '<a href="&#106;avascript&#58;alert(1)">x</a></svg>').encode(), 2,
                                  "holds script"),
    "svg/mixed-case-javascript.svg": ((OPEN + '<a href="JaVaScRiPt:alert(1)">x</a></svg>').encode(), 2,
                                      "holds script"),
    "svg/image-data-svg.svg": ((OPEN + '<image href="data:image/svg+xml;base64,PHN2Zz4="/></svg>').encode(), 2,
                               "data: address on <image>"),
    "svg/use-root-path.svg": ((OPEN + '<use href="/etc/passwd#x"/></svg>').encode(), 2, "starts with '/'"),
    "svg/use-backslash.svg": ((OPEN + '<use href="\\\\evil.example\\x.svg#a"/></svg>').encode(), 2, "backslash"),
    "svg/feimage-other-host.svg": ((OPEN + '<filter id="f"><feImage href="https://evil.example/t.png"/></filter>'
                                    "</svg>").encode(), 2, "links to another site"),
    "svg/style-javascript-url.svg": ((OPEN + "<style>.a{fill:url(javascript:alert(1))}</style></svg>").encode(), 2,
                                     "javascript:"),
    "svg/many-problems.svg": ((OPEN + '<rect onclick="x"/>\n' * 30 + "</svg>").encode(), 12,
                              "holds more problems than these"),
    "svg/use-other-host.svg": ((OPEN + '<use href="https://evil.example/sprite.svg#a"/></svg>').encode(), 2,
                               "links to another site"),
    "svg/use-protocol-relative.svg": ((OPEN + '<use xlink:href="//evil.example/x.svg#a"/></svg>').encode(), 2,
                                      "links to another site"),
    "svg/image-data-html.svg": ((OPEN + '<image href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"/>'
                                 "</svg>").encode(), 2, "data: address"),
    "svg/a-data-png.svg": ((OPEN + '<a href="data:image/png;base64,AAAA">x</a></svg>').encode(), 2, "data: address"),
    "svg/billion-laughs.svg": (LAUGHS.encode(), 2, "<!DOCTYPE>"),
    "svg/external-dtd.svg": (f'<!DOCTYPE svg SYSTEM "file:///etc/passwd">\n<svg xmlns="{SVG_NS}"/>'.encode(), 1,
                             "<!DOCTYPE>"),
    "svg/external-entity.svg": (f'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<svg xmlns="{SVG_NS}">'
                                "<text>&x;</text></svg>".encode(), 1, "<!DOCTYPE>"),
    "svg/foreign-object.svg": ((OPEN + '<foreignObject width="9" height="9">\n<body xmlns="http://www.w3.org/1999/'
                                'xhtml"><iframe src="https://evil.example"/></body></foreignObject></svg>').encode(), 2,
                               "<foreignObject>"),
    "svg/style-import.svg": ((OPEN + "<style>\n@import url(https://evil.example/x.css);\n</style></svg>").encode(), 2,
                             "@import"),
    "svg/style-import-string.svg": ((OPEN + '<style>@IMPORT "x.css";</style></svg>').encode(), 2, "@IMPORT"),
    "svg/style-url.svg": ((OPEN + "<style><![CDATA[.a{fill:url(https://evil.example/track.png)}]]></style></svg>")
                          .encode(), 2, "url("),
    "svg/style-escape.svg": ((OPEN + r"<style>.a{fill:\75 rl(https://evil.example/t)}</style></svg>").encode(), 2,
                             "escape"),
    "svg/style-attribute-url.svg": ((OPEN + '<rect style="fill: url( &quot;https://evil.example/t&quot; )"/></svg>')
                                    .encode(), 2, "style attribute on <rect>"),
    "svg/fill-url.svg": ((OPEN + '<rect fill="url(https://evil.example/t#p)"/></svg>').encode(), 2, "url("),
    "svg/animate-href.svg": ((OPEN + '<a href="#x"><animate attributeName="href" to="javascript:alert(1)"/>'
                              "<text>go</text></a></svg>").encode(), 2, "animation element <animate>"),
    "svg/set-href.svg": ((OPEN + '<a><set attributeName="xlink:href" to="javascript:alert(1)"/>x</a></svg>').encode(),
                         2, "animation element <set>"),
    "svg/upper-script-other-namespace.svg": ((OPEN + '<SCRIPT xmlns="urn:example:x">alert(1)</SCRIPT></svg>')
                                             .encode(), 2, "holds script"),
    "svg/xhtml-iframe.svg": ((OPEN + f'<iframe xmlns="{XHTML_NS}" src="https://evil.example"/></svg>').encode(), 2,
                             "XHTML"),
    "svg/xml-base.svg": ((OPEN + '<g xml:base="https://evil.example/"><use href="x.svg#a"/></g></svg>').encode(), 2,
                         "'base' in the XML namespace"),
    "svg/stylesheet-pi.svg": (f'<?xml-stylesheet type="text/xsl" href="evil.xsl"?>\n<svg xmlns="{SVG_NS}"/>'
                              .encode(), 1, "processing instruction"),
    "svg/not-an-svg.svg": (b"<html><body><script>alert(1)</script></body></html>", 1, "is not an SVG image"),
    "svg/broken.svg": ((OPEN + "<g>\n<rect></g></svg>").encode(), 3, "not well-formed XML"),
    "svg/empty.svg": (b"", 1, "not well-formed XML"),
    "svg/UPPER-CASE.SVG": (SCRIPT_SVG.encode(), 2, "holds script"),
    "svg/compressed.svgz": (b"\x1f\x8b\x08\x00", None, "files of type .svgz"),
    "files/x.svg.html": (SCRIPT_SVG.encode(), None, "files of type .html are not published"),
    "files/no-extension": (SCRIPT_SVG.encode(), None, "has no extension"),
    "files/feed.xml": (f'<x xmlns:h="{XHTML_NS}"><h:script>alert(1)</h:script></x>'.encode(), None,
                       "files of type .xml are not published"),
    "files/page.htm": (b"<script>alert(1)</script>", None, "files of type .htm are not published"),
    "files/page.XHTML": (b"<script>alert(1)</script>", None, "files of type .xhtml"),
    "files/transform.xsl": (b"<x/>", None, "files of type .xsl"),
    "files/app.js": (b"alert(1)", None, "files of type .js"),
    "files/app.mjs": (b"alert(1)", None, "files of type .mjs"),
    "files/movie.swf": (b"FWS", None, "files of type .swf"),
    "files/setup.exe": (b"MZ", None, "are programs"),
    "files/notes.docx": (b"PK", None, "add 'docx' to publish_types"),
    "files/draft.MD": (b"# Draft", None, "upper-case extension"),
}
# Editors' backups, swap and lock files, and system files: never published, never an error.
BACKUPS = ["case-studies/plan.md~", "case-studies/.#plan.md", "case-studies/#plan.md#", "case-studies/plan.md.swp",
           "case-studies/plan.md.swo", "case-studies/x.tmp", ".DS_Store", "img/Thumbs.db", "desktop.ini",
           "img/logo.svg.bak", "img/logo.svg.orig", "~$doc.docx", "report.pdf.part", "report.pdf.crdownload",
           "case-studies/~$plan.md"]
HIDDEN = {".DS_Store", "case-studies/.#plan.md"}  # hidden files were always skipped without a word


def good_files() -> dict[str, bytes]:
    """Files a case study needs, which must be published exactly as they are."""
    illustrator = ('<?xml version="1.0" encoding="utf-8"?>\n<!-- Generator: Adobe Illustrator 27.0.0 -->\n'
                   f'<svg version="1.1" id="Layer_1" xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}" x="0px" y="0px"\n'
                   '\t viewBox="0 0 100 100" style="enable-background:new 0 0 100 100;" xml:space="preserve">\n'
                   '<style type="text/css">\n\t.st0{fill:#1D4E5F;}\n\t.st1{fill:url(#grad);stroke:#FFF;}\n'
                   "\t@media (prefers-color-scheme: dark) { .st0 { fill: rgb(200, 200, 200); } }\n</style>\n"
                   '<linearGradient id="grad" gradientUnits="userSpaceOnUse" x1="0" y1="0" x2="100" y2="0">\n'
                   '\t<stop offset="0" style="stop-color:#F4EFE6"/>\n\t<stop offset="1" stop-color="#1D4E5F"/>\n'
                   "</linearGradient>\n"
                   '<g data-name="Layer 1"><title>A chart</title><desc>Learners per year</desc>\n'
                   '\t<rect class="st0" width="40" height="60" aria-label="2020"/>\n'
                   '\t<path class="st1" d="M50,10h40v80H50z" clip-path="url(#clip)"/>\n'
                   '\t<use xlink:href="#bar" x="5"/><use href="chart-part.svg#bar"/>\n'
                   '\t<image width="2" height="2" xlink:href="data:image/png;base64,iVBORw0KGgo="/>\n'
                   '\t<image width="2" height="2" href="../img/photo.png"/>\n'
                   '\t<a href="#top" target="_blank"><text x="1" y="9" font-family="Noto Sans">Kashan\u00a0'
                   "\u06a9\u0627\u0634\u0627\u0646</text></a>\n"
                   "</g>\n</svg>\n")
    inkscape = (f'<svg xmlns="{SVG_NS}" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                'xmlns:cc="http://creativecommons.org/ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" '
                'width="10mm" height="10mm">\n<metadata><rdf:RDF><cc:Work rdf:about=""><dc:format>image/svg+xml'
                '</dc:format></cc:Work></rdf:RDF></metadata>\n<defs><clipPath id="clip"><circle r="4"/></clipPath>'
                '<filter id="f"><feGaussianBlur stdDeviation="1"/><feOffset dx="1"/></filter></defs>\n'
                '<circle cx="5" cy="5" r="4" filter="url(#f)" style="fill:#1d4e5f;stroke-width:0.5"/></svg>\n')
    return {
        "img/chart.svg": illustrator.encode(),
        "img/map.svg": inkscape.encode(),
        "img/utf16.svg": ('<?xml version="1.0" encoding="UTF-16"?>\n' + inkscape).encode("utf-16"),
        "img/utf16-be.svg": utf16(inkscape, "be", False),
        "img/bom.svg": codecs.BOM_UTF8 + inkscape.encode(),
        "img/Logo.SVG": inkscape.encode(),
        "img/photo.png": image_bytes("PNG"),
        "img/photo.JPG": image_bytes("JPEG"),
        "img/a.jpeg": image_bytes("JPEG", (5, 4)), "img/b.gif": b"GIF89a", "img/c.webp": image_bytes("WEBP"),
        "img/d.avif": image_bytes("AVIF"),
        "case-studies/report.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        "case-studies/figures.csv": "year,learners\n2020,1200\n2021,1500\n".encode(),
    }


def site_with(root: Path, files: dict[str, bytes]) -> SiteFolder:
    folder = SiteFolder(root)
    folder.study("kashan-health-tv", sources='[{title: "A source", url: "https://example.org/a"}]')
    for rel, data in files.items():
        folder.write(rel, data)
    return folder


def problems(output: str) -> list[tuple[str, str]]:
    """(location, rest) of each `path[:line[:column]]: severity: message` line of the CLI's output."""
    found = []
    for line in output.splitlines():
        match = re.match(r"(content/[^:]*(?::\d+)*): ((?:error|warning|hint): .*)$", line)
        if match:
            found.append(match.groups())
    return found


def located(found, rel: str, line: int | None) -> list[str]:
    """The messages reported at `rel` (and at `line`, when given)."""
    where = f"content/{rel}" + (f":{line}" if line else "")
    return [rest for location, rest in found
            if location == where or (line and location.startswith(where + ":"))]


# ---------------------------------------------------------------- attacks, through the real CLI

@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """A content folder holding every attack, checked (--strict) and built once."""
    work = tmp_path_factory.mktemp("attacked")
    folder = site_with(work / "content", {**ATTACKS_FILES, **good_files()})
    check = run_cli("check", "--strict", "--content", folder.root, "--templates", ROOT / "templates", cwd=work)
    out = work / "output"
    build = run_cli("build", "--content", folder.root, "--templates", ROOT / "templates", "--output", out, cwd=work)
    return folder, check, build, out


ATTACKS_FILES = {rel: data for rel, (data, _, _) in ATTACKS.items()}


@pytest.mark.parametrize("rel", list(ATTACKS))
def test_check_refuses_each_attack_with_an_error_at_its_file_and_line(attacked, rel):
    _, check, _, _ = attacked
    _, line, words = ATTACKS[rel]
    assert check.returncode == 1, check.stdout + check.stderr
    messages = located(problems(check.stdout), rel, line)
    assert any(m.startswith("error: ") and words in m and " Fix: " in m for m in messages), \
        f"{rel}:{line}: nothing with {words!r} in\n{check.stdout}"
    assert "Traceback" not in check.stdout + check.stderr


@pytest.mark.parametrize("rel", list(ATTACKS))
def test_build_refuses_each_attack_and_publishes_nothing(attacked, rel):
    _, _, build, out = attacked
    _, line, words = ATTACKS[rel]
    assert build.returncode == 1, build.stdout + build.stderr
    messages = located(problems(build.stdout + build.stderr), rel, line)
    assert any(m.startswith("error: ") and words in m for m in messages), build.stdout + build.stderr
    assert not out.exists() or not (out / rel).exists()


def test_the_loader_leaves_every_attack_out_and_keeps_every_good_file(attacked):
    """Even apart from the build stopping: the load stage (shared by build and check) drops them."""
    folder, _, _, _ = attacked
    report = Report()
    assets = {a.rel for a in find_assets(folder.root, report)}
    assert assets == set(good_files())
    refused = {Path(d.path).name for d in report.items if d.severity == ERROR}
    assert refused == {Path(rel).name for rel in ATTACKS}


def test_a_theme_or_override_static_file_passes_the_same_check(tmp_path):
    static = tmp_path / "static"
    files = {"style.css": b"body{}", "favicon.svg": (ROOT / "templates/static/favicon.svg").read_bytes(),
             "font.woff2": b"wOF2", "app.js": b"", "evil.svg": ONLOAD_SVG.encode(), "page.html": b"<p>",
             "style.css~": b"old", "notes": b"x"}
    for name, data in files.items():
        (static / name).parent.mkdir(parents=True, exist_ok=True)
        (static / name).write_bytes(data)
    report = Report()
    kept = filetypes.published_static([(f"static/{name}", static / name) for name in sorted(files)], report)
    assert [site_path for site_path, _ in kept] == ["static/app.js", "static/favicon.svg", "static/font.woff2",
                                                    "static/style.css"]
    by_file = {(Path(d.path).name, d.severity) for d in report.items}
    assert by_file == {("evil.svg", ERROR), ("page.html", ERROR), ("notes", ERROR), ("style.css~", HINT)}
    assert any(d.line == 1 and "event attribute 'onload'" in d.message for d in report.items)
    # A content folder's own templates/static/ holds no script.
    report = Report()
    pairs = [("static/app.js", static / "app.js"), ("static/style.css", static / "style.css")]
    kept = filetypes.published_static(pairs, report, filetypes.OVERRIDE_STATIC_TYPES)
    assert kept == [("static/style.css", static / "style.css")]
    assert [(Path(d.path).name, d.severity) for d in report.items] == [("app.js", ERROR)]


# ---------------------------------------------------------------- good files and backups

@pytest.fixture(scope="module")
def good(tmp_path_factory):
    work = tmp_path_factory.mktemp("good")
    files = good_files()
    folder = site_with(work / "content", {**files, **{rel: b"secret draft text" for rel in BACKUPS}})
    check = run_cli("check", "--strict", "--content", folder.root, "--templates", ROOT / "templates", cwd=work)
    out = work / "output"
    build = run_cli("build", "--strict", "--content", folder.root, "--templates", ROOT / "templates",
                    "--output", out, cwd=work)
    return folder, files, check, build, out


def test_good_files_are_published_byte_for_byte(good):
    """Photos and bitmaps are published resized instead (tests/test_images.py): never as they are."""
    _, files, check, build, out = good
    assert check.returncode == 0, check.stdout + check.stderr
    assert build.returncode == 0, build.stdout + build.stderr
    made = {p.name.split(".")[0].rsplit("-", 1)[0] for p in (out / "media").iterdir()}
    for rel, data in files.items():
        if filetypes.extension(rel) in filetypes.RASTER_TYPES:
            assert not (out / rel).exists() and Path(rel).stem.lower() in made, rel
        else:
            assert (out / rel).read_bytes() == data, rel
    # one width (the original's) of each, in its format and WebP (a WebP original: WebP only)
    assert len(list((out / "media").iterdir())) == 2 * 4 + 1


def test_backups_and_temporary_files_are_never_published_and_never_an_error(good):
    _, _, check, build, out = good
    published = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert not any("secret" in p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    found = problems(check.stdout)
    for rel in BACKUPS:
        assert rel not in published
        said = located(found, rel, None)
        if rel in HIDDEN:
            assert said == []
        else:  # named, so the author knows why the file is missing from the site
            assert said == [f"hint: '{rel}' is a backup or temporary file, so it is not published "
                            "Fix: Nothing to do; delete it when you no longer need it."], check.stdout
    assert [rest for _, rest in found if not rest.startswith("hint: ")] == [], check.stdout
    assert build.returncode == 0 and ": error:" not in build.stdout + build.stderr


# ---------------------------------------------------------------- publish_types in site.yaml

GPX = ('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="x" '
       'xmlns="http://www.topografix.com/GPX/1/1">\n<trk><name>Learning walk</name><trkseg>'
       '<trkpt lat="33.98" lon="51.43"/></trkseg></trk></gpx>\n')


def test_publish_types_adds_types_and_an_xml_one_is_checked_like_an_svg(tmp_path):
    folder = site_with(tmp_path / "content", {
        "case-studies/walk.gpx": GPX.encode(),
        "case-studies/walk16.gpx": GPX.replace("UTF-8", "UTF-16").encode("utf-16"),
        "case-studies/budget.ods": b"PK\x03\x04 mimetypeapplication/vnd.oasis.opendocument.spreadsheet",
        "case-studies/evil.gpx": (GPX.replace("<trk>", f'<trk><h:script xmlns:h="{XHTML_NS}">alert(1)</h:script>')
                                  .replace("UTF-8", "UTF-16").encode("utf-16")),
        "case-studies/evil2.gpx": GPX.replace("<trk>", f'<trk><svg xmlns="{SVG_NS}" onload="alert(1)"/>').encode(),
        "case-studies/style.gpx": b'<?xml-stylesheet type="text/xsl" href="x.xsl"?>\n<gpx/>',
        "case-studies/other.kml": b"<kml/>",
    })
    report = Report()
    assets = {a.rel for a in find_assets(folder.root, report, extra_types=("gpx", "ods"))}
    assert assets == {"case-studies/walk.gpx", "case-studies/walk16.gpx", "case-studies/budget.ods"}
    errors = {(Path(d.path).name, d.line): d.message for d in report.items if d.severity == ERROR}
    assert "holds script" in errors[("evil.gpx", 3)]
    assert "<svg> in the SVG namespace" in errors[("evil2.gpx", 3)]
    assert "processing instruction" in errors[("style.gpx", 1)]
    assert "files of type .kml are not published" in errors[("other.kml", None)]


@pytest.mark.parametrize("value, line, words", [
    ("[gpx, html]", 1, "files of type .html can run script"),
    ("\n  - gpx\n  - .XML\n  - ods", 3, "files of type .xml can run script"),
    ("[svgz]", 1, "files of type .svgz can run script"),
    ("[exe]", 1, "are programs"),
    ("[bak]", 1, "backups or temporary files"),
    ("[md]", 1, "Markdown files become pages"),
    ("['g px']", 1, "is not a file extension"),
    ("[[gpx]]", 1, "must be a file extension"),
])
def test_publish_types_never_adds_a_script_capable_type(value, line, words):
    text = f"publish_types: {value}\n"
    doc, problem = yamltext.parse(text)
    assert problem is None
    report = Report()
    types = filetypes.load_publish_types(Path("site.yaml"), doc, doc.value["publish_types"], report)
    assert [(d.line, d.severity) for d in report.items] == [(line, ERROR)], report.items
    assert words in report.items[0].message and report.items[0].fix
    assert not set(types) & (filetypes.SCRIPT_TYPES | filetypes.PROGRAM_TYPES)
    assert filetypes.published_types(["html", "js", "gpx"]) == filetypes.PUBLISHED_TYPES | {"gpx"}


@pytest.mark.skipif("publish_types" not in getattr(SiteConfig, "__dataclass_fields__", {}),
                    reason="site.yaml's publish_types is read once config.py and records.py carry it")
def test_publish_types_in_site_yaml_through_the_cli(tmp_path):
    folder = site_with(tmp_path / "content", {"case-studies/walk.gpx": GPX.encode()})
    out = tmp_path / "output"
    args = ("--content", folder.root, "--templates", ROOT / "templates")
    refused = run_cli("build", *args, "--output", out, cwd=tmp_path)
    assert refused.returncode == 1 and "files of type .gpx are not published" in refused.stdout + refused.stderr
    folder.write("site.yaml", SITE_YAML + "publish_types: [gpx, html]\n")
    bad = run_cli("check", "--strict", *args, cwd=tmp_path)
    line = len(SITE_YAML.splitlines()) + 1
    assert bad.returncode == 1 and f"content/site.yaml:{line}:" in bad.stdout and ".html can run" in bad.stdout
    folder.write("site.yaml", SITE_YAML + "publish_types: [gpx]\n")
    built = run_cli("build", "--strict", *args, "--output", out, cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    assert (out / "case-studies/walk.gpx").read_text() == GPX


# ---------------------------------------------------------------- the allowlist, as a property

def test_the_allowlists_hold_nothing_that_runs():
    assert not filetypes.PUBLISHED_TYPES & (filetypes.SCRIPT_TYPES | filetypes.PROGRAM_TYPES)
    assert not {"script", "foreignObject", "set", "animate", "iframe", "handler", "listener", "embed", "object"} \
        & filetypes.SVG_ELEMENTS
    assert not [a for a in filetypes.SVG_ATTRIBUTES if a.lower().startswith("on")]
    assert "base" not in filetypes.XML_ATTRIBUTES
    assert filetypes.xml_problems((ROOT / "templates/static/favicon.svg").read_bytes()) == []


XML_NS = "http://www.w3.org/XML/1998/namespace"
NAMESPACES = [SVG_NS, SVG_NS, SVG_NS, "", XLINK_NS, XHTML_NS, "http://www.w3.org/1998/Math/MathML",
              "http://www.inkscape.org/namespaces/inkscape", "http://www.w3.org/2000/svg/", "urn:x",
              "HTTP://www.w3.org/2000/svg"]
RISKY = ["script", "SCRIPT", "Script", "foreignObject", "foreignobject", "set", "animate", "iframe", "handler",
         "onload", "onclick", "ONLOAD", "onbegin", "base", "href", "style", "a", "use", "image"]
names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,8}", fullmatch=True).filter(lambda n: not n.lower().startswith("xml"))
element_names = st.sampled_from(sorted(filetypes.SVG_ELEMENTS - {"metadata"}) + RISKY) | names
attribute_names = (st.sampled_from(sorted(filetypes.SVG_ATTRIBUTES) + sorted(filetypes.XLINK_ATTRIBUTES) + RISKY
                                   + ["data-name", "aria-label", "space", "lang", "id"]) | names)
attributes = st.lists(st.tuples(st.sampled_from(NAMESPACES + [XML_NS]), attribute_names), max_size=4,
                      unique_by=lambda pair: pair)
elements = st.tuples(st.sampled_from(NAMESPACES), element_names, attributes)
ENCODINGS = ["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "utf-16-le", "utf-16-be"]


def allowed_element(ns: str, name: str) -> bool:
    return ns == SVG_NS and name in filetypes.SVG_ELEMENTS


def allowed_attribute(ns: str, name: str) -> bool:
    if ns == "":
        return not name.lower().startswith("on") and (name in filetypes.SVG_ATTRIBUTES
                                                       or bool(re.fullmatch(r"(data|aria)-[a-z0-9_.-]+", name)))
    return ((ns == XLINK_NS and name in filetypes.XLINK_ATTRIBUTES)
            or (ns == XML_NS and name in filetypes.XML_ATTRIBUTES))


def svg_document(root_attributes, children) -> str:
    """The SVG, every namespace bound to a prefix of its own (none to the default), so names are exact."""
    prefixes = {SVG_NS: "s", XML_NS: "xml"}
    for ns in [ns for ns, *_ in children] + [ns for ns, _ in root_attributes] + \
              [ns for *_, attrs in children for ns, _ in attrs]:
        if ns and ns not in prefixes:
            prefixes[ns] = f"p{len(prefixes)}"
    declared = " ".join(f'xmlns:{p}="{ns}"' for ns, p in prefixes.items() if p != "xml")

    def name(ns, local):
        return f"{prefixes[ns]}:{local}" if ns else local

    def attrs(pairs):
        return "".join(f' {name(ns, local)}="1"' for ns, local in pairs)

    body = "".join(f"\n<{name(ns, local)}{attrs(a)}/>" for ns, local, a in children)
    return f"<s:svg {declared}{attrs(root_attributes)}>{body}\n</s:svg>\n"


def encoded(text: str, encoding: str) -> bytes:
    if encoding == "utf-8-bom":
        return codecs.BOM_UTF8 + text.encode()
    if encoding.endswith("-bom"):
        order = encoding.split("-")[2]
        return utf16(text, order, True)
    return text.encode(encoding)


@settings(max_examples=600, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(root_attributes=attributes, children=st.lists(elements, max_size=5), encoding=st.sampled_from(ENCODINGS))
def test_an_svg_passes_only_when_every_namespace_and_name_is_allowed(root_attributes, children, encoding):
    text = svg_document(root_attributes, children)
    found = filetypes.xml_problems(encoded(text, encoding))
    expected = (all(allowed_attribute(ns, local) for ns, local in root_attributes)
                and all(allowed_element(ns, local) and all(allowed_attribute(*pair) for pair in attrs)
                        for ns, local, attrs in children))
    assert (found == []) == expected, (text, found)
    assert all(p.line for p in found), found  # every problem at a line the author can open
