#!/usr/bin/python3
"""Writes resources/demo/heldout.txt: an evaluation text for the app's Evaluate
panel (and `waypoint-cli --perplexity`) on the demo checkpoints.

    python3 tools/demo/heldout_text.py [--out resources/demo/heldout.txt]

One problem per line, only problems the held-out rule of arith_data.py keeps
out of training, each once, and every line exactly 12 characters (3-digit
operands: "123+456=579" with a sum under 1000, "731-456=275" with a difference
of at least 100, then the newline). Evaluate it with window 12: the
--perplexity protocol then scores every window as BOS + one whole problem,
the form the checkpoints were trained on, and the loss falls with the step
(500 / 2000 / 4000: 1.634 / 1.221 / 1.198 nats per token). With the default
window (63 for a 64-token context) a window holds several problems joined by
newlines with no BOS/EOS between them, which the model never saw: its loss
then rises with training, because a better model is surer that EOS follows
the newline. Seeded and pure Python (no torch): the same file on every run."""

import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import arith_data as D  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


LINE_CHARS = 12  # "123+456=579\n": the window to evaluate with


def heldout_lines(count, seed):
    rng, seen, out = random.Random(seed), set(), []
    while len(out) < count:
        op = rng.randrange(2)
        a, b = D.normalise(op, rng.randrange(100, 1000), rng.randrange(100, 1000))
        line = D.line_text(op, a, b)
        if len(line) == LINE_CHARS and D.is_held_out(op, a, b) and (op, a, b) not in seen:
            seen.add((op, a, b))
            out.append(line)
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
    print(f"{args.out}: {len(lines)} held-out problems, {sum(map(len, lines))} bytes; evaluate with window {LINE_CHARS}")


if __name__ == "__main__":
    main()
