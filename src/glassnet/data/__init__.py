"""Data in, as NumPy arrays: dataset readers, synthetic sets, preprocessing and loaders."""

from glassnet.data.datasets.synthetic import blobs, spiral, xor

__all__ = ["blobs", "spiral", "xor"]
