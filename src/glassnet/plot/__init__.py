"""Figures: functions that take data (arrays, metric records), return a matplotlib ``Figure``
and optionally save it as a PNG. matplotlib is imported inside the functions, so that
``import glassnet`` and ``glassnet --help`` stay fast, and always through the Agg canvas of
``glassnet.plot.figure`` (never pyplot's global state, never a window)."""
