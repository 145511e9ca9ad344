"""The image-search server under load: feature extraction, cache, latency and memory.

Starts `glassnet serve RUN` as a real process (first with no feature cache, so the
extraction over the whole training set is timed, then again reading the cache), sends
searches with real test images as PNG uploads, one client at a time and then from several
threads at once, and reads each server's peak resident memory (VmHWM) from /proc: the
first one's after the extraction, the second one's after all the searches.

    uv run python benchmarks/serve.py runs/cnn --searches 200 --clients 8
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np


def post_search(url: str, data: bytes, **fields) -> tuple[int, dict]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
             f"{value}\r\n".encode() for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="image"; '
                 f'filename="query.png"\r\nContent-Type: image/png\r\n\r\n'.encode()
                 + data + b"\r\n")
    request = urllib.request.Request(
        f"{url}/api/search", data=b"".join(parts) + f"--{boundary}--\r\n".encode(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def start_server(run: str, extra: list[str], env: dict | None = None):
    """The process, its URL, its features line and the seconds until it served."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "glassnet.cli.main", "serve", run, "--port", "0", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, **(env or {})})
    features_line = ""
    for line in process.stdout:
        if "features of" in line:
            features_line = line.strip()
        found = re.search(r"open (http://\S+)/", line)
        if found:
            return process, found.group(1), features_line, time.perf_counter() - started
    raise RuntimeError(f"glassnet serve did not start (exit code {process.wait()})")


def peak_memory_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def latencies(url: str, uploads: list[bytes], spaces: list[str], clients: int) -> dict:
    def one(i: int) -> tuple[float, int]:
        started = time.perf_counter()
        status, _ = post_search(url, uploads[i % len(uploads)], k="8",
                                space=spaces[i % len(spaces)])
        return time.perf_counter() - started, status

    count = len(uploads)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(one, range(count)))
    wall = time.perf_counter() - started
    seconds = sorted(s for s, _ in results)
    errors = sum(status != 200 for _, status in results)
    return {"clients": clients, "searches": count, "spaces": spaces, "errors": errors,
            "p50_ms": round(statistics.median(seconds) * 1000, 1),
            "p95_ms": round(seconds[int(0.95 * count) - 1] * 1000, 1),
            "searches_per_s": round(count / wall, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", help="a run folder of glassnet train")
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--keep-cache", action="store_true",
                        help="do not delete the feature cache first")
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    from glassnet.data import load_dataset
    from glassnet.serialization import load
    from glassnet.serve.codec import png_bytes

    if not args.keep_cache:
        for cached in (Path(args.run) / "features").glob("*.safetensors"):
            cached.unlink()
    record = {"load_average_before": os.getloadavg()}

    process, url, line, seconds = start_server(args.run, [])
    found = re.search(r"(computed and cached in|read from) (\S+) \(([\d.]+) MB\) in ([\d.]+) s",
                      line)
    record.update(first_start_s=round(seconds, 1), features_line=line,
                  feature_seconds=float(found.group(4)), cache_mb=float(found.group(3)),
                  peak_memory_extracting_mb=round(peak_memory_mb(process.pid), 1))
    process.terminate()
    process.wait()

    process, url, line, seconds = start_server(args.run, [])
    record["cached_start_s"] = round(seconds, 1)
    try:
        config = load(Path(args.run) / "best.safetensors").metadata["config"]
        X_test, _ = load_dataset(config["dataset"], split="test", root=config.get("data_dir"))
        rng = np.random.default_rng(0)
        uploads = [png_bytes(X_test[i]) for i in rng.choice(len(X_test), args.searches)]
        for space in ("features", "pixels"):  # interleaved: single, concurrent, per space
            record[f"single_{space}"] = latencies(url, uploads, [space], 1)
            record[f"concurrent_{space}"] = latencies(url, uploads, [space], args.clients)
        record["peak_memory_serving_mb"] = round(peak_memory_mb(process.pid), 1)
    finally:
        process.terminate()
        process.wait()
    record["load_average_after"] = os.getloadavg()
    print(json.dumps(record, indent=2))
    if args.out:
        args.out.write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
