"""Text in and out of the model: reading and checking corpora in every supported format, previewing
them, SentencePiece tokenizers, augmentation, sentence segmentation, protected spans (names,
numbers, codes), language identification, metrics and measured expectations. May import core.base
only.
"""
