"""Screenshots of the image-search page for the README (docs/serve.png, docs/serve-fa.png).

Starts `glassnet serve RUN` on a free port, finds among the first strip of test images
(fixed by --seed) the one whose learned-feature neighbours agree with its class most beyond
its pixel neighbours (the lecture's point), clicks it and saves the page.

    uv run python docs/serve_screenshot.py runs/cnn --out docs/serve.png
    uv run python docs/serve_screenshot.py runs/cnn --lang fa --out docs/serve-fa.png
"""

import argparse
import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.browser
from tests.browser import CHROMIUM_FLAGS, chromium_path
from tests.serve.test_server import post_search, thumbnail_widths


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def get_bytes(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def best_example(url: str, seed: int) -> int:
    """The position in the strip of the most instructive test image."""
    strip = get_json(f"{url}/api/test-images?count=12&seed={seed}")["images"]
    scores = []
    for item in strip:
        image = get_bytes(url + item["thumbnail"])
        agree = {}
        for space in ("features", "pixels"):
            _, answer = post_search(url, image, k="8", space=space)
            agree[space] = sum(n["label"] == item["label"] for n in answer["neighbors"])
        correct = answer["prediction"]["label"] == item["label"]
        scores.append((correct, agree["features"] - agree["pixels"], agree["features"]))
    return max(range(len(strip)), key=lambda i: scores[i])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run")
    parser.add_argument("--out", type=Path, default=Path("docs/serve.png"))
    parser.add_argument("--lang", default="en")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server = subprocess.Popen([sys.executable, "-m", "glassnet.cli.main", "serve", args.run,
                               "--port", "0", "--lang", args.lang],
                              stdout=subprocess.PIPE, text=True)
    try:
        for line in server.stdout:
            found = re.search(r"open (http://\S+)/", line)
            if found:
                url = found.group(1)
                break
        position = best_example(url, args.seed)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(),
                                                 args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(f"{url}/?seed={args.seed}")
            page.wait_for_selector("#strip img")
            page.locator("#strip button").nth(position).click()
            assert thumbnail_widths(page) == [28] * 16
            page.evaluate("document.fonts.ready.then(() => true)")
            page.screenshot(path=str(args.out), full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
