"""Desktop neural machine translator (BiLSTM encoder, attentional LSTM decoder)."""

__version__ = "0.1.0"
