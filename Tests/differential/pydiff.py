#!/usr/bin/env python3
"""Differential check of `rar manifest --json` against CPython's own ast module.

Generates random agent-like files (random literals, formatting, surrounding statements,
and random mutations of seed files), computes what the reference extraction returns
(ast.parse over the whole file, breadth-first search for the first `__manifest__ = ...`,
ast.literal_eval), and compares with rar's output field by field.

Usage: pydiff.py RAR_BINARY [--count N] [--seed S] [--corpus DIR] [--keep DIR]
Exit status: 0 when every case agrees, 1 otherwise. Prints a closing 'N passed, N failed' line.
"""
import argparse
import ast
import json
import math
import os
import random
import subprocess
import sys
import tempfile

# ---------------------------------------------------------------- reference mirror


def encode(v):
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return v if abs(v) <= 2**53 else {"$int": str(v)}
    if isinstance(v, float):
        if math.isnan(v):
            return {"$float": "nan"}
        if math.isinf(v):
            return {"$float": "inf" if v > 0 else "-inf"}
        return v
    if isinstance(v, complex):
        return {"$complex": [encode(v.real), encode(v.imag)]}
    if isinstance(v, str):
        try:
            v.encode("utf-8")
            return v
        except UnicodeEncodeError:
            return {"$str_codepoints": [ord(c) for c in v]}
    if isinstance(v, bytes):
        return {"$bytes_hex": v.hex()}
    if v is Ellipsis:
        return {"$ellipsis": True}
    if isinstance(v, (list, tuple)):
        return [encode(x) for x in v]
    if isinstance(v, (set, frozenset)):
        items = [encode(x) for x in v]
        if all(isinstance(x, str) for x in items):
            return sorted(items)
        if all(isinstance(x, (int, float)) and not isinstance(x, dict) for x in items):
            return sorted(items)
        return sorted(items, key=lambda x: json.dumps(x))
    if isinstance(v, dict):
        if all(isinstance(k, str) for k in v):
            return {k: encode(x) for k, x in v.items()}
        return {"$dict": [[encode(k), encode(x)] for k, x in v.items()]}
    raise TypeError(type(v))


def reference(data):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {"error_code": "decode_error"}
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        tree = ast.parse(text)
    except SyntaxError as e:
        if "null bytes" in str(e):
            return {"error_code": "null_bytes"}
        return {"error_code": "syntax_error", "error": str(e)}
    except ValueError as e:
        if "null bytes" in str(e):
            return {"error_code": "null_bytes"}
        raise
    except (RecursionError, MemoryError):
        return {"error_code": "parser_limit"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name) and t.id == "__manifest__":
                    v = node.value
                    out = {"manifest_stmt_line": node.lineno,
                           "manifest_span": [v.lineno, v.col_offset, v.end_lineno, v.end_col_offset]}
                    try:
                        val = ast.literal_eval(v)
                    except ValueError:
                        out["error_code"] = "not_literal"
                        return out
                    except TypeError:
                        out["error_code"] = "unhashable"
                        return out
                    except RecursionError:
                        out["error_code"] = "parser_limit"
                        return out
                    if val is None:
                        out["error_code"] = "none_value"
                        return out
                    out["manifest"] = encode(val)
                    out["manifest_type"] = type(val).__name__
                    out["error_code"] = None
                    return out
    return {"error_code": "not_found"}

# ---------------------------------------------------------------- generators

WORDS = ["name", "a", "b", "tags", "x", "é", "日本", "k_1", "version", "dependencies"]


def rstr(r, depth=0):
    """A random Python string literal (source text)."""
    body_chars = ["a", "b", " ", "é", "—", "😀", "\\n", "\\t", "\\\\", "\\'", '\\"', "\\x41", "\\101", "\\u00e9",
                  "\\U0001F600", "\\N{EM DASH}", "\\d", "#", "{", "}", "[", "(", "\\0", "\\777", "\\\n", "\t",
                  "\\ud83d"]
    body = "".join(r.choice(body_chars) for _ in range(r.randint(0, 6)))
    prefix = r.choice(["", "", "", "r", "u", "R", "b", "rb", "Br", "f", "F", "rf"])
    if "b" in prefix.lower():
        body = "".join(c for c in body if ord(c) < 128)
    if "f" in prefix.lower() and r.random() < 0.5:
        body += r.choice(["{x}", "{x!r}", "{x:>10}", "{{}}", "{x=}", "{1+2}", "{'a'}"])
    q = r.choice(["'", '"', "'''", '"""'])
    if len(q) == 1:
        body = body.replace("\\\n", "").replace(q, "")
        if "\n" in body:
            body = body.replace("\n", "")
    else:
        body = body.replace(q[0] * 3, "")
    if body.endswith("\\") and not body.endswith("\\\\"):
        body += "x"
    if prefix.lower().startswith("r") or prefix.lower().endswith("r"):
        # raw strings: avoid a trailing backslash that would escape the quote
        body = body.rstrip("\\")
    if body.endswith(q[0]):
        body += " "
    s = prefix + q + body + q
    if r.random() < 0.15:
        s = s + r.choice([" ", "\n    "]) + rstr(r, depth + 1) if depth < 2 else s
    return s


def rnum(r):
    return r.choice(["0", "1", "42", "-1", "+3", "1_000", "0x_ff", "0XdeadBEEF", "0o17", "0b1010", "1.5", ".5", "5.",
                     "1e3", "1E-2", "2j", "1+2j", "-1-2j", "1.5-0.5j", "123456789012345678901234567890", "-0",
                     "1e400", "0.0", "00", "0_0", "- 1", "- -1", "-True", "~1", "1 + 2", "2**3"])


def rvalue(r, depth=0):
    k = r.random()
    if depth > 3 or k < 0.35:
        return r.choice([rstr(r), rstr(r), rnum(r), "True", "False", "None", "...", "set()",
                         r.choice(["x", "f(1)", "a.b", "a[0]", "lambda: 1", "[i for i in y]", "*z", "(yield)",
                                   "1 if x else 2", "not x", "{**d}", "frozenset()", "dict()", "set([1])"])
                         if r.random() < 0.1 else "1"])
    if k < 0.6:
        return rdict(r, depth + 1)
    if k < 0.8:
        items = [rvalue(r, depth + 1) for _ in range(r.randint(0, 4))]
        return "[" + sep(r).join(items) + trailing(r, items) + "]"
    if k < 0.9:
        items = [rvalue(r, depth + 1) for _ in range(r.randint(0, 3))]
        if len(items) == 1:
            return "(" + items[0] + ",)"
        return "(" + ", ".join(items) + ")"
    items = [rvalue(r, depth + 1) for _ in range(r.randint(1, 3))]
    return "{" + ", ".join(items) + "}"


def sep(r):
    return r.choice([", ", ",", ",\n    ", ",  # note, with 'quote'\n    ", ",\n\n    "])


def trailing(r, items):
    return "," if items and r.random() < 0.4 else ""


def rkey(r):
    if r.random() < 0.85:
        # lone surrogates cannot be JSON object keys, so keys never carry them
        return repr(r.choice(WORDS)) if r.random() < 0.8 else rstr(r).replace("\\ud83d", "x")
    return r.choice(["1", "True", "1.0", "None", "(1, 2)", "2j", "[1]", "{}", "-1", "0x10"])


def rdict(r, depth=0):
    n = r.randint(0, 5)
    entries = [rkey(r) + r.choice([": ", ":", " : ", ":\n        "]) + rvalue(r, depth) for _ in range(n)]
    if r.random() < 0.03:
        entries.append("**base")
    return "{" + r.choice(["", "\n    "]) + sep(r).join(entries) + trailing(r, entries) + r.choice(["", "\n"]) + "}"


STATEMENTS = [
    "import os", "from typing import Any, Dict", "from . import x", "x = 1", "x: int = 2", "x += 1",
    "def f(a, b=1, *args, c, d=2, **kw):\n    return a", "async def g():\n    await h()\n    async for i in j:\n        pass",
    "class A(B, metaclass=M):\n    '''Doc.'''\n    y = 1\n    def perform(self, **kwargs) -> str:\n        return 'ok'",
    "if x:\n    pass\nelif y:\n    pass\nelse:\n    pass", "try:\n    pass\nexcept (A, B) as e:\n    raise\nelse:\n    pass\nfinally:\n    pass",
    "with open(p) as f, g() as (a, b):\n    pass", "with (a as b, c as d):\n    pass", "for i, j in enumerate(z):\n    continue\nelse:\n    pass",
    "while not done:\n    break", "match cmd:\n    case [a, *rest] if a > 1:\n        pass\n    case {'k': v, **kw}:\n        pass\n    case Point(x=0) | None:\n        pass\n    case _:\n        pass",
    "print(f'{x!r:>{width}} {y=}')", "lambda a, /, b, *, c: a", "y = [i for i in range(3) if i if i]", "z = {k: v for k, v in d.items()}",
    "@decorator(1)\ndef h():\n    yield from g()", "global q", "del a[0], b.c", "assert x, 'msg'", "a = b = c = 3",
    "(w := 10)", "x = *a, *b", "print(*args, sep='')", "t = a[1:2, ::3]", "s = a if b else c",
    "match = 1", "case = 2", "type = 3", "_ = 4", "x = 1 if y else 2", "nonlocal_ = 1", "x = yield",
    "r = rb'\\d' b'x' rb'y'", "u = '''multi\nline'''", "v = \\\n    5", "def k(*, a): pass", "f(**a, b=1)",
    "x = 0xFF + 0o7 + 0b1 + 1_0.5e-3j", "if (n := len(a)) > 10: pass", "print('a' 'b' f'c{d}')",
    "try:\n    pass\nexcept* ValueError:\n    pass", "x = not -1", "x = ~-+1", "raise E from None",
    "x = f'{a[\"k\"]}'", "x = f\"{'a' if b else 'c'}\"", "x = f'{x:{y}.{z}}'",
]

BROKEN = [
    "print 'x'", "def f(a=1, b):\n    pass", "x = (1, 2", "x = 1 +", "f(a for a in b, c)", "f(a=1, 2)", "True = 1",
    "def f(**k, a): pass", "x = [1,,2]", "class:\n    pass", "if x\n    pass", "x = f'{}'", "x = f'{a!x}'",
    "x = f'}'", "x = '\\x4'", "del f()", "f() = 1", "x += y, z = 1", "a, b += 1", "for 1 in x: pass",
    "x = {1: 2, 3}", "lambda x=1, y: 0", "from x import a,", "import a.b as", "with a as 1: pass",
    "(a, b) := 1", "x = 1 if 2", "return return", "try:\n    pass", "x = f'{a\\n}'", "x = 01", "x = 1_", "x = 0x",
    "x = 1__0", "else:\n    pass", "  x = 1", "def f(*): pass", "def f(a, a): pass", "x = b'é'", "x = u'a' b'b'",
    "x = (*a)", "x = [*a for a in b]", "f(**a, *b)", "x = 5 5", "nonlocal x", "@x\nx = 1", "x = yield = 1",
    "except: pass", "x = {**a: 1}", "x = 1e", "x = .e1", "def f(a, /, /): pass", "x = 'a' 'b' f'",
    "match x:\n    case 1:\n    pass", "a = 1; ; b = 2", "x = ur'a'", "x = $", "x = a ? b : c", "x = `a`",
]


def make_file(r, corpus_files):
    parts = []
    if r.random() < 0.6:
        parts.append(r.choice(['"""Doc."""', "'''Module doc.\n\nMore.'''", "# comment", "#!/usr/bin/env python3\n# -*- coding: utf-8 -*-"]))
    for _ in range(r.randint(0, 3)):
        parts.append(r.choice(STATEMENTS))
    manifest = "__manifest__ = " + (rdict(r) if r.random() < 0.8 else rvalue(r))
    style = r.random()
    if style < 0.06:
        manifest = "if True:\n    " + manifest.replace("\n", "\n    ")
    elif style < 0.09:
        manifest = "MANIFEST = " + manifest
    elif style < 0.11:
        manifest = manifest.replace("__manifest__ =", "__manifest__: dict =")
    elif style < 0.13:
        manifest = manifest + ","
    elif style < 0.15:
        manifest = "__manifest__ = (" + manifest[len("__manifest__ = "):] + ")"
    parts.append(manifest)
    for _ in range(r.randint(0, 3)):
        parts.append(r.choice(STATEMENTS))
    if r.random() < 0.2:
        parts.insert(r.randint(0, len(parts)), r.choice(BROKEN))
    text = "\n".join(parts) + r.choice(["\n", "", "\n\n", "\r\n"])
    if r.random() < 0.15:
        text = mutate(r, text)
    return text.encode("utf-8", "surrogatepass") if r.random() < 0.98 else text.encode("latin-1", "replace")


def mutate(r, text):
    if not text:
        return text
    for _ in range(r.randint(1, 3)):
        i = r.randrange(len(text))
        op = r.random()
        if op < 0.4:
            text = text[:i] + text[i + 1:]
        elif op < 0.8:
            text = text[:i] + r.choice(["(", ")", "[", "]", "{", "}", ":", ",", "'", '"', "\\", "\n", " ", "#", "=", "*", "f", "\t", "."]) + text[i:]
        else:
            j = r.randrange(len(text))
            text = text[:i] + text[j] + text[i + 1:]
    return text


def corpus_mutants(r, corpus_files, n):
    out = []
    for _ in range(n):
        path = r.choice(corpus_files)
        with open(path, "rb") as fh:
            data = fh.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        out.append(mutate(r, text).encode("utf-8", "surrogatepass"))
    return out

# ---------------------------------------------------------------- driver


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rar")
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--corpus", default=None, help="directory of .py files to mutate")
    ap.add_argument("--keep", default=None, help="write failing inputs here")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    r = random.Random(seed)
    corpus_files = []
    if args.corpus:
        for root, _, files in os.walk(args.corpus):
            if ".git" in root:
                continue
            corpus_files += [os.path.join(root, f) for f in files if f.endswith(".py")]
    inputs = [make_file(r, corpus_files) for _ in range(args.count)]
    if corpus_files:
        inputs += corpus_mutants(r, corpus_files, args.count // 3)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for k, data in enumerate(inputs):
            p = os.path.join(tmp, f"case{k:05d}.py")
            with open(p, "wb") as fh:
                fh.write(data)
            paths.append(p)
        proc = subprocess.run([args.rar, "manifest", "--json", "--max-bytes", str(64 << 20)] + paths,
                              capture_output=True, text=True)
        ours = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
        if len(ours) != len(paths):
            print(f"rar printed {len(ours)} records for {len(paths)} files (exit {proc.returncode})\n{proc.stderr[:2000]}")
            print(f"0 passed, {len(paths)} failed")
            return 1
        failed = 0
        for k, (p, rec) in enumerate(zip(paths, ours)):
            want = reference(inputs[k])
            problems = []
            for key in ("error_code", "manifest", "manifest_type", "manifest_stmt_line", "manifest_span"):
                if key in want and want[key] != rec.get(key):
                    problems.append(f"{key}: ours {json.dumps(rec.get(key))[:200]} want {json.dumps(want[key])[:200]}")
            if problems:
                failed += 1
                if failed <= 15:
                    print(f"--- case {k} (seed {seed}) python: {want.get('error', '')}\n{inputs[k][:600].decode('utf-8', 'replace')}\n    " + "\n    ".join(problems) + f"\n    rar error: {rec.get('error')}")
                if args.keep:
                    os.makedirs(args.keep, exist_ok=True)
                    with open(os.path.join(args.keep, f"fail{k:05d}.py"), "wb") as fh:
                        fh.write(inputs[k])
        print(f"differential (seed {seed}): {len(paths) - failed} passed, {failed} failed")
        print(f"{len(paths) - failed} passed, {failed} failed")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
