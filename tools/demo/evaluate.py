#!/usr/bin/python3
"""Greedy accuracy of demo checkpoint folders on held-out problems, with our
own PyTorch forward (no engine):

    /usr/bin/python3 tools/demo/evaluate.py resources/demo/arith-step*

3-digit: the first N held-out problems of arith_data.test_problems (the C++
test uses the first 200); any size: held-out problems with operands drawn
uniformly from 0..999 grouped by prompt length."""

import os
import random
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import arith_data as D  # noqa: E402
from hf_export import load_folder  # noqa: E402
from train_arith import accuracy  # noqa: E402


def any_size(op, count, seed=99):
    rng, out = random.Random(seed + op), {}
    n = 0
    while n < count:
        a, b = D.normalise(op, rng.randrange(1000), rng.randrange(1000))
        if D.is_held_out(op, a, b):
            out.setdefault(len(D.prompt_text(op, a, b)), []).append((op, a, b))
            n += 1
    return out


def main():
    torch.set_num_threads(1)
    for folder in sys.argv[1:]:
        model, meta = load_folder(folder)
        line = [os.path.basename(folder.rstrip("/")), f"step {meta['step']}",
                f"val_loss {meta['val_loss']}"]
        for op, name in ((0, "add"), (1, "sub")):
            t = D.test_problems(1000, op)
            line.append(f"{name} 3-digit {accuracy(model, t):.3f} (first 200: "
                        f"{accuracy(model, t[:200]):.3f})")
            groups = any_size(op, 1000)
            right = sum(accuracy(model, g) * len(g) for g in groups.values())
            line.append(f"{name} any size {right / 1000:.3f}")
        print(", ".join(line), flush=True)


if __name__ == "__main__":
    main()
