"""Files on disk: the run folder and the model bundle (every file name, every read and write, on one
atomic writer), bundle metadata, the one-writer lock, run history. May import core.base and
core.text.
"""
