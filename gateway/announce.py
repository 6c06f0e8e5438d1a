"""What ``concur-gateway serve`` prints for people: where it serves and how to try it.

Plain text only (no app imports), so the parent of several workers can say it too.
"""

from __future__ import annotations

import orjson

SAMPLE_QUERY = "{ me { id kind } reports { id name approvalStatus { code name } total { value currencyCode } } }"  # noqa: E501
DEMO_USERS = (
    ("traveler@example.com", "traveler (owns reports)"),
    ("manager@example.com", "manager (approves)"),
)
"""The embedded sandbox's demo logins and who they are in the demo."""
DEMO_LOGINS = tuple(login for login, _ in DEMO_USERS)


def banner(
    graphql_url: str,
    tokens: dict[str, str],
    sandbox_url: str | None = None,
    grpc_target: str | None = None,
) -> str:
    lines = [
        "concur-gateway is serving the embedded Concur sandbox.",
        f"GraphiQL: {graphql_url}",
    ]
    if grpc_target is not None:
        lines.append(f"gRPC: {grpc_target} (plaintext; reflection lists the services)")
    if sandbox_url is not None:
        lines.append(f"Sandbox: {sandbox_url}")
    lines.append("")
    for login, role in DEMO_USERS:
        if login in tokens:
            lines += [f"{login} is the {role}.", f"Token for {login}:", tokens[login], ""]
    if not tokens:
        lines += [
            "Demo tokens need the sandbox admin token (CONCUR_GATEWAY_SANDBOX__ADMIN_TOKEN);",
            "or get one from the sandbox's /oauth2/v0/token (password grant, password 'sandbox').",
            "",
        ]
    token = tokens.get(DEMO_LOGINS[0], "<token>")
    body = orjson.dumps({"query": SAMPLE_QUERY}).decode()
    lines += [
        "Try:",
        f"curl -s {graphql_url} -H 'Content-Type: application/json' "
        f"-H 'Authorization: Bearer {token}' -d '{body}'",
    ]
    return "\n".join(lines)


def public_origin(host: str, port: int, tls: bool) -> str:
    """The origin to print: a wildcard bind is reached through loopback."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
    return f"{'https' if tls else 'http'}://{shown}:{port}"


def serving_line(graphql_url: str, grpc_target: str | None = None, workers: int = 1) -> str:
    """The one line a deployment (and the suite) reads to learn where the gateway is."""
    text = f"concur-gateway serving on {graphql_url}"
    if grpc_target is not None:
        text += f" and gRPC on {grpc_target}"
    if workers > 1:
        text += f" with {workers} workers"
    return text


__all__ = [
    "DEMO_LOGINS",
    "DEMO_USERS",
    "SAMPLE_QUERY",
    "banner",
    "public_origin",
    "serving_line",
]
