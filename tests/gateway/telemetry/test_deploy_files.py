"""The container and deployment files: what can be checked without a Docker engine or a
cluster (instructions present, YAML well formed, probes pointing at real routes)."""

from __future__ import annotations

import fnmatch
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest

from gateway.health import HEALTHZ, READYZ
from gateway.settings import Settings

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    found = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def load_all(path: Path) -> list[Any]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def test_the_dockerfile_is_multi_stage_slim_non_root_with_a_healthcheck() -> None:
    parsed = instructions((ROOT / "Dockerfile").read_text(encoding="utf-8"))
    keywords = [keyword for keyword, _ in parsed]
    stages = [args for keyword, args in parsed if keyword == "FROM"]
    assert len(stages) >= 2
    assert any("python:3.11-slim" in args for keyword, args in parsed if keyword == "ARG")
    assert any(args.startswith("--from=") for keyword, args in parsed if keyword == "COPY")
    users = [args for keyword, args in parsed if keyword == "USER"]
    assert users
    assert users[-1].split(":")[0] not in ("root", "0")
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k == "FROM")
    assert ("EXPOSE", "8080") in parsed
    (healthcheck,) = [args for keyword, args in parsed if keyword == "HEALTHCHECK"]
    assert "python" in healthcheck
    assert HEALTHZ in healthcheck
    assert "curl" not in healthcheck
    (command,) = [args for keyword, args in parsed if keyword == "CMD"]
    assert command.startswith("[")
    assert yaml.safe_load(command) == ["concur-gateway", "serve"]
    env = " ".join(args for keyword, args in parsed if keyword == "ENV")
    assert "CONCUR_GATEWAY_SERVER__HOST=0.0.0.0" in env
    assert "CONCUR_GATEWAY_SERVER__PORT=8080" in env


def test_the_healthcheck_command_is_valid_python() -> None:
    parsed = instructions((ROOT / "Dockerfile").read_text(encoding="utf-8"))
    (healthcheck,) = [args for keyword, args in parsed if keyword == "HEALTHCHECK"]
    exec_form = healthcheck[healthcheck.index("CMD") + len("CMD") :].strip()
    argv = yaml.safe_load(exec_form)
    assert argv[:2] == ["python", "-c"]
    compile(argv[2], "<healthcheck>", "exec")


def test_the_docker_context_leaves_out_the_venv_and_tests() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".venv", ".git", "tests"):
        assert entry in ignored


def test_compose_runs_two_gateways_redis_the_sandbox_and_a_collector() -> None:
    (compose,) = load_all(DEPLOY / "compose.yaml")
    services = compose["services"]
    gateways = [s for s in services.values() if s.get("image") == "concur-gateway:local"]
    replicas = [s for s in gateways if "command" not in s]
    assert len(replicas) == 2
    for gateway in replicas:
        env = gateway["environment"]
        assert env["CONCUR_GATEWAY_UPSTREAM__BASE_URL"] == "http://sandbox:8081"
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"].startswith("http://otel-collector:")
        assert int(float(env["CONCUR_GATEWAY_SERVER__SHUTDOWN_TIMEOUT_S"])) < int(
            gateway["stop_grace_period"].rstrip("s")
        )
    assert services["sandbox"]["command"][:2] == ["concur-gateway", "sandbox"]
    assert services["redis"]["image"].startswith("redis:")
    collector = services["otel-collector"]
    assert any("otel-collector.yaml" in volume for volume in collector["volumes"])
    (config,) = load_all(DEPLOY / "otel-collector.yaml")
    pipelines = config["service"]["pipelines"]
    assert {"traces", "metrics"} <= set(pipelines)
    assert "otlp" in pipelines["traces"]["receivers"]


def test_compose_settings_are_ones_the_gateway_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    (compose,) = load_all(DEPLOY / "compose.yaml")
    env = compose["services"]["gateway-1"]["environment"]
    for name, value in env.items():
        monkeypatch.setenv(name, str(value))
    settings = Settings()
    assert settings.upstream.base_url == "http://sandbox:8081"
    assert settings.server.shutdown_timeout_s == 20
    assert settings.ess.public_keys == ["http://sandbox:8081/_sandbox/ess/public-key.pem"]
    assert settings.redis_url is not None


def test_kubernetes_manifests_are_complete() -> None:
    (kustomization,) = load_all(K8S / "kustomization.yaml")
    documents = [doc for name in kustomization["resources"] for doc in load_all(K8S / name)]
    kinds = {doc["kind"]: doc for doc in documents}
    assert {
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "ConfigMap",
        "Secret",
    } <= set(kinds)
    pod = kinds["Deployment"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == HEALTHZ
    assert container["readinessProbe"]["httpGet"]["path"] == READYZ
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])
    assert pod["securityContext"]["runAsNonRoot"] is True
    sources = {
        ref.get("configMapRef", ref.get("secretRef"))["name"] for ref in container["envFrom"]
    }
    assert sources == {kinds["ConfigMap"]["metadata"]["name"], kinds["Secret"]["metadata"]["name"]}
    config = kinds["ConfigMap"]["data"]
    grace = int(config["CONCUR_GATEWAY_SERVER__SHUTDOWN_TIMEOUT_S"])
    pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][-1])
    assert pod["terminationGracePeriodSeconds"] > grace + pre_stop
    hpa = kinds["HorizontalPodAutoscaler"]["spec"]
    assert hpa["scaleTargetRef"]["name"] == kinds["Deployment"]["metadata"]["name"]
    assert hpa["minReplicas"] >= 2
    service = kinds["Service"]["spec"]
    assert service["selector"] == kinds["Deployment"]["spec"]["selector"]["matchLabels"]


def test_every_setting_in_the_manifests_exists() -> None:
    """A typo in an env name would be silently ignored (``extra="ignore"``): catch it here."""
    (config,) = load_all(K8S / "configmap.yaml")
    (secret,) = load_all(K8S / "secret.yaml")
    names = [*config["data"], *secret["stringData"]]
    fields = Settings.model_fields
    for name in names:
        if not name.startswith("CONCUR_GATEWAY_"):
            continue
        group, _, field = name.removeprefix("CONCUR_GATEWAY_").lower().partition("__")
        assert group in fields, name
        if field:
            model = fields[group].annotation
            assert field in model.model_fields, name  # type: ignore[union-attr]


def test_the_compose_quickstart_command_is_documented() -> None:
    header = (DEPLOY / "compose.yaml").read_text(encoding="utf-8").splitlines()[:10]
    commands = [shlex.split(line.lstrip("# ")) for line in header if "docker compose" in line]
    assert ["docker", "compose", "-f", "deploy/compose.yaml", "up", "--build"] in commands


def test_every_data_file_of_the_packages_goes_into_the_image() -> None:
    """The image installs the wheel: a template or asset not named in package-data would
    be missing there while every test (run from the source tree) passes."""
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["package-data"]
    for package in ("adapters", "gateway", "resolvers", "sandbox"):
        for path in (ROOT / package).rglob("*"):
            if not path.is_file() or path.suffix in (".py", ".pyc"):
                continue
            relative = path.relative_to(ROOT)
            covered = False
            for owner, patterns in package_data.items():
                base = ROOT if owner == "*" else ROOT.joinpath(*owner.split("."))
                if owner != "*" and base not in path.parents:
                    continue
                inside = path.name if owner == "*" else str(path.relative_to(base))
                if any(fnmatch.fnmatch(inside, pattern) for pattern in patterns):
                    covered = True
            assert covered, f"{relative} is not in [tool.setuptools.package-data]"
