"""site.yaml's `base_url`, `cname` and `limits`, and the `--base-url` option: plain addresses, names and numbers.

`base_url` lands in every page's links, the sitemap and robots.txt; `cname` is
the whole of GitHub Pages' CNAME file. A value with a space, a quote, markup,
a backslash, an invisible character, a query or a fragment is refused with a
located error (`content/site.yaml:LINE: ...`) and a fix in an editor's terms,
exit status 1, and no site written. Derandomized hypothesis properties check
that every accepted value is a plain absolute http(s) address (or a bare
domain name), and that slipping any such character into a good value makes
it refused. `limits:` values (file_size_mb, media_size_mb) are numbers of
megabytes above 0 and at most 100; anything else (a word, a unit, a comma,
zero, a negative or larger number) is refused at its line, and a property
checks that verdict for any text.
"""

from __future__ import annotations

import json
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import SITE_YAML
from sitegen import load
from sitegen.load.config import coerce_cname, limit_bytes, load_settings, normalise_base_url
from sitegen.load.files import DEFAULT_LIMITS, MB, FileLimits
from sitegen.model.diagnostics import Report
from sitegen.model.schema import Invalid

PROPERTY = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

GOOD_BASE = "base_url: https://example.org/showcase/\n"
BASE_LINE = 3  # the line of base_url in conftest's SITE_YAML
assert SITE_YAML.splitlines()[BASE_LINE - 1] == GOOD_BASE.strip()


def with_setting(line: str, cname: str | None = None) -> str:
    """conftest's SITE_YAML with its base_url line replaced (and a cname line added at its end)."""
    text = SITE_YAML.replace(GOOD_BASE, line.rstrip("\n") + "\n")
    return text + (f"cname: {cname}\n" if cname is not None else "")


def errors(stderr: str) -> list[tuple[int | None, str]]:
    """(line, message and fix) of each error about site.yaml in the CLI's output."""
    found = re.findall(r"site\.yaml(?::(\d+))?(?::\d+)?: error: (.*)", stderr)
    return [(int(line) if line else None, text) for line, text in found]


def config_of(tmp_path, text: str, option: str | None = None):
    folder = tmp_path / "cfg"
    folder.mkdir(exist_ok=True)
    (folder / "site.yaml").write_text(text, encoding="utf-8")
    report = Report()
    return load.load_site_config(folder, report, option), report


# ---------------------------------------------------------------- base_url through the real CLI

BAD_BASE_URLS = {
    "a space": ('"https://example.org/my showcase/"', "holds a space"),
    "a double quote": ("'https://example.org/\"onmouseover=\"x/'", "double quote"),
    "a quote": ('"https://example.org/it\'s/"', "a quote"),
    "markup": ("https://example.org/<script>alert(1)</script>/", "angle bracket"),
    "a backslash": ('"https:\\\\example.org\\\\showcase"', "backslash"),
    "a control character": ('"https://example.org/\\x1b[31m/"', "control character"),
    "an invisible character": ('"https://example.org/\\u200b/"', "U+200B"),
    "a bidi override": ('"https://example.org/\\u202egnp.exe/"', "U+202E"),
    "a line separator": ('"https://example.org/a\\u2028b/"', "line break"),
    "a query": ("https://example.org/showcase/?utm_source=x", "'?' part"),
    "a fragment": ("https://example.org/showcase/#top", "'#' part"),
    "no scheme": ("example.org/showcase", "not an absolute http(s) address"),
    "another scheme": ("javascript:alert(1)", "not an absolute http(s) address"),
    "no host": ("https:///showcase/", "not an absolute http(s) address"),
    "a password": ("https://user:secret@example.org/", "user name or password"),
    "a bad port": ("https://example.org:99999/", "port"),
    "a bad host": ("https://exa_mple.org/", "not a host name"),
    "a stray percent": ("https://example.org/100%/", "'%'"),
    "a dot folder": ("https://example.org/a/../b/", "'..'"),
}


@pytest.mark.parametrize("case", sorted(BAD_BASE_URLS))
def test_a_bad_base_url_is_one_error_at_its_line(tmp_path, case):
    value, words = BAD_BASE_URLS[case]
    config, report = config_of(tmp_path, with_setting(f"base_url: {value}"))
    assert config is None
    [problem] = report.sorted()
    assert (problem.line, problem.severity) == (BASE_LINE, "error")
    assert words in problem.message + problem.fix and problem.fix


@pytest.mark.parametrize("case", ["markup", "a control character", "a bidi override", "a query"])
def test_the_cli_stops_at_a_bad_base_url_and_builds_nothing(site, build, case):
    value, words = BAD_BASE_URLS[case]
    site.write("site.yaml", with_setting(f"base_url: {value}"))
    proc, out = build(site)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    found = errors(proc.stderr)
    assert len(found) == 1 and found[0][0] == BASE_LINE, proc.stderr
    assert words in found[0][1] and "Fix: " in found[0][1], found
    assert not out.exists()
    assert "\x1b" not in proc.stderr and "\u202e" not in proc.stderr  # shown as escapes, never raw


def test_the_fix_for_a_missing_scheme_is_the_same_address_with_https(site, build):
    site.write("site.yaml", with_setting("base_url: example.org/showcase"))
    proc, _ = build(site)
    assert "Fix: Write it like https://example.org/showcase/" in proc.stderr


def test_good_base_urls_are_kept_with_a_trailing_slash(site, build):
    site.write("site.yaml", with_setting("base_url: https://example.org:8443/städte"))
    proc, out = build(site)
    assert proc.returncode == 0, proc.stderr
    assert "https://example.org:8443/städte/case-studies/kashan-health-tv/" in (out / "sitemap.xml").read_text()
    assert 'href="/städte/static/style.css"' in (out / "index.html").read_text()


def test_the_base_url_option_is_checked_the_same_way(site, build):
    for value, words in (("https://example.org/<b>/", "angle bracket"), ("https://example.org/ x/", "space"),
                         ("ftp://example.org/", "not an absolute http(s) address"), ("https://e.org/?a", "'?'")):
        proc, out = build(site, "--base-url", value)
        assert proc.returncode == 1, value
        assert re.search(rf"--base-url: error: --base-url '.*' .*{re.escape(words)}", proc.stderr), proc.stderr
        assert "Traceback" not in proc.stderr and not out.exists()
    proc, out = build(site, "--base-url", "http://127.0.0.1:8000/preview")
    assert proc.returncode == 0, proc.stderr
    assert "http://127.0.0.1:8000/preview/countries/iran/" in (out / "sitemap.xml").read_text()


def test_a_bad_base_url_in_site_yaml_is_reported_even_when_the_option_replaces_it(site, build):
    site.write("site.yaml", with_setting("base_url: https://example.org/<oops>/"))
    proc, out = build(site, "--base-url", "https://example.net/")
    assert proc.returncode == 1 and not out.exists()
    assert errors(proc.stderr)[0][0] == BASE_LINE


# ---------------------------------------------------------------- cname through the real CLI

BAD_CNAMES = {
    "a scheme and path": ("https://showcase.example.org/", "Write only the domain name: cname: showcase.example.org"),
    "a port": ("showcase.example.org:443", "cname: showcase.example.org"),
    "markup": ('"<script>x</script>.org"', "angle bracket"),
    "a space": ('"showcase example.org"', "space"),
    "an underscore": ("show_case.example.org", "'_'"),
    "no dot": ("localhost", "not a full domain name"),
    "an empty label": ("showcase..example.org", "empty part"),
    "a long label": ("a" * 64 + ".example.org", "over 63"),
    "too long": (".".join(["abcdefghi"] * 26), "over 253"),
    "a hyphen at a label's end": ("showcase-.example.org", "hyphen"),
    "an IP address": ("192.0.2.1", "IP address"),
    "letters outside a-z": ("bücher.example", "xn--bcher-kva.example"),
    "an invisible character": ('"show\\u200bcase.example.org"', "U+200B"),
    "a list": ("[a.org, b.org]", "must be text"),
}


@pytest.mark.parametrize("case", sorted(BAD_CNAMES))
def test_a_bad_cname_is_one_error_at_its_line(tmp_path, case):
    value, words = BAD_CNAMES[case]
    text = with_setting(GOOD_BASE, cname=value)
    config, report = config_of(tmp_path, text)
    assert config is None
    [problem] = report.sorted()
    assert (problem.line, problem.severity) == (len(text.splitlines()), "error")
    assert words in problem.message + " " + problem.fix and problem.fix


def test_every_bad_setting_is_reported_in_one_run_and_nothing_is_built(site, build):
    site.write("site.yaml", with_setting("base_url: https://example.org/?x=1", cname="https://a.example.org"))
    proc, out = build(site)
    assert proc.returncode == 1 and not out.exists()
    found = errors(proc.stderr)
    assert [line for line, _ in found] == [BASE_LINE, len(SITE_YAML.splitlines()) + 1], proc.stderr
    assert "Fix: Write only the domain name: cname: a.example.org" in found[1][1]
    assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------- properties

FORBIDDEN = (list(" \"'<>\\`{}|^") + [chr(c) for c in range(0x20)] + [chr(c) for c in range(0x7f, 0xa1)]
             + ["\u200b", "\u200e", "\u2028", "\u2029", "\u202e", "\u2066", "\ufeff", "\u3000"])

ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
label = st.one_of(st.sampled_from(ALNUM),
                  st.builds(lambda first, middle, last: first + middle + last, st.sampled_from(ALNUM),
                            st.text(alphabet=ALNUM + "-", max_size=10), st.sampled_from(ALNUM)))
hosts = st.one_of(
    st.lists(label, min_size=2, max_size=4).map(".".join).filter(lambda h: not h.replace(".", "").isdigit()),
    st.just("localhost"), st.just("127.0.0.1"), st.just("[::1]"))
path_char = st.one_of(st.sampled_from(list("ABCXYZabcxyz0189-._~!$&()*+,;=:@") + ["é", "ß", "城"]),
                      st.integers(0, 255).map(lambda byte: f"%{byte:02X}"))
segment = st.lists(path_char, min_size=1, max_size=8).map("".join).filter(lambda s: s not in (".", ".."))
good_urls = st.builds(
    lambda scheme, host, port, path, slash: f"{scheme}://{host}{port}/{'/'.join(path)}{'/' if slash and path else ''}",
    st.sampled_from(["http", "https"]), hosts, st.sampled_from(["", ":8080", ":1"]),
    st.lists(segment, max_size=4), st.booleans())


def assert_plain_address(url: str) -> None:
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https") and parts.hostname
    assert not parts.query and not parts.fragment and "?" not in url and "#" not in url
    assert url.endswith("/") and "@" not in parts.netloc
    assert not any(c in url for c in FORBIDDEN), url
    assert all(unicodedata.category(c)[0] not in "CZ" for c in url), url
    assert normalise_base_url(url) == url  # normalising again changes nothing


@settings(max_examples=400, **PROPERTY)
@given(good_urls)
def test_every_plain_address_is_accepted_as_it_is(url):
    accepted = normalise_base_url(url)
    assert accepted == (url if url.endswith("/") else url + "/")
    assert_plain_address(accepted)


@settings(max_examples=800, **PROPERTY)
@given(st.one_of(
    st.text(max_size=40),
    st.builds(lambda a, b: a + b, st.sampled_from(["https://", "http://", "HTTPS://", "https:", "//"]),
              st.text(max_size=40)),
    st.builds(lambda u, t: u + t, good_urls, st.text(max_size=10))))
def test_whatever_is_accepted_is_a_plain_absolute_http_address(text):
    try:
        accepted = normalise_base_url(text)
    except Invalid as exc:
        assert exc.message.startswith("base_url") or exc.message.startswith("'base_url'")
        assert exc.fix
        return
    assert_plain_address(accepted)


@settings(max_examples=800, **PROPERTY)
@given(good_urls, st.sampled_from(FORBIDDEN), st.data())
def test_a_space_markup_or_control_character_anywhere_inside_is_refused(url, char, data):
    at = data.draw(st.integers(1, len(url) - 1))  # inside: spaces around a value are trimmed, as YAML does
    bad = url[:at] + char + url[at:]
    with pytest.raises(Invalid) as refused:
        normalise_base_url(bad)
    assert refused.value.fix
    with pytest.raises(Invalid):
        normalise_base_url(bad, "--base-url")


@settings(max_examples=200, **PROPERTY)
@given(st.one_of(good_urls, st.builds(lambda u, c, t: u + c + t, good_urls, st.sampled_from(FORBIDDEN + ["?", "#"]),
                                      st.text(min_size=1, max_size=5))))
def test_site_yaml_gives_the_same_verdict_with_its_line(tmp_path, url):
    """Through a real site.yaml (a YAML double-quoted string): accepted as normalise_base_url accepts it,
    or one error at base_url's line."""
    assume(all(not 0xd800 <= ord(c) <= 0xdfff and ord(c) < 0x10000 for c in url))
    config, report = config_of(tmp_path, with_setting(f"base_url: {json.dumps(url)}"))
    try:
        expected = normalise_base_url(url)
    except Invalid:
        expected = None
    if expected is None:
        assert config is None
        assert [(d.line, d.severity) for d in report.sorted()] == [(BASE_LINE, "error")]
    else:
        assert config is not None and config.base_url == expected, report.as_text()


hostnames = st.lists(label, min_size=2, max_size=5).map(".".join).filter(
    lambda h: not h.rsplit(".", 1)[1].isdigit())


@settings(max_examples=300, **PROPERTY)
@given(hostnames)
def test_every_domain_name_is_accepted_as_it_is(name):
    assert coerce_cname(name) == name


@settings(max_examples=800, **PROPERTY)
@given(st.one_of(st.text(max_size=30), st.builds(lambda h, t: h + t, hostnames, st.text(max_size=6)),
                 st.text(alphabet=ALNUM + "ABC.-", min_size=1, max_size=300)))
def test_whatever_cname_accepts_is_a_bare_domain_name(text):
    try:
        name = coerce_cname(text)
    except Invalid as exc:
        assert exc.fix
        return
    assert re.fullmatch(r"[A-Za-z0-9.-]+", name) and len(name) <= 253 and "." in name
    labels = name.split(".")
    assert all(1 <= len(part) <= 63 and not part.startswith("-") and not part.endswith("-") for part in labels)
    assert not labels[-1].isdigit()
    assert urlsplit(f"https://{name}/").hostname == name.lower()


@settings(max_examples=600, **PROPERTY)
@given(hostnames, st.sampled_from(FORBIDDEN + list("/:@_!%&=?#")), st.data())
def test_a_cname_with_anything_but_letters_digits_hyphens_and_dots_is_refused(name, char, data):
    at = data.draw(st.integers(1, len(name) - 1))
    with pytest.raises(Invalid) as refused:
        coerce_cname(name[:at] + char + name[at:])
    assert refused.value.fix


# ---------------------------------------------------------------- limits: how large a file may be

LIMITS_LINE = len(SITE_YAML.splitlines()) + 1  # the `limits:` line that with_limits adds


def with_limits(*lines: str) -> str:
    return SITE_YAML + "limits:\n" + "".join(f"  {line}\n" for line in lines)


BAD_LIMITS = {
    "zero": ("file_size_mb: 0", "more than 0", "file_size_mb: 8"),
    "a negative number": ("media_size_mb: -5", "more than 0", "delete the line"),
    "a word": ("file_size_mb: eight", "'eight', not a number of megabytes", "file_size_mb: 8"),
    "a unit": ("file_size_mb: 8 MB", "'8 MB', not a number alone", "without a unit or comma: file_size_mb: 8"),
    "a decimal comma": ('file_size_mb: "2,5"', "'2,5', not a number alone", "file_size_mb: 2.5"),
    "too large": ("file_size_mb: 500", "over 100: GitHub refuses a file larger than 100 MB", "up to 100, like file_size_mb: 8"),
    "too large for media": ("media_size_mb: 100.5", "over 100", "up to 100, like media_size_mb: 25"),
    "infinity": ("file_size_mb: .inf", "'.inf', not a number of megabytes", "file_size_mb: 8"),
    "an exponent": ("file_size_mb: 1e3", "not a number of megabytes", "file_size_mb: 8"),
    "true": ("media_size_mb: true", "'true', not a number of megabytes", "media_size_mb: 25"),
    "a list": ("file_size_mb: [8]", "must be a number of megabytes", "file_size_mb: 8"),
    "empty": ("file_size_mb:", "must be a number of megabytes", "file_size_mb: 8"),
    "less than a byte": ("file_size_mb: 0.0000001", "less than one byte", "file_size_mb: 8"),
}


@pytest.mark.parametrize("case", sorted(BAD_LIMITS))
def test_a_bad_limit_is_one_error_at_its_line(tmp_path, case):
    line, message, fix = BAD_LIMITS[case]
    config, report = config_of(tmp_path, with_limits("media_size_mb: 30", line) if "file" in line
                               else with_limits(line, "file_size_mb: 2"))
    assert config is None
    [problem] = report.sorted()
    assert (problem.line, problem.severity) == (LIMITS_LINE + (2 if "file" in line else 1), "error")
    assert problem.message.startswith("limits: ") and message in problem.message, problem.message
    assert fix in problem.fix, problem.fix


def test_limits_that_are_not_key_value_lines_are_an_error_with_the_form_to_write(tmp_path):
    config, report = config_of(tmp_path, SITE_YAML + "limits: 8\n")
    [problem] = report.sorted()
    assert config is None and problem.line == LIMITS_LINE
    assert "limits:\n  file_size_mb: 8\n  media_size_mb: 25" in problem.fix


def test_good_limits_are_read_in_bytes_and_an_unknown_one_is_a_warning(tmp_path):
    folder = tmp_path / "cfg"
    folder.mkdir()
    for lines, expected in (((), DEFAULT_LIMITS), (("file_size_mb: 2.5",), FileLimits(text=int(2.5 * MB))),
                            (("media_size_mb: 100", "file_size_mb: 0.5"), FileLimits(text=MB // 2, media=100 * MB)),
                            (('file_size_mb: "12"', "media_size_mb: 1"), FileLimits(text=12 * MB, media=MB))):
        (folder / "site.yaml").write_text(with_limits(*lines), encoding="utf-8")
        report = Report()
        settings = load_settings(folder, report, None)
        assert report.items == [] and settings.limits == expected, lines
    (folder / "site.yaml").write_text(with_limits("file_size_md: 3"), encoding="utf-8")
    report = Report()
    assert load_settings(folder, report, None).limits == DEFAULT_LIMITS
    [problem] = report.items
    assert (problem.severity, problem.line, problem.message) == ("warning", LIMITS_LINE + 1, "unknown key 'file_size_md'")
    assert problem.fix == "Did you mean 'file_size_mb'?"


def test_the_cli_stops_at_a_bad_limit_with_its_line_and_builds_nothing(site, build):
    site.write("site.yaml", with_limits("file_size_mb: 0", "media_size_mb: 250"))
    proc, out = build(site)
    assert proc.returncode == 1 and not out.exists() and "Traceback" not in proc.stderr
    found = errors(proc.stderr)
    assert [line for line, _ in found] == [LIMITS_LINE + 1, LIMITS_LINE + 2], proc.stderr
    assert "Fix: " in found[0][1] and "GitHub refuses" in found[1][1]


@settings(max_examples=500, **PROPERTY)
@given(st.one_of(st.decimals(min_value=-1, max_value=200, places=4, allow_nan=False, allow_infinity=False)
                 .map(lambda d: f"{d:f}"),
                 st.text(alphabet="0123456789.,-+ eEMBmbk", max_size=8),
                 st.text(max_size=6)))
def test_a_limit_is_accepted_exactly_when_it_is_a_number_above_0_up_to_100(text):
    try:
        plain = (len(text.strip()) <= 30 and re.fullmatch(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+", text.strip())
                 and Decimal(text.strip()))
    except InvalidOperation:
        plain = None
    expected = int(plain * MB) if plain and 0 < plain <= 100 and plain * MB >= 1 else None
    try:
        got = limit_bytes(text, "file_size_mb")
    except Invalid as exc:
        assert expected is None, text
        assert exc.message.startswith("limits: file_size_mb") and exc.fix
        return
    assert got == expected, text
