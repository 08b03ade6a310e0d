#!/usr/bin/python3
"""Writes resources/demo/heldout.txt: an evaluation text for the app's Evaluate
panel (and `waypoint-cli --perplexity`) on the demo checkpoints.

    python3 tools/demo/heldout_text.py [--out resources/demo/heldout.txt]

One problem per line ("123+456=579"), only problems the held-out rule of
arith_data.py keeps out of training, with training's operand mix (80% 3-digit,
10% 2-digit, 10% 1-digit), each problem once. Seeded and pure Python (no torch),
so the file is the same on every run. The loss windows cut across lines and the
text has no BOS/EOS between problems, so the absolute loss is higher than the
card's val_loss (answer tokens only); it still falls from step 500 to 4000."""

import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import arith_data as D  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def heldout_lines(count, seed):
    rng, seen, out = random.Random(seed), set(), []
    while len(out) < count:
        op = rng.randrange(2)
        a, b = D.normalise(op, D.operand(rng, True), D.operand(rng, True))
        if D.is_held_out(op, a, b) and (op, a, b) not in seen:
            seen.add((op, a, b))
            out.append(D.line_text(op, a, b))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default=os.path.join(REPO, "resources", "demo", "heldout.txt"))
    p.add_argument("--count", type=int, default=400)
    p.add_argument("--seed", type=int, default=20261129)
    args = p.parse_args()
    lines = heldout_lines(args.count, args.seed)
    with open(args.out, "w", encoding="ascii", newline="\n") as f:
        f.writelines(lines)
    print(f"{args.out}: {len(lines)} held-out problems, {sum(map(len, lines))} bytes")


if __name__ == "__main__":
    main()
