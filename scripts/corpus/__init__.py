"""Building blocks of scripts/build_corpus.py: Debian package fetching, source readers, cleaning."""
