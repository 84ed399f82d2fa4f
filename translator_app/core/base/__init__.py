"""The engine's vocabulary, imported by every other part and importing none: the configs (model,
training, tokenizer presets), the events a run yields, cancellation, language codes, thread and heap
settings, child-process commands. Torch-free; imports nothing from core.
"""
