"""Fine-tuning that keeps what the model knew: frozen parts and the L2-SP anchor (core/train/anchor.py),
the checkpoint choice within the general budget and the warning without replay (core/train/forgetting.py)."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import torch

from tests.core.test_replay import bare_copy
from translator_app.core.base.events import OverLimit, Status, Validation
from translator_app.core.model.checkpoint import load_bundle, load_train_state
from translator_app.core.model.model import Seq2Seq
from translator_app.core.train import anchor
from translator_app.core.train.blend import GENERAL, IN_DOMAIN
from translator_app.core.train.finetune import FINETUNE_PRESET, TRAIN_PRESETS, FinetuneSpec
from translator_app.core.train.forgetting import BEST_IN_DOMAIN_DIR, adopt_best_in_domain, judge
from translator_app.core.train.train_loop import _general_limit, general_limit_report
from translator_app.core.train.train_state import TrainingState
from translator_app.core.train.training import CorpusSpec, Finished, TrainRequest, train

FT = replace(TRAIN_PRESETS[FINETUNE_PRESET], valid_max_sentences=10, log_every=2, checkpoint_every=2, num_threads=1)


def tiny_net(model_dir: Path) -> Seq2Seq:
    bundle = load_bundle(model_dir)
    net = Seq2Seq(bundle.model_config)
    net.load_state_dict({k: v.float() for k, v in bundle.state_dict.items()})
    return net


def a_step(net: Seq2Seq, optimizer: torch.optim.Optimizer, lr: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = lr
    optimizer.zero_grad()
    for p in net.parameters():
        if p.requires_grad:
            p.grad = torch.ones_like(p)
    optimizer.step()


def test_freezing_and_the_anchor(tiny_model_dir):
    net = tiny_net(tiny_model_dir)
    base = {k: v.clone() for k, v in net.state_dict().items()}
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    anchor.apply(net, optimizer, {"finetune": {"freeze": "encoder", "anchor": 0.0}}, resumed=False)
    a_step(net, optimizer, 1e-2)
    after = net.state_dict()
    assert all(after[k].equal(base[k]) for k in base if k.startswith("encoder."))
    assert not after["decoder.combine.weight"].equal(base["decoder.combine.weight"])

    free, pulled = tiny_net(tiny_model_dir), tiny_net(tiny_model_dir)
    opt_free, opt_pulled = (torch.optim.Adam(n.parameters()) for n in (free, pulled))
    anchor.apply(pulled, opt_pulled, {"finetune": {"freeze": "embeddings", "anchor": 50.0}}, resumed=False)
    assert not pulled.encoder.embedding.weight.requires_grad
    for _ in range(3):
        a_step(free, opt_free, 1e-3)
        a_step(pulled, opt_pulled, 1e-3)

    def drift(n: Seq2Seq) -> float:
        return sum(float((v - base[k]).pow(2).sum()) for k, v in n.state_dict().items())

    assert 0 < drift(pulled) < drift(free) * 0.95  # each step pulls 5 % of the way back
    # lr x anchor >= 1: every trained weight is back at its base value after the step
    strong = tiny_net(tiny_model_dir)
    opt_strong = torch.optim.Adam(strong.parameters())
    anchor.apply(strong, opt_strong, {"finetune": {"anchor": 1000.0}}, resumed=False)
    a_step(strong, opt_strong, 1e-3)
    assert all(v.equal(base[k]) for k, v in strong.state_dict().items())
    with pytest.raises(ValueError, match="freeze must be"):
        anchor.frozen_parameters(strong, "decoder")


def test_a_resumed_anchor_reads_the_base_bundle_and_checks_it(tiny_model_dir, tmp_path):
    net = tiny_net(tiny_model_dir)
    import hashlib

    digest = hashlib.sha256((tiny_model_dir / "weights.pt").read_bytes()).hexdigest()
    meta = {"finetune": {"anchor": 1000.0, "base": str(tiny_model_dir)}, "parent": {"sha256": digest}}
    with torch.no_grad():
        for p in net.parameters():
            p.add_(1.0)  # a resumed model is away from its base
    optimizer = torch.optim.Adam(net.parameters())
    anchor.apply(net, optimizer, meta, resumed=True)
    a_step(net, optimizer, 1e-3)
    base = load_bundle(tiny_model_dir).state_dict
    assert all(torch.equal(v, base[k].float()) for k, v in net.state_dict().items())
    with pytest.raises(ValueError, match="changed since"):
        anchor.apply(tiny_net(tiny_model_dir), optimizer, {**meta, "parent": {"sha256": "0" * 64}}, resumed=True)
    with pytest.raises(ValueError, match="is gone"):
        anchor.apply(
            tiny_net(tiny_model_dir), optimizer, {**meta, "finetune": {"anchor": 1, "base": str(tmp_path)}}, True
        )


def test_judge():
    assert judge(30.0, 1.0, 25.0, 2.0) == (True, True)
    assert judge(30.0, 3.0, 25.0, 2.0) == (False, False)  # better in-domain, over the limit
    assert judge(20.0, 0.0, 25.0, 2.0) == (False, True)
    assert judge(30.0, None, 25.0, 2.0) == (True, None)  # no general dev set: in-domain alone


def fake_run(model_dir: Path, out: Path, limit: float) -> SimpleNamespace:
    bundle = load_bundle(model_dir)
    out.mkdir()
    info = {"max_general_drop": limit, "base_valid": {"bleu": 10.0}, "base_general": {"bleu": 30.0}}
    meta = {"name": "ft", "finetune": info}
    (out / "run.json").write_text(json.dumps({"meta": meta}), encoding="utf-8")
    state = TrainingState(started=time.monotonic())  # step 0, no best yet, epochs and time trained
    return SimpleNamespace(
        ft_info=info, meta=meta, out=out, state=state, model_cfg=bundle.model_config, tok=bundle.tokenizers,
        model=tiny_net(model_dir), epoch_batches=0,
    )  # fmt: skip


def validate(run, step: int, bleu: float, general: float) -> Validation:
    run.state.step = step
    event = Validation(step, 1.0, bleu, 50.0, True, (), general, 50.0, 10.0, 30.0, 50.0)
    event = _general_limit(run, event)
    run.state.best_bleu = bleu if event.best else run.state.best_bleu
    return event


def drain(gen):
    events = []
    while True:
        try:
            events.append(next(gen))
        except StopIteration as stop:
            return events, stop.value


def test_the_best_checkpoint_is_the_best_within_the_general_limit(tiny_model_dir, tmp_path):
    run = fake_run(tiny_model_dir, tmp_path / "run", limit=2.0)
    assert validate(run, 0, 10.0, 30.0).best  # the base model: within by definition
    over = validate(run, 4, 20.0, 25.0)  # +10 in-domain, -5 general: over the limit
    assert not over.best and over.within_limit is False and over.max_general_drop == 2.0
    assert (run.out / BEST_IN_DOMAIN_DIR / "config.json").is_file()
    kept = validate(run, 8, 15.0, 29.0)  # +5 in-domain, -1 general: the new best
    assert kept.best and kept.within_limit
    assert run.ft_info["chosen_step"] == 8 and run.ft_info["best_in_domain"]["step"] == 4
    events, report = drain(general_limit_report(run))
    assert report is None and "best within the general limit" in events[0].message  # told, not asked
    assert validate(run, 12, 21.0, 28.5).best  # within and the best in-domain: the other one goes
    assert not (run.out / BEST_IN_DOMAIN_DIR).exists() and "best_in_domain" not in run.ft_info
    assert json.loads((run.out / "run.json").read_text())["meta"]["finetune"]["chosen_step"] == 12


def test_none_within_the_limit_keeps_the_base_and_leaves_the_choice(tiny_model_dir, tmp_path):
    run = fake_run(tiny_model_dir, tmp_path / "run", limit=2.0)
    validate(run, 0, 10.0, 30.0)
    from translator_app.core.train.train_loop import save_model  # the base model is the run's bundle

    run.state.elapsed = lambda: 1.0
    save_model(run, {})
    validate(run, 4, 18.0, 26.0)
    validate(run, 8, 22.0, 20.0)  # better still, further over
    validate(run, 12, 19.0, 21.0)
    events, report = drain(general_limit_report(run))
    assert isinstance(events[0], Status) and "No checkpoint kept the general BLEU within 2" in events[0].message
    assert isinstance(report, OverLimit) and report.step == 8 and report.bleu == 22.0 and report.general_drop == 10.0
    assert report.folder == str(run.out / BEST_IN_DOMAIN_DIR) and report.base_bleu == 10.0
    best = (run.out / BEST_IN_DOMAIN_DIR / "weights.pt").read_bytes()
    assert load_bundle(run.out / BEST_IN_DOMAIN_DIR).meta["metrics"]["general_drop"] == 10.0
    adopt_best_in_domain(run.out)  # the person keeps it anyway
    assert (run.out / "weights.pt").read_bytes() == best and not (run.out / BEST_IN_DOMAIN_DIR).exists()
    assert load_bundle(run.out).meta["steps"] == 8
    with pytest.raises(FileNotFoundError):
        adopt_best_in_domain(run.out)


def test_a_fine_tune_run_freezes_records_its_limits_and_resumes(tiny_model_dir, tmp_path):
    corpus = tmp_path / "domain.en-es.tsv"
    corpus.write_text("".join(f"Open the file number {i}.\tAbre el archivo número {i}.\n" for i in range(120)))
    spec = FinetuneSpec(str(tiny_model_dir), general_max=10, freeze="embeddings", anchor=2.0, max_general_drop=1.5)
    out = tmp_path / "ft"
    events = list(
        train(
            TrainRequest(CorpusSpec(str(corpus)), out, train_cfg=replace(FT, max_steps=4, valid_every=2), finetune=spec)
        )
    )
    valids = [e for e in events if isinstance(e, Validation)]
    assert [v.step for v in valids] == [0, 2, 4] and all(v.max_general_drop == 1.5 for v in valids)
    assert valids[0].within_limit and valids[0].best
    assert all(v.within_limit == (v.general_drop <= 1.5 + 1e-9) for v in valids)
    info = load_bundle(out).meta["finetune"]
    assert (info["freeze"], info["anchor"], info["max_general_drop"]) == ("embeddings", 2.0, 1.5)
    base = load_bundle(tiny_model_dir).state_dict
    trained = load_train_state(out / "checkpoint.pt")["model"]
    assert trained["encoder.embedding.weight"].equal(base["encoder.embedding.weight"].float())
    assert not trained["decoder.combine.weight"].equal(base["decoder.combine.weight"].float())
    assert isinstance(events[-1], Finished)
    more = list(
        train(
            TrainRequest(CorpusSpec(str(corpus)), out, train_cfg=replace(FT, max_steps=6, valid_every=2), resume=True)
        )
    )
    assert isinstance(more[-1], Finished) and more[-1].step == 6
    trained = load_train_state(out / "checkpoint.pt")["model"]
    assert trained["encoder.embedding.weight"].equal(base["encoder.embedding.weight"].float())  # still frozen


def test_cli_warns_before_a_fine_tune_with_nothing_to_replay(tiny_model_dir, tmp_path, capsys):
    from translator_app import cli

    bare = bare_copy(tiny_model_dir, tmp_path / "bare")
    corpus = tmp_path / "domain.en-es.tsv"
    corpus.write_text("".join(f"Open the file number {i}.\tAbre el archivo número {i}.\n" for i in range(80)))
    assert cli.main(["train", str(corpus), "--out", str(tmp_path / "x"), "--anchor", "1"]) == 2
    assert "need --from MODEL" in capsys.readouterr().err
    args = ["train", str(corpus), "--from", str(bare), "--out", str(tmp_path / "ft"), "--max-steps", "1"]
    args += ["--valid-every", "1", "--threads", "1", "--freeze", "encoder", "--max-general-drop", "3", "--json"]
    assert cli.main(args) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("Warning: No general data will be replayed") and "forget" in captured.err
    assert "36.5 to 12.6" in captured.err
    finished = [json.loads(line) for line in captured.out.splitlines() if '"Finished"' in line]
    assert finished and finished[0]["over_limit"] is None
    info = json.loads((tmp_path / "ft" / "config.json").read_text(encoding="utf-8"))["meta"]["finetune"]
    assert info["freeze"] == "encoder" and info["max_general_drop"] == 3.0


def test_the_cli_line_says_why_a_checkpoint_over_the_general_limit_was_not_saved():
    from translator_app.cli_train import _show_validation
    from translator_app.core.base.events import Validation

    lines: list[str] = []
    common = dict(general_chrf=50.0, base_general_bleu=40.0, max_general_drop=2.0)
    over = Validation(400, 1.2, 46.0, 60.0, False, (), general_bleu=36.5, within_limit=False, **common)
    _show_validation(over, lines.append)
    assert "not saved: general BLEU -3.50 vs base, over the 2 limit" in lines[-1]
    worse = Validation(600, 1.2, 44.0, 60.0, False, (), general_bleu=39.0, within_limit=True, **common)
    _show_validation(worse, lines.append)
    assert lines[-1].endswith("(not saved: the model is kept by best BLEU)")


def blend_setup(tiny_model_dir, out: Path) -> tuple[SimpleNamespace, torch.Tensor]:
    """A fine-tune whose best in-domain checkpoint (step 4) is the base + 1 on one weight, over the limit."""
    from translator_app.core.train.train_loop import save_model

    run = fake_run(tiny_model_dir, out, limit=2.0)
    run.ft_info["base"] = str(tiny_model_dir)
    run.state.elapsed = lambda: 1.0
    validate(run, 0, 10.0, 30.0)
    save_model(run, {})  # the kept model: the base
    base_weight = run.model.decoder.combine.weight.detach().clone()
    with torch.no_grad():
        run.model.decoder.combine.weight += 1.0
    validate(run, 4, 20.0, 25.0)  # +10 in-domain, -5 general: to best-in-domain/
    return run, base_weight


def judged(base_weight: torch.Tensor, tried: list) -> Any:
    """A judge: in-domain BLEU 10 + 10 x alpha, general 30 - 2.5 x alpha (alpha: how far the model is from the base)."""

    def judge(run, which):
        alpha = round(float((run.model.decoder.combine.weight.detach() - base_weight).mean()), 3)
        tried.append((which, alpha))
        return 10.0 + 10 * alpha if which == IN_DOMAIN else 30.0 - 2.5 * alpha

    return judge


def test_a_blend_with_the_base_is_kept_when_the_best_in_domain_checkpoint_forgot_too_much(tiny_model_dir, tmp_path):
    from translator_app.core.train.blend import blend_toward_base
    from translator_app.core.train.train_loop import save_model

    run, base_weight = blend_setup(tiny_model_dir, tmp_path / "run")
    tried = []
    events = list(blend_toward_base(run, judged(base_weight, tried), save_model))
    # judged: the kept checkpoint (the base, on disk; the model in memory is the last step's), the base in general,
    # then the best in-domain checkpoint itself (-2.5: over 2) and blends from the most tuned: 0.8 is within 2
    assert tried[:2] == [(IN_DOMAIN, 0.0), (GENERAL, 0.0)]
    assert [alpha for which, alpha in tried[2:] if which == GENERAL] == [1.0, 0.9, 0.8]
    assert "Kept blend 0.8" in events[-1].message
    assert run.ft_info["blend"] == {"alpha": 0.8, "step": 4, "bleu": 18.0, "general_drop": 2.0}
    kept = load_bundle(run.out)
    delta = kept.state_dict["decoder.combine.weight"].float() - base_weight
    assert torch.allclose(delta, torch.full_like(delta, 0.8), atol=1e-5) and kept.meta["metrics"]["blend"] == 0.8
    events, report = drain(general_limit_report(run))
    assert report is None and "a blend of 0.8" in events[0].message  # told, not asked: the base was not kept
    assert "as documents are translated" in events[0].message


def test_the_best_in_domain_checkpoint_itself_is_kept_when_judged_within_the_limit(tiny_model_dir, tmp_path):
    """Validation (greedy, a sample) read it over the limit; judged with beam search on the whole set it is within."""
    from translator_app.core.train.blend import blend_toward_base
    from translator_app.core.train.train_loop import save_model

    run, base_weight = blend_setup(tiny_model_dir, tmp_path / "run")
    run.ft_info["max_general_drop"] = 3.0
    events = list(blend_toward_base(run, judged(base_weight, []), save_model))
    assert "Kept step 4:" in events[-1].message and run.ft_info["blend"]["alpha"] == 1.0
    delta = load_bundle(run.out).state_dict["decoder.combine.weight"].float() - base_weight
    assert torch.allclose(delta, torch.ones_like(delta), atol=1e-3)
    events, report = drain(general_limit_report(run))
    assert report is None and "that checkpoint itself" in events[0].message


def test_no_blend_when_the_kept_checkpoint_is_better_in_domain(tiny_model_dir, tmp_path):
    from translator_app.core.train.blend import blend_toward_base
    from translator_app.core.train.train_loop import save_model

    run, base_weight = blend_setup(tiny_model_dir, tmp_path / "run")
    before = (run.out / "weights.pt").read_bytes()
    moved = run.model.decoder.combine.weight.detach().clone()
    tried = []
    judge = judged(base_weight, tried)

    def better_kept(run, which):  # the kept checkpoint (on disk) scores 19 in-domain, as a blend of 0.9 would
        score = judge(run, which)
        return 19.0 if (which, tried[-1][1]) == (IN_DOMAIN, 0.0) else score

    list(blend_toward_base(run, better_kept, save_model))
    assert [alpha for which, alpha in tried if which == GENERAL] == [0.0, 1.0]  # 1.0 over the limit, 0.9 not better
    assert "blend" not in run.ft_info and (run.out / "weights.pt").read_bytes() == before
    assert run.model.decoder.combine.weight.equal(moved)  # the model as it was


def test_the_choice_is_judged_with_beam_search_on_every_general_sentence(tiny_model_dir, tmp_path, monkeypatch):
    from translator_app.core.model.decoding import DOCUMENT
    from translator_app.core.train import train_loop

    run = fake_run(tiny_model_dir, tmp_path / "run", limit=2.0)
    general = tmp_path / "test.tsv"
    general.write_text("".join(f"sentence {i}\tfrase {i}\n" for i in range(7)), encoding="utf-8")
    run.ft_info["general_dev"] = str(general)
    run.general = [("sentence 0", "frase 0")]  # what validation samples
    run.valid = [("a", "b"), ("c", "d"), ("e", "f")]
    run.train_cfg = replace(TRAIN_PRESETS[FINETUNE_PRESET], valid_max_sentences=2)
    run.src_lang, run.tgt_lang = "en", "es"
    seen = []

    def fake_scores(model, tok, pairs, limit, *, src_lang, tgt_lang, decode, tags=()):
        seen.append((len(pairs), limit, decode))
        return SimpleNamespace(bleu=12.5)

    monkeypatch.setattr(train_loop, "dev_scores", fake_scores)
    assert train_loop.score_as_used(run, GENERAL) == 12.5 and train_loop.score_as_used(run, IN_DOMAIN) == 12.5
    assert seen == [(7, 7, DOCUMENT), (3, 2, DOCUMENT)] and DOCUMENT.beam_size > 1
    run.ft_info["general_dev"] = f"{general} (held out)"  # not a file: the sample validation scores
    train_loop.score_as_used(run, GENERAL)
    assert seen[-1][:2] == (1, 1)
