"""Screenshots of the web UI for the README: the overview and a story page, over the demo store.

    .venv/bin/storydiff demo                      # builds demo-output/storydiff.duckdb
    .venv/bin/python scripts/screenshot_serve.py [--db demo-output/storydiff.duckdb] [--out docs/img]

Starts `storydiff serve --port 0` on the store, opens the overview, then the first story found by
--search (the five reports of the Antwerp strike by default), clicks its first conflict in the list of
discrepancies (which scrolls each version to its evidence) and saves serve-overview.png
and serve-story.png. Needs Debian's chromium (`make venv` installs it).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def start(db: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "storydiff"), "serve", "--db", str(db), "--port", "0"],
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    found = re.search(r"(http://\S+/)", line)
    if not found:
        proc.kill()
        sys.exit(f"the server did not start: {line}{proc.stderr.read()}")
    return proc, found.group(1).rstrip("/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=ROOT / "demo-output" / "storydiff.duckdb")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    parser.add_argument("--search", default="pension", help="words that find the story to show")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    proc, url = start(args.db)
    try:
        with urllib.request.urlopen(url + "/stories.json?" + urlencode({"q": args.search})) as r:
            story = json.load(r)["stories"][0]["id"]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900}, reduced_motion="reduce")
            page.goto(url + "/")
            page.screenshot(path=str(args.out / "serve-overview.png"))
            page.goto(f"{url}/story/{story}")
            conflicts = page.locator("#disc-list > li:not(.k-only_in):not(.k-name_variant)")
            (conflicts if conflicts.count() else page.locator("#disc-list > li")).first.click()
            time.sleep(0.3)
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(args.out / "serve-story.png"), full_page=True,
                            clip={"x": 0, "y": 0, "width": 1400, "height": 1250})
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"wrote {args.out / 'serve-overview.png'} and {args.out / 'serve-story.png'}")


if __name__ == "__main__":
    main()
