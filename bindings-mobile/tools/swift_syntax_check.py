"""Syntax check of the generated Swift without a Swift toolchain (none runs on Linux CI here).

Parses each file with tree-sitter-swift and reports every ERROR or missing node with its line.
Syntax only: no type checking, so a wrong `lift`/`lower` expression in uniffi.toml that parses
is not caught. tree-sitter-swift 0.7.4 mis-parses an attribute inside `#if swift(>=5.8)` ...
`#endif` (UniFFI's `@_documentation(visibility: private)`); those 3-line blocks are blanked
first, keeping line numbers.

Usage: swift_syntax_check.py FILE.swift... ; prints "N passed, N failed" (one per file).
"""

import re
import sys

import tree_sitter
import tree_sitter_swift

DOC_ATTRIBUTE = re.compile(
    rb"#if swift\(>=5\.8\)\n(\s*@_documentation\(visibility: private\)\n)#endif\n"
)


def problems(source: bytes) -> list[str]:
    source = DOC_ATTRIBUTE.sub(lambda m: b"\n" * m.group(0).count(b"\n"), source)
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_swift.language()))
    found = []
    pending = [parser.parse(source).root_node]
    while pending:
        node = pending.pop()
        if node.type == "ERROR" or node.is_missing:
            line = node.start_point[0] + 1
            text = source.splitlines()[line - 1].decode(errors="replace").strip()
            kind = "missing " + node.type if node.is_missing else "syntax error"
            found.append(f"line {line}: {kind}: {text}")
        pending.extend(node.children)
    return sorted(found)


def main(paths: list[str]) -> int:
    passed = failed = 0
    for path in paths:
        with open(path, "rb") as f:
            found = problems(f.read())
        if found:
            failed += 1
            print(f"FAIL {path}")
            for problem in found:
                print(f"     {problem}")
        else:
            passed += 1
            print(f"ok   {path}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
