"""``python -m sandbox [sandbox] --port 8081 ...``: the sandbox command without the gateway."""

from __future__ import annotations

import argparse
import sys

from sandbox.cli import register


def main(argv: list[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    if not args_in or args_in[0] != "sandbox":
        args_in.insert(0, "sandbox")
    parser = argparse.ArgumentParser(prog="python -m sandbox")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(args_in)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
