"""core/base/cancel: the one cancellation type (a token and the exception a cancelled job raises)."""

from __future__ import annotations

import threading

import pytest

from translator_app.core.base.cancel import Cancelled, CancelToken


def test_a_token_stops_a_job_once_cancelled_and_can_be_reused():
    token = CancelToken()
    assert not token() and not token.cancelled and not token.is_set()
    token.cancel()
    assert token() and token.cancelled and token.is_set()
    token.reset()
    assert not token()
    token.set()  # the threading.Event spelling
    assert token.is_set()
    token.clear()
    assert not token.is_set()


def test_a_cancelled_document_raises_the_one_cancelled(tmp_path):
    from translator_app.core.documents import translate_document

    src = tmp_path / "in.txt"
    src.write_text("Hello.\nGood morning.\n", encoding="utf-8")
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        translate_document(src, tmp_path / "out.txt", translator=None, cancel=token)
    assert not (tmp_path / "out.txt").exists()


def test_a_token_set_in_another_thread_is_seen():
    token = CancelToken()
    thread = threading.Thread(target=token.cancel)
    thread.start()
    thread.join()
    assert token.cancelled


def test_the_cancellations_the_app_raises_are_one_type():
    from translator_app.core import documents

    assert documents.Cancelled is Cancelled  # a cancelled document is the core's one Cancelled
