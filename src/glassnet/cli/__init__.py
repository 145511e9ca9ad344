"""The ``glassnet`` command line: a thin shell over the Python API."""
