"""The committed stubs are what ``proto/`` generates, and the runtime needs no grpcio-tools."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "gateway" / "grpc" / "gen"


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_the_committed_stubs_match_the_protos(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    subprocess.run(  # noqa: S603 - our own script, with the test's interpreter
        [sys.executable, str(ROOT / "scripts" / "gen_proto.py"), "--out", str(out)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    generated, committed = tree(out), tree(COMMITTED)
    assert sorted(generated) == sorted(committed), "run `make proto`"
    stale = [name for name in generated if generated[name] != committed[name]]
    assert not stale, f"stale stubs (run `make proto`): {stale}"


def test_serving_needs_no_code_generator() -> None:
    """With grpcio-tools and mypy-protobuf made unimportable, the gateway still builds."""
    code = (
        "import sys\n"
        "sys.modules['grpc_tools'] = None\n"
        "sys.modules['mypy_protobuf'] = None\n"
        "import gateway.app, gateway.grpc.server\n"
        "from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as s\n"
        "print(s.GetReportRequest(report_id='R1').report_id)\n"
    )
    result = subprocess.run(  # noqa: S603 - the test's own interpreter
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    )
    assert result.stdout.strip() == "R1"
