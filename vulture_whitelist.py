"""Names vulture (``--min-confidence 60``) reports as unused that are used, each with its reason.

``make test`` runs ``vulture translator_app vulture_whitelist.py --min-confidence 60``: anything
vulture finds that is not here is dead code and is removed, not added here.  This file is only
parsed by vulture, never imported (``_`` stands for any object).  Entries are grouped by reason.
"""

# ruff: noqa: B018, F821
# (bare expressions naming undefined ``_``: vulture's whitelist format)

# ---- called by Qt, torch or logging, not by our code (overrides keep their framework names) ------
_.eventFilter  # app._FirstPaint: QObject.eventFilter, installed on the application
_.handleError  # logs._RotatingFile: logging.Handler.handleError, called by logging on a failed write
_.forward  # core.model.loss / core.model.model: torch.nn.Module.forward, called through module(...)
_.dragMoveEvent  # gui.corpus_panel: QWidget drag-and-drop override
_.dropEvent  # gui.corpus_panel: QWidget drag-and-drop override
_.contextMenuEvent  # gui.editor_input: QWidget override
_.closeEvent  # gui.main_window: QWidget override (closing during training)
_.sizeHint  # gui.heatmap: QWidget layout override
_.minimumSizeHint  # gui.heatmap: QWidget layout override
_.paintEvent  # gui.heatmap: QWidget paint override

# ---- dataclass fields: part of a saved file's (asdict) or an event's schema ----------------------
_.held_back_bleu  # core.adapt.adaptation.Scores: written to the adaptation's versions file (asdict)
_.unk_id  # core.base.config.ModelConfig: saved in config.json; the tokenizer's <unk> id
_.base_general_chrf  # core.base.events.Validation: filled by core.train.train_loop at step 0, beside base_general_bleu

# ---- public constants read by scripts/ and benchmarks/ (vulture is run on translator_app only) ----
_.AMP_MODES  # core.base.config: the --amp choices, read by benchmarks/bench_training.py
_.DEFAULT_PAIRS  # core.train.replay: read by scripts/add_replay_set.py
_.DEFAULT_TAGS  # core.text.tags: the default tags of scripts/bidirectional_corpus.py and scripts/split_bidirectional.py
_.encode_replay  # core.train.replay: scripts/add_replay_set.py builds a bundle's replay set with it
_.sample_pairs  # core.train.replay: scripts/add_replay_set.py
_.replay_record  # core.train.replay: scripts/add_replay_set.py

# ---- a widget's state, read by the GUI tests (screenshots and behaviour checks inspect it) --------
_.is_shown  # gui.charts: whether a chart is on screen
_.legend_names  # gui.charts: the legend as drawn
_.axis_labels_shown  # gui.charts: whether the axis labels are drawn
_.matrix_shape  # gui.heatmap: the attention matrix drawn (rows, columns)
_.copy_legend  # gui.heatmap: the copy column's legend text
_.stale_results  # gui.translate_tab / gui.interactive: results dropped because a newer request won
_.shown_id  # gui.translate_tab: the request id whose result is on screen
_.last_finished  # gui.training_tab: the last Finished event shown
_.last_error  # gui.training_tab: the last failure message shown
_.base_models  # gui.training_form: the base models the "Start from" list offers
_.document_dialog  # gui.file_actions: keeps the open (non-modal) dialog referenced, so it is not collected
_.memory_feature  # gui.main_window: keeps the Memory feature (menu, hint, adaptation) referenced

# ---- small public API of the core, tested directly (the documented way to use a module) -----------
_.skipped_total  # core.text.corpus_report.CorpusReport: read by scripts/fuzz_corpus.py and the corpus tests
_.needs_split  # core.text.segment: whether a text is long enough to segment; tests/core/test_segment.py
_.mask_text  # core.text.spans: mask protected spans in a text; tests/core/test_spans.py
