"""The one decoding path: text -> sentences -> protected spans -> batches -> search -> restore
(pipeline), the Translator a GUI or CLI holds, interactive prefix completion. May import core.model.model
and below; core.documents sits beside it.
"""
