"""Screenshot an HTML report with headless Chromium, to check how it looks: screenshot_report.py HTML PNG.

Runs with a throwaway profile and with background networking off, so the page is rendered the way a
reader opening the file offline would see it.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"


def screenshot(html: Path, png: Path, size: str = "1400,1000") -> None:
    with tempfile.TemporaryDirectory(prefix="storydiff-chromium-") as profile:
        subprocess.run(
            [
                CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", f"--window-size={size}", "--hide-scrollbars",
                f"--screenshot={png.resolve()}", html.resolve().as_uri(),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print("usage: screenshot_report.py HTML_FILE PNG_FILE [WIDTH,HEIGHT]", file=sys.stderr)
        return 1
    screenshot(Path(argv[1]), Path(argv[2]), *argv[3:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
