"""Measurements (quality and speed figures); each module is also a script: ``python benchmarks/<name>.py``.

A package so the tests import them (``from benchmarks import quality``) instead of loading files by path.
"""
