"""Download one file over HTTP(S), verify its MD5, and move it into place atomically.

The file is streamed into a hidden temporary file in the destination folder while its MD5 is
computed; only when the whole body has arrived and the checksum matches is the temporary file
renamed to its final name (``os.replace``, atomic on POSIX). A failed, interrupted or
mismatching download therefore never leaves a partial file under the final name, and the
temporary file is removed. A progress bar (tqdm) shows on an interactive terminal.
"""

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tqdm import tqdm

from glassnet.errors import ConfigError, DatasetError

CHUNK_BYTES = 1 << 20


def md5sum(path) -> str:
    """The hex MD5 digest of a file, read in 1 MiB chunks.

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "hello.txt"
        >>> _ = path.write_bytes(b"hello")
        >>> md5sum(path)
        '5d41402abc4b2a76b9719d911017c592'
    """
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def download_url(url: str, dest, md5: str, *, progress: bool = True, timeout: float = 60.0):
    """Fetch ``url`` into the file ``dest``, verifying its MD5; atomic and leaves nothing partial.

    Args:
        url: an ``http://`` or ``https://`` address.
        dest: the final path; its folder is created if needed.
        md5: the expected hex MD5 of the file.
        progress: show a progress bar (only on an interactive terminal).
        timeout: seconds to wait for the server before giving up.

    Returns:
        ``dest`` as a Path.

    Raises:
        ConfigError: ``url`` is not http(s).
        DatasetError: the server cannot be reached or answers with an error, the body is
            shorter than announced, or the MD5 differs. No file is left at ``dest``.
    """
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise ConfigError(f"download_url: expected an http(s) URL, but got {url!r}.")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            digest = _fetch(url, out, progress=progress, timeout=timeout)
            out.flush()
            os.fsync(out.fileno())
        if digest != md5:
            raise DatasetError(
                f"{url}: expected MD5 {md5}, but the downloaded file has MD5 {digest}. It was "
                "discarded. The server may serve a different version; try again later or "
                "place a verified copy of the file yourself."
            )
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest


def _fetch(url: str, out, *, progress: bool, timeout: float) -> str:
    """Stream the body of ``url`` into ``out``; return its MD5."""
    digest = hashlib.md5(usedforsecurity=False)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            total = response.headers.get("Content-Length")
            total = int(total) if total and total.isdigit() else None
            received = 0
            with tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=Path(urllib.parse.urlsplit(url).path).name,
                disable=None if progress else True,  # None: only on a terminal
            ) as bar:
                while chunk := response.read(CHUNK_BYTES):
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
    except urllib.error.HTTPError as error:
        message = f"{url}: the server answered HTTP {error.code} {error.reason}."
        raise DatasetError(message) from error
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DatasetError(f"{url}: download failed ({reason}).") from error
    if total is not None and received != total:
        raise DatasetError(
            f"{url}: expected {total} bytes, but the connection closed after {received}. "
            "Try again."
        )
    return digest.hexdigest()
