"""Data recipes and checks; each module is also a script: ``python scripts/<name>.py``.

A package so the tests import them (``from scripts import fuzz_corpus``) instead of loading files by path.
"""
