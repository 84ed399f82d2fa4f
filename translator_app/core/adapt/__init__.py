"""Learning from the user's corrections: the translation memory, its import/export, and background
adaptation (a fine-tune on the memory). The top layer: may import every other part.
"""
