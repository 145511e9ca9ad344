"""`glassnet serve` as a real process: what it prints, how it binds, load, and a browser."""

import io
import json
import statistics
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from tests.ci import import_in_ci
from tests.serve.conftest import ServerProcess, png_bytes

import_in_ci("flask", "Flask (the 'serve' extra) runs the server")


def post_search(url: str, data: bytes, **fields) -> tuple[int, dict]:
    """POST /api/search as a multipart form with urllib: (status, JSON answer)."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
             f"{value}\r\n".encode() for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="image"; '
                 f'filename="query.png"\r\nContent-Type: image/png\r\n\r\n'.encode()
                 + data + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        f"{url}/api/search", data=body, method="POST",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_serve_binds_loopback_by_default_and_reports_the_features(server):
    assert server.url.startswith("http://127.0.0.1:")
    assert "features of 400 training images at layer 4 (32 values each)" in server.output
    assert "other computers can reach" not in server.output


def test_eight_clients_send_200_searches_without_an_error(server, train_images):
    images = train_images[0]

    def one_search(i: int) -> tuple[float, int, dict]:
        started = time.perf_counter()
        status, answer = post_search(server.url, png_bytes(images[i % 400]), k="8",
                                     space=("features", "pixels")[i % 2])
        return time.perf_counter() - started, status, answer

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one_search, range(200)))
    assert [status for _, status, _ in results] == [200] * 200
    for i, (_, _, answer) in enumerate(results):
        distances = [n["distance"] for n in answer["neighbors"]]
        assert len(distances) == 8 and distances == sorted(distances)
        if answer["space"] == "pixels":  # every answer belongs to its own query
            assert answer["neighbors"][0]["index"] == i % 400 and distances[0] == 0.0
    latencies = sorted(seconds for seconds, _, _ in results)
    print(f"8 clients, 200 searches: p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p95 {latencies[189] * 1000:.0f} ms")


def test_a_body_over_the_limit_gets_a_413_from_the_real_server(server, train_images):
    status, answer = post_search(server.url, bytes(11 * 2**20))
    assert status == 413 and "larger than 10 MB" in answer["error"]
    assert post_search(server.url, png_bytes(train_images[0][0]))[0] == 200


def test_another_host_must_be_explicit_and_is_announced(trained_run):
    process = ServerProcess(str(trained_run), "--host", "0.0.0.0", "--port", "0")
    try:
        url = process.wait_for_url()
        assert "listening on 0.0.0.0, which other computers can reach" in process.output
        assert url.startswith("http://127.0.0.1:")  # where this computer finds it
    finally:
        code = process.stop()
    assert code == 0 and "stopped." in process.output  # SIGTERM stops it cleanly


def test_a_port_in_use_is_a_clear_error(server, trained_run):
    port = server.url.rsplit(":", 1)[1]
    process = ServerProcess(str(trained_run), "--port", port)
    code = process.process.wait(timeout=60)
    process.stop()
    assert code != 0 and f"could not listen on 127.0.0.1 port {port}" in process.output


def thumbnail_widths(page, count: int = 16) -> list[int]:
    """The naturalWidth of the neighbours' thumbnails, once ``count`` of them are decoded.

    (Waiting with wait_for_function would evaluate strings in the page, which its
    Content-Security-Policy rightly forbids; evaluate() runs outside that policy.)
    """
    page.locator(".panel .neighbor img").nth(count - 1).wait_for()
    return page.evaluate("""async () => {
        const images = [...document.querySelectorAll('.panel .neighbor img')];
        await Promise.all(images.map(image => image.decode().catch(() => null)));
        return images.map(image => image.naturalWidth);
    }""")


def test_the_page_finds_neighbours_of_an_uploaded_image(server, browser_page, train_images,
                                                      tmp_path):
    page = browser_page
    outside = []
    page.on("request", lambda request: None if request.url.startswith(
        (server.url, "blob:", "data:")) else outside.append(request.url))
    problems = []  # console errors: a blocked resource, a script error
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    query = tmp_path / "query.png"
    query.write_bytes(png_bytes(train_images[0][17]))
    page.goto(server.url)
    page.wait_for_selector("#strip img")  # the strip of test images arrived
    page.set_input_files("#image-input", str(query))
    assert thumbnail_widths(page) == [28] * 16  # k = 8 in each space, each one decoded
    distances = page.locator('.panel[data-space="pixels"] .distance').all_inner_texts()
    assert distances[0] == "distance 0.00"  # the training image itself
    assert all(text.startswith("distance ") for text in distances) and len(distances) == 8
    assert page.locator("#prediction-text").inner_text().startswith("The network says: ")
    page.get_by_text("Raw pixels", exact=True).click()  # the switch hides the other panel
    assert not page.locator('.panel[data-space="features"]').is_visible()
    assert problems == []

    page.set_input_files("#image-input", files=[{"name": "notes.png", "mimeType": "image/png",
                                                 "buffer": b"not an image at all"}])
    page.wait_for_selector("#error:not([hidden])")
    assert "not an image" in page.locator("#error").inner_text()
    assert page.locator("#results").is_hidden()
    assert outside == []


def test_the_persian_page_is_right_to_left_in_vazirmatn(server, browser_page):
    page = browser_page
    page.goto(f"{server.url}/?lang=fa")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    page.wait_for_selector("#strip img")
    page.locator("#strip button").first.click()
    page.wait_for_selector('.panel[data-space="features"] .neighbor img')
    loaded = page.evaluate("document.fonts.ready.then(() => [...document.fonts]"
                           ".filter(f => f.family.includes('Vazirmatn') && f.status === 'loaded')"
                           ".length)")
    assert loaded >= 1
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    caption = page.locator('.panel[data-space="features"] .distance').first.inner_text()
    assert caption.startswith("فاصله ") and any("۰" <= ch <= "۹" for ch in caption)


def test_thumbnails_match_the_dataset_over_http(server, train_images):
    from PIL import Image

    with urllib.request.urlopen(f"{server.url}/api/images/train/5.png", timeout=10) as response:
        image = np.asarray(Image.open(io.BytesIO(response.read())))
    np.testing.assert_array_equal(image, train_images[0][5])
