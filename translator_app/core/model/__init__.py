"""The network and its saved form: the attentional BiLSTM encoder-decoder with copy attention, its
loss, beam and greedy search with the decoding settings (DecodeConfig), and the checkpoint/bundle
loader and saver. May import core.folders, core.text, core.base.
"""
