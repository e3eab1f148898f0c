#!/usr/bin/env python3
"""Full-page screenshots of the built site, to look at the design before publishing.

    python scripts/screenshots.py                  # build the bundled showcase, then shoot it
    python scripts/screenshots.py --site output/   # shoot a site that is already built
    python scripts/screenshots.py --dark --print   # also the dark colour scheme and print media

The site is served on 127.0.0.1 under its own base path (read from the built
home page), and headless Chromium (the system one, never a downloaded browser)
saves PNGs of the home page, a case study and a country page at 375 px and
1280 px wide into screenshots/ (git-ignored: never commit the images).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (375, 1280)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def build_showcase(into: Path) -> Path:
    out = into / "site"
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--output", str(out)], cwd=ROOT,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"build failed:\n{proc.stdout}{proc.stderr}")
    return out


def base_path(site: Path) -> str:
    """The site's base path ("/learning-cities/"), from the stylesheet link of its home page."""
    found = re.search(r'href="([^"]*)static/style\.css"', (site / "index.html").read_text(encoding="utf-8"))
    return found.group(1) if found and found.group(1).startswith("/") else "/"


def serve(site: Path, prefix: str) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def translate_path(self, path):
            path = path.split("?", 1)[0].split("#", 1)[0]
            inner = "/" + path[len(prefix):] if path.startswith(prefix) else "/404.html"
            local = Path(super().translate_path(inner))
            return str(local if local.exists() else site / "404.html")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def first_page(site: Path, folder: str, preferred: str) -> str:
    if (site / folder / preferred / "index.html").exists():
        return f"{folder}/{preferred}/"
    pages = sorted(p.parent.name for p in (site / folder).glob("*/index.html"))
    if not pages:
        sys.exit(f"no page under {folder}/ in {site}")
    return f"{folder}/{pages[0]}/"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site folder (default: build the bundled showcase)")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots", help="where the PNGs go (default: screenshots/)")
    parser.add_argument("--study", default="kashan-health-tv", help="the case study to shoot")
    parser.add_argument("--country", default="iran", help="the country page to shoot")
    parser.add_argument("--dark", action="store_true", help="also shoot the dark colour scheme")
    parser.add_argument("--print", dest="print_media", action="store_true", help="also shoot the case study as printed")
    args = parser.parse_args(argv)

    chromium = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    if chromium is None:
        sys.exit("Chromium is needed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        site = args.site.resolve() if args.site else build_showcase(Path(tmp))
        prefix = base_path(site)
        server = serve(site, prefix)
        root = f"http://127.0.0.1:{server.server_address[1]}{prefix}"
        pages = {"home": "", "case-study": first_page(site, "case-studies", args.study),
                 "country": first_page(site, "countries", args.country)}
        args.out.mkdir(parents=True, exist_ok=True)
        schemes = ["light", "dark"] if args.dark else ["light"]
        saved = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
                for scheme in schemes:
                    for width in WIDTHS:
                        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
                        tab = context.new_page()
                        for name, path in pages.items():
                            tab.goto(root + path, wait_until="load")
                            suffix = "" if scheme == "light" else "-dark"
                            target = args.out / f"{name}-{width}{suffix}.png"
                            tab.screenshot(path=str(target), full_page=True)
                            saved.append(target)
                        if args.print_media and scheme == "light" and width == WIDTHS[-1]:
                            tab.emulate_media(media="print")
                            tab.goto(root + pages["case-study"], wait_until="load")
                            target = args.out / "case-study-print.png"
                            tab.screenshot(path=str(target), full_page=True)
                            saved.append(target)
                        context.close()
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    for target in saved:
        print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
