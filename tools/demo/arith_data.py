"""The arithmetic task of the demo checkpoints: data, held-out rule, vocabulary.

One problem per sequence, in exactly the form the engine sees at inference:

    BOS "123+456=579" "\n" EOS        (addition)
    BOS "731-456=275" "\n" EOS        (subtraction, always a >= b: no negatives)

Operands are 0..999: 80% 3-digit, 10% 2-digit, 10% 1-digit (see operand()).

The answer ends with a newline and then EOS, so a greedy continuation of
BOS "123+456=" is "579\n" and stops at EOS (or at the stop string "\n").

Held-out rule (never trained on; the C++ test tests/engine/tst_demo.cpp
re-implements it, keep both in step):
    key = op * 1_000_000 + a * 1000 + b      (op 0 = '+', 1 = '-')
    held out  <=>  splitmix64(key) % 10 == 0  (about 10% of all problems)
"""

MASK64 = (1 << 64) - 1

# Symbols of the character vocabulary, in id order after <unk>=0 <s>=1 </s>=2.
SYMBOLS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "-", "=", "\n"]
UNK, BOS, EOS = 0, 1, 2
CHAR_TO_ID = {c: i + 3 for i, c in enumerate(SYMBOLS)}
VOCAB_SIZE = 3 + len(SYMBOLS)
OPS = "+-"


def splitmix64(x):
    """Sebastiano Vigna's splitmix64 finaliser (one step), on Python ints."""
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def is_held_out(op, a, b):
    """op: 0 for '+', 1 for '-'."""
    return splitmix64(op * 1_000_000 + a * 1000 + b) % 10 == 0


def normalise(op, a, b):
    """Subtraction keeps a >= b (answers are never negative)."""
    if op == 1 and a < b:
        a, b = b, a
    return a, b


def answer(op, a, b):
    return a + b if op == 0 else a - b


def prompt_text(op, a, b):
    return f"{a}{OPS[op]}{b}="


def line_text(op, a, b):
    return f"{prompt_text(op, a, b)}{answer(op, a, b)}\n"


def encode_chars(text):
    """The sentencepiece char model's encoding (checked against it at start-up)."""
    return [CHAR_TO_ID[c] for c in text]


def sequence_ids(op, a, b):
    """BOS + "a+b=c\\n" + EOS, and the index of the first answer token."""
    prompt = [BOS] + encode_chars(prompt_text(op, a, b))
    rest = encode_chars(f"{answer(op, a, b)}\n") + [EOS]
    return prompt + rest, len(prompt)


def test_problems(count, op, first=100, last=999):
    """Deterministic held-out problems with operands in [first, last]; the C++
    test draws the same list: candidate i uses r = splitmix64(0xD3E0 + i + op
    * 1_000_000_007), a = first + r % n, b = first + (r >> 20) % n, then
    normalise and keep it when held out and not seen before."""
    n = last - first + 1
    out, seen, i = [], set(), 0
    while len(out) < count:
        r = splitmix64(0xD3E0 + i + op * 1_000_000_007)
        i += 1
        a, b = normalise(op, first + r % n, first + (r >> 20) % n)
        if is_held_out(op, a, b) and (a, b) not in seen:
            seen.add((a, b))
            out.append((op, a, b))
    return out


def operand(rng, short):
    """0..999; with `short`, 1- and 2-digit numbers each take 10% of draws
    (uniform 0..999 gives them 1% and 9%: too rare to learn "7+5=")."""
    if not short:
        return rng.randrange(1000)
    r = rng.random()
    if r < 0.1:
        return rng.randrange(10)
    if r < 0.2:
        return rng.randrange(10, 100)
    return rng.randrange(100, 1000)


def training_problem(rng, short=True):
    """One random non-held-out problem."""
    while True:
        op = rng.randrange(2)
        a, b = normalise(op, operand(rng, short), operand(rng, short))
        if not is_held_out(op, a, b):
            return op, a, b


def corpus_lines(rng, count):
    """Lines for spm_train (it only needs to see every symbol)."""
    return [line_text(*training_problem(rng, short=False)).rstrip("\n") for _ in range(count)]
