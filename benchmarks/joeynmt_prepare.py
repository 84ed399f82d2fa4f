#!/usr/bin/env python
"""Turn one of our training runs into JoeyNMT 2.3.0 input (run with the translator_app venv).

Reads RUN/data/{train,valid,test}.tsv (the split our trainer wrote) and RUN/tokenizer.model
(the joint SentencePiece model it trained) and writes into OUT:

  train.SRC / train.TRG, dev.SRC / dev.TRG   plain text, one sentence per line (as our trainer
                                            read them: already normalised)
  test.SRC / test.TRG                       the distinct test sources (first-seen order) and
                                            their first reference (all references: test.refs.json)
  sentencepiece.model, vocab.txt            our tokenizer and its pieces in id order
  joeynmt_train.yaml, joeynmt_test.yaml     the filled-in benchmarks/joeynmt_rnn.yaml.template
                                            (the test config decodes only the test set with
                                            MODEL_DIR/latest.ckpt)
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent


def write_lines(path: Path, lines: list[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for line in lines:
            if "\n" in line or "\r" in line:
                raise ValueError(f"line break inside a sentence: {line!r}")
            handle.write(line + "\n")


def main(argv: list[str] | None = None) -> int:
    import sentencepiece as spm

    from translator_app.core.base.config import DataConfig, from_dict
    from translator_app.core.folders.filenames import JOINT_TOKENIZER, RUN_FILE
    from translator_app.core.text.corpus import group_references, read_corpus

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run", help="our training run folder (has data/ and tokenizer.model)")
    p.add_argument("out", help="folder for JoeyNMT's data and configs")
    p.add_argument("--model-dir", required=True, help="JoeyNMT model_dir (checkpoints, train.log)")
    p.add_argument("--src", default="en")
    p.add_argument("--trg", default="es")
    p.add_argument("--valid-every", type=int, default=500)
    p.add_argument("--test-limit", type=int, default=0, help="only the first N distinct test sources (0: all)")
    args = p.parse_args(argv)
    run, out = Path(args.run), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    spec = json.loads((run / RUN_FILE).read_text(encoding="utf-8"))
    data_cfg = from_dict(DataConfig, spec["data"])
    batch_tokens = int(spec["train"]["batch_tokens"])
    seed = int(spec["train"]["seed"])
    lr, warmup = float(spec["train"]["lr"]), int(spec["train"]["warmup_steps"])

    for ours, theirs in (("train", "train"), ("valid", "dev")):
        pairs, _ = read_corpus(run / "data" / f"{ours}.tsv", dedupe=False, max_chars=10**6)
        write_lines(out / f"{theirs}.{args.src}", [s for s, _ in pairs])
        write_lines(out / f"{theirs}.{args.trg}", [t for _, t in pairs])
        print(f"{theirs}: {len(pairs)} pairs")
    pairs, _ = read_corpus(run / "data" / "test.tsv", dedupe=False)
    sources, refs = group_references(pairs)
    if args.test_limit:
        sources, refs = sources[: args.test_limit], refs[: args.test_limit]
    write_lines(out / f"test.{args.src}", sources)
    write_lines(out / f"test.{args.trg}", [r[0] for r in refs])
    (out / "test.refs.json").write_text(
        json.dumps({"sources": sources, "refs": refs}, ensure_ascii=False), encoding="utf-8"
    )
    print(f"test: {len(sources)} distinct sources ({len(pairs)} pairs)")

    shutil.copyfile(run / JOINT_TOKENIZER, out / "sentencepiece.model")
    sp = spm.SentencePieceProcessor(model_file=str(out / "sentencepiece.model"))
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    write_lines(out / "vocab.txt", pieces)
    print(f"vocabulary: {len(pieces)} pieces")

    template = (HERE / "joeynmt_rnn.yaml.template").read_text(encoding="utf-8")
    values = {
        "MODEL_DIR": str(Path(args.model_dir).absolute()),
        "SEED": str(seed),
        "DATA": str(out.absolute()),
        "SRC": args.src,
        "TRG": args.trg,
        "MAX_LEN": str(data_cfg.max_len - 1),
        "BATCH_TOKENS": str(batch_tokens),
        "VALID_EVERY": str(args.valid_every),
        "LR": repr(lr),
        "WARMUP": str(warmup),
    }
    for key, value in values.items():
        template = template.replace(f"@{key}@", value)
    train_cfg = template.replace('    load_model: "@LOAD_MODEL@"\n', "")
    test_cfg = template.replace("@LOAD_MODEL@", str(Path(args.model_dir).absolute() / "latest.ckpt"))
    test_cfg = test_cfg.replace(f'    dev: "{out.absolute()}/dev"\n', "")
    leftover = [line for line in train_cfg.splitlines() if "@" in line and not line.lstrip().startswith("#")]
    if leftover:
        raise SystemExit(f"unfilled placeholders: {leftover}")
    (out / "joeynmt_train.yaml").write_text(train_cfg, encoding="utf-8")
    (out / "joeynmt_test.yaml").write_text(test_cfg, encoding="utf-8")
    print(f"configs: {out / 'joeynmt_train.yaml'}, {out / 'joeynmt_test.yaml'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
