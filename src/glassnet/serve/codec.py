"""Uploaded files → images the model takes, within the server's limits; images → PNG bytes.

An upload is decoded exactly as ``glassnet predict`` decodes a file
(``glassnet.data.images.read_image`` with ``resize=True``: grey or RGB as the model needs,
scaled to its input size), after three checks that protect the server: the file is not
empty, it is a PNG or JPEG, and it declares at most ``MAX_PIXELS`` pixels (its header is
read first, so a 20000×20000 image or a decompression bomb is refused before anything is
decoded). Every refusal is an ``UploadError`` naming the message to show and the HTTP
status to send; the server stays up for the next request.
"""

import io

import numpy as np

from glassnet.errors import GlassnetError
from glassnet.extras import require_extra

ACCEPTED_FORMATS = ("PNG", "JPEG")
# 25 megapixels: any phone photo at its usual resolution (12 MP). Decoding one in colour
# takes 75 MB, so eight at once stay well under a gigabyte.
MAX_PIXELS = 25_000_000


class UploadError(GlassnetError, ValueError):
    """An upload the server refuses.

    Attributes:
        key: the message's key in ``glassnet.serve.messages.MESSAGES``.
        status: the HTTP status to answer with (4xx).
        values: the fields the message is formatted with.
    """

    def __init__(self, key: str, status: int = 400, **values):
        self.key, self.status, self.values = key, status, values
        super().__init__(f"{key} {values}")


def read_upload(data: bytes, input_shape) -> np.ndarray:
    """Decode an uploaded PNG/JPEG into one image in the dataset's layout (uint8).

    Args:
        data: the file's bytes.
        input_shape: the model's (channels, height, width).

    Raises:
        UploadError: empty (400), not an image (400), another format (415), too many
            pixels (400), or a file that fails to decode (400: truncated, corrupt).
        MissingDependencyError: Pillow is missing, naming the extra.
    """
    from glassnet.data.images import read_image

    Image = _pillow()
    if not data:
        raise UploadError("error_empty")
    try:  # the header only: format and size, nothing decoded yet
        with Image.open(io.BytesIO(data)) as probe:
            file_format, (width, height) = probe.format, probe.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise UploadError("error_bomb", detail=str(error)) from None
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise UploadError("error_not_image", detail=str(error)) from None
    if file_format not in ACCEPTED_FORMATS:
        raise UploadError("error_format", status=415, format=file_format)
    if width * height > MAX_PIXELS:
        raise UploadError("error_pixels", width=width, height=height,
                          pixels=f"{width * height:,}", limit=f"{MAX_PIXELS:,}")
    try:
        return read_image(data, input_shape, resize=True)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise UploadError("error_bomb", detail=str(error)) from None
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise UploadError("error_corrupt", detail=str(error)) from None


def png_bytes(image: np.ndarray) -> bytes:
    """A uint8 image in a dataset's layout ((H, W) or (C, H, W)) as a PNG file.

    Example:
        >>> png_bytes(np.zeros((28, 28), dtype=np.uint8))[:4]
        b'\\x89PNG'
    """
    Image = _pillow()
    array = image if image.ndim == 2 else np.ascontiguousarray(image.transpose(1, 2, 0))
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def _pillow():
    return require_extra("PIL.Image", "serve", "glassnet serve (reading and writing images)")
