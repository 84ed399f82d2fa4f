"""The user's model library: listing, importing, exporting and removing bundles (ModelStore). May
import core.train and below.
"""
