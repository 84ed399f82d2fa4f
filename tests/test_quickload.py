"""core.quickload: the one model loader (Translator.load) skips parameter initialisation (and with it
the ~830-module torch._dynamo import the meta-device shape check caused) and gives the same model."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from pathlib import Path

import torch

from translator_app.core.model.decoding import DecodeConfig
from translator_app.core.translation.quickload import skip_init

REPO = Path(__file__).resolve().parents[1]


def _weights(translator) -> list[torch.Tensor]:
    """Every weight of the int8 model, packed LSTM parameters unpacked."""
    out = []
    for module in translator.model.modules():
        if hasattr(module, "_weight_bias") and callable(module._weight_bias):
            wb = module._weight_bias()
            for value in wb.values() if isinstance(wb, dict) else wb:
                if isinstance(value, torch.Tensor):
                    out.append(value.dequantize() if value.is_quantized else value)
    for tensor in translator.model.state_dict().values():
        if isinstance(tensor, torch.Tensor):
            out.append(tensor.dequantize() if tensor.is_quantized else tensor)
    return out


def test_quick_load_gives_the_same_model_and_translations(tiny_model_dir, monkeypatch):
    from translator_app.core.translation import translator as translator_mod
    from translator_app.core.translation.translator import Translator

    quick = Translator.load(tiny_model_dir)
    monkeypatch.setattr(translator_mod, "skip_init", contextlib.nullcontext)  # initialised, then loaded
    normal = Translator.load(tiny_model_dir)
    a, b = _weights(quick), _weights(normal)
    assert len(a) == len(b) > 10
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    assert quick.quantized and quick.info == normal.info
    lines = ["Hello, how are you?", "Where is the station?", "I have 3 cats and 2 dogs."]
    assert quick.translate_lines(lines, decode=DecodeConfig(beam_size=3)) == normal.translate_lines(
        lines, decode=DecodeConfig(beam_size=3)
    )


def test_skip_init_is_thread_local():
    seen = {}

    def other_thread():
        t = torch.zeros(4)
        torch.nn.init.ones_(t)
        seen["other"] = t.tolist()

    with skip_init():
        t = torch.zeros(4)
        torch.nn.init.ones_(t)
        t.fill_(5.0)
        assert t.tolist() == [0.0] * 4  # skipped here
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        assert (torch.ones(2) * 3).tolist() == [3.0, 3.0]  # everything else runs
    assert seen["other"] == [1.0] * 4  # not in the other thread
    t.fill_(5.0)
    assert t.tolist() == [5.0] * 4  # and not after the block


def test_quick_load_does_not_import_torch_dynamo(tiny_model_dir):
    code = (
        "import sys\n"
        "from translator_app.core.translation.translator import Translator\n"
        f"t = Translator.load({str(tiny_model_dir)!r})\n"
        "t.translate('Hello.')\n"
        "assert 'torch._dynamo' not in sys.modules, 'the shape check imported torch._dynamo'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, timeout=300)
