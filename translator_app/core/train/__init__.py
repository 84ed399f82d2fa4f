"""Training a model, as a generator of events with a stop flag: the request (TrainRequest, resolve),
run set-up, the loop and its state, validation, fine-tuning (replay, forgetting limit, anchor),
batching, distributed runs. May import core.translation, core.documents and below.
"""
