#!/usr/bin/env python3
"""Embed schemas/openapi.yaml into the server as a Swift string literal.

    python3 schemas/embed_openapi.py            write Sources/RARServer/OpenAPIDocument.swift
    python3 schemas/embed_openapi.py --stdout   print it instead (to compare with the checked-in file)

The YAML goes into a raw multi-line string literal (#\"\"\" ... \"\"\"#), so backslashes and quotes
need no escaping. The literal's value is the file's exact text: it must be UTF-8, use LF line
endings and end with a newline, and must not contain the closing delimiter \"\"\"# or the raw
interpolation \\#( (both are refused rather than worked around, so the Swift stays the simple form).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "schemas" / "openapi.yaml"
TARGET = ROOT / "Sources" / "RARServer" / "OpenAPIDocument.swift"

HEADER = "// Generated from schemas/openapi.yaml by schemas/embed_openapi.py; do not edit.\n"


def render(yaml_text: str) -> str:
    problems = []
    if "\r" in yaml_text:
        problems.append("has CR characters (use LF line endings)")
    if not yaml_text.endswith("\n"):
        problems.append("does not end with a newline")
    if '"""#' in yaml_text:
        problems.append('contains """# (the end of the Swift raw string)')
    if "\\#" in yaml_text:
        problems.append("contains \\# (an escape inside a Swift raw string)")
    if any(ord(c) < 0x20 and c not in "\n\t" for c in yaml_text) or "\x7f" in yaml_text:
        problems.append("contains control characters")
    if problems:
        raise SystemExit(f"{SOURCE.relative_to(ROOT)}: cannot embed: " + "; ".join(problems))
    # The literal's content is every line between the delimiters; the line break before the
    # closing delimiter is not part of it, so the extra "\n" keeps the file's final newline.
    return (
        HEADER
        + "enum OpenAPIDocument {\n"
        + '    static let yaml = #"""\n'
        + yaml_text
        + '\n"""#\n'
        + "}\n"
    )


def main(argv: list[str]) -> int:
    args = argv[1:]
    if args not in ([], ["--stdout"]):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    raw = SOURCE.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SystemExit(f"{SOURCE.relative_to(ROOT)}: not UTF-8: {e}")
    out = render(text)
    if args == ["--stdout"]:
        sys.stdout.write(out)
        return 0
    TARGET.write_text(out, encoding="utf-8", newline="\n")
    print(f"wrote {TARGET.relative_to(ROOT)} ({len(raw)} bytes of YAML)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
