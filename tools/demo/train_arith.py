#!/usr/bin/python3
"""Trains the project's demo checkpoints: a tiny Llama that does 3-digit
addition and subtraction ("123+456=" -> "579"), on CPU, in a few minutes.

    /usr/bin/python3 tools/demo/train_arith.py            # writes resources/demo/

Deterministic (seeded, fixed thread count), downloads nothing. Needs Debian's
python3-torch, python3-sentencepiece and spm_train (package sentencepiece).
See resources/demo/README.md for what it writes and what it measured."""

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import arith_data as D  # noqa: E402
from hf_export import export_folder  # noqa: E402
from nanochat_export import export_step  # noqa: E402
from llama_tiny import TinyLlama  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEV = torch.device("cpu")  # set from --device
SEQ = 16  # BOS + "999+999=" (8) + "1998" + "\n" + EOS = 15, padded to 16


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default=os.path.join(REPO, "resources", "demo"))
    p.add_argument("--steps", type=int, default=4000)
    p.add_argument("--save", default="500,2000,4000", help="steps to write checkpoints at")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--seed", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--device", default="cpu", help="cpu (the committed run) or cuda (sweeps)")
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--hidden", type=int, default=192)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--kv-heads", type=int, default=4)
    p.add_argument("--nanochat-out", help="also write each checkpoint in nanochat's step-folder layout here")
    p.add_argument("--tokenizer", help="reuse this tokenizer.model instead of running spm_train")
    p.add_argument("--eval-count", type=int, default=1000, help="held-out problems per op")
    p.add_argument("--loss", choices=["answer", "all"], default="all",
                   help="train on the answer tokens only, or on the whole sequence")
    return p.parse_args()


def make_tokenizer(workdir, seed):
    """Character-level sentencepiece model with a fixed id order (see arith_data)."""
    rng = random.Random(seed)
    with open(os.path.join(workdir, "corpus.txt"), "w") as f:
        f.write("\n".join(D.corpus_lines(rng, 5000)) + "\n")
    cmd = ["spm_train", "--input=corpus.txt", "--model_prefix=tokenizer",
           "--model_type=char", f"--vocab_size={D.VOCAB_SIZE}",
           "--character_coverage=1.0", "--normalization_rule_name=identity",
           "--remove_extra_whitespaces=false", "--add_dummy_prefix=false",
           "--user_defined_symbols=" + ",".join(D.SYMBOLS),  # "\n" is one of them
           "--unk_id=0", "--bos_id=1", "--eos_id=2", "--pad_id=-1",
           "--num_threads=1"]
    subprocess.run(cmd, cwd=workdir, check=True, capture_output=True)
    path = os.path.join(workdir, "tokenizer.model")
    check_tokenizer(path)
    return path


def check_tokenizer(path):
    """The sentencepiece model encodes exactly as encode_chars, newline included."""
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=path)
    assert sp.vocab_size() == D.VOCAB_SIZE
    assert (sp.unk_id(), sp.bos_id(), sp.eos_id()) == (D.UNK, D.BOS, D.EOS)
    for text in ["123+456=", "123+456=579\n", "0-0=0\n", "999+999=1998\n", "\n\n7"]:
        ids = sp.encode(text)
        assert ids == D.encode_chars(text), (text, ids)
        assert sp.decode(ids) == text, text


def batch(rng, n, loss_on):
    """ids [n, SEQ] and targets [n, SEQ] (-100 = no loss)."""
    ids = torch.full((n, SEQ), D.EOS, dtype=torch.long)
    tgt = torch.full((n, SEQ), -100, dtype=torch.long)
    for i in range(n):
        seq, start = D.sequence_ids(*D.training_problem(rng))
        ids[i, : len(seq)] = torch.tensor(seq)
        first = start - 1 if loss_on == "answer" else 0  # predict from "=" onwards
        tgt[i, first : len(seq) - 1] = torch.tensor(seq[first + 1 :])
    return ids, tgt


def held_out_set(count, seed):
    """Random held-out problems (all operand sizes) for the validation loss."""
    rng, out = random.Random(seed), []
    while len(out) < count:
        op = rng.randrange(2)
        a, b = D.normalise(op, rng.randrange(1000), rng.randrange(1000))
        if D.is_held_out(op, a, b):
            out.append((op, a, b))
    return out


@torch.no_grad()
def val_loss(model, problems):
    """Mean cross-entropy (nats) per answer token (digits, "\\n", EOS), held-out."""
    total, count = 0.0, 0
    for i in range(0, len(problems), 500):
        ids = torch.full((len(problems[i : i + 500]), SEQ), D.EOS, dtype=torch.long)
        tgt = torch.full_like(ids, -100)
        for r, p in enumerate(problems[i : i + 500]):
            seq, start = D.sequence_ids(*p)
            ids[r, : len(seq)] = torch.tensor(seq)
            tgt[r, start - 1 : len(seq) - 1] = torch.tensor(seq[start:])
        logits, tgt = model(ids.to(DEV)), tgt.to(DEV)
        total += F.cross_entropy(logits.view(-1, logits.shape[-1]), tgt.view(-1),
                                 ignore_index=-100, reduction="sum").item()
        count += (tgt != -100).sum().item()
    return total / count


@torch.no_grad()
def greedy_answers(model, problems, max_new=8):
    """Greedy continuation of BOS + "a+b=" (no cache: the sequences are short);
    the text up to the first newline or EOS."""
    out = []
    for i in range(0, len(problems), 500):
        chunk = problems[i : i + 500]
        rows = [[D.BOS] + D.encode_chars(D.prompt_text(*p)) for p in chunk]
        assert len({len(r) for r in rows}) == 1, "one prompt length per batch"
        ids = torch.tensor(rows, device=DEV)
        for _ in range(max_new):
            nxt = model(ids)[:, -1].argmax(-1, keepdim=True)
            ids = torch.cat([ids, nxt], dim=1)
        id_to_char = {v: k for k, v in D.CHAR_TO_ID.items()}
        for r in ids[:, len(rows[0]) :].tolist():
            text = ""
            for t in r:
                if t == D.EOS or id_to_char.get(t) == "\n":
                    break
                text += id_to_char.get(t, "?")
            out.append(text)
    return out


def accuracy(model, problems):
    answers = greedy_answers(model, problems)
    right = sum(a == str(D.answer(*p)) for a, p in zip(answers, problems))
    return right / len(problems)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    saves = sorted(int(s) for s in args.save.split(","))
    assert saves[-1] == args.steps, "the last checkpoint is the final step"

    c = dict(dim=args.dim, hidden=args.hidden, layers=args.layers, heads=args.heads,
             kv_heads=args.kv_heads, vocab=D.VOCAB_SIZE, context=64, eps=1e-5,
             theta=10000.0)
    global DEV
    DEV = torch.device(args.device)
    model = TinyLlama(c).to(DEV)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {c}, {n_params} parameters", flush=True)

    val_set = held_out_set(2000, args.seed + 1)
    tests = {op: D.test_problems(args.eval_count, op) for op in (0, 1)}
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.98))

    def lr_at(step):  # linear warm-up, cosine to 10%
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        t = (step - args.warmup) / max(1, args.steps - args.warmup)
        return args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * t)))

    log = []
    with tempfile.TemporaryDirectory() as work:
        if args.tokenizer:
            tok_path = args.tokenizer
            check_tokenizer(tok_path)
        else:
            tok_path = make_tokenizer(work, args.seed)
        t0 = time.time()
        for step in range(1, args.steps + 1):
            for g in opt.param_groups:
                g["lr"] = lr_at(step - 1)
            ids, tgt = batch(rng, args.batch, args.loss)
            ids, tgt = ids.to(DEV), tgt.to(DEV)
            logits = model(ids)
            loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), tgt.view(-1),
                                   ignore_index=-100)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            if step % 100 == 0:
                print(f"step {step} loss {loss.item():.4f} ({time.time() - t0:.0f} s)",
                      flush=True)
            if step in saves:
                model.eval()
                entry = {"step": step, "val_loss": round(val_loss(model, val_set), 6),
                         "add_acc": accuracy(model, tests[0]),
                         "sub_acc": accuracy(model, tests[1]),
                         "add_acc_first200": accuracy(model, tests[0][:200]),
                         "sub_acc_first200": accuracy(model, tests[1][:200]),
                         "seconds": round(time.time() - t0, 1)}
                model.train()
                print(json.dumps(entry), flush=True)
                log.append(entry)
                export_folder(os.path.join(args.out, f"arith-step{step:06d}"), model,
                              tok_path, step, entry["val_loss"])
                if args.nanochat_out:
                    export_step(args.nanochat_out, model, tok_path, step, entry["val_loss"])
    with open(os.path.join(args.out, "training_log.json"), "w") as f:
        json.dump({"args": vars(args) | {"out": os.path.relpath(args.out, REPO)},
                   "torch": torch.__version__, "config": c, "parameters": n_params,
                   "train_seconds": round(time.time() - t0, 1), "checkpoints": log}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
