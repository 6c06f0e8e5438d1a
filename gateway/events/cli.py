"""``concur-gateway ess``: manage the gateway's ESS webhook subscription.

``subscribe`` creates or updates a subscription (``PUT /events/v4/subscriptions/webhook``),
``list`` shows the application's subscriptions as JSON, ``delete`` removes one. Every call
uses an app token from the configured company auth (``client_credentials`` with
``CONCUR_GATEWAY_COMPANY_AUTH__CLIENT_ID``/``__CLIENT_SECRET``) against the configured
upstream (or ``CONCUR_GATEWAY_ESS__BASE_URL``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # the modules load in the functions: building the CLI's parser stays light
    from adapters.ess import EssSubscriptions
    from gateway.settings import Settings

TOPIC = "public.concur.expense.report"  # adapters.ess.TOPIC (a test keeps them equal)

Action = Callable[["EssSubscriptions", TextIO], Awaitable[None]]


async def run_action(settings: Settings, action: Action, out: TextIO) -> None:
    """Run ``action`` with an ``EssSubscriptions`` for the configured upstream."""
    from adapters.concur import open_concur_client  # noqa: PLC0415
    from adapters.ess import open_ess_subscriptions  # noqa: PLC0415

    async with (
        open_concur_client(settings.upstream, settings.company_auth) as client,
        open_ess_subscriptions(
            settings.upstream, client.app_token, base_url=settings.ess.base_url
        ) as subscriptions,
    ):
        await action(subscriptions, out)


def _subscribe(args: argparse.Namespace) -> Action:
    async def action(subscriptions: EssSubscriptions, out: TextIO) -> None:
        message = await subscriptions.save(
            args.id, args.endpoint, filter_=args.filter, topic=args.topic
        )
        print(message, file=out)

    return action


def _list(args: argparse.Namespace) -> Action:
    del args

    async def action(subscriptions: EssSubscriptions, out: TextIO) -> None:
        import orjson  # noqa: PLC0415

        found = await subscriptions.list_all()
        document = [s.model_dump(mode="json") for s in found]
        print(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode(), file=out)

    return action


def _delete(args: argparse.Namespace) -> Action:
    async def action(subscriptions: EssSubscriptions, out: TextIO) -> None:
        print(await subscriptions.delete(args.subscription_id), file=out)

    return action


def run(args: argparse.Namespace) -> int:
    """Entry point of every ``ess`` sub-command: 0 on success, 1 when Concur refused, 2
    when nothing is configured to talk to."""
    import asyncio  # noqa: PLC0415

    from adapters.errors import GatewayError  # noqa: PLC0415
    from gateway.settings import Settings  # noqa: PLC0415

    settings = Settings()
    if not (settings.ess.base_url or settings.upstream.base_url):
        print(
            "error: no Concur configured: set CONCUR_GATEWAY_UPSTREAM__BASE_URL "
            "(or CONCUR_GATEWAY_ESS__BASE_URL)",
            file=sys.stderr,
        )
        return 2
    build: Callable[[argparse.Namespace], Action] = args.ess_action
    try:
        asyncio.run(run_action(settings, build(args), sys.stdout))
    except GatewayError as exc:
        print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
        return 1
    return 0


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    default_id: str = "concur-gateway",
) -> None:
    """Add ``ess subscribe|list|delete``; each sets ``args.func`` to ``run``."""
    parser = subparsers.add_parser(
        "ess", help="manage the ESS webhook subscription (app token from company auth)"
    )
    commands = parser.add_subparsers(dest="ess_command", required=True)

    subscribe = commands.add_parser("subscribe", help="create or update a webhook subscription")
    subscribe.add_argument("--endpoint", required=True, help="the webhook URL ESS posts to")
    subscribe.add_argument(
        "--filter", default=".*", help="regular expression over eventType (default: all)"
    )
    subscribe.add_argument(
        "--id",
        default=default_id,
        help=f"subscription id: a-z, 0-9, '.', '-' (default: {default_id})",
    )
    subscribe.add_argument("--topic", default=TOPIC, help=f"topic (default: {TOPIC})")
    subscribe.set_defaults(func=run, ess_action=_subscribe)

    listing = commands.add_parser("list", help="list the application's subscriptions (JSON)")
    listing.set_defaults(func=run, ess_action=_list)

    delete = commands.add_parser("delete", help="delete a subscription")
    delete.add_argument("subscription_id", metavar="ID")
    delete.set_defaults(func=run, ess_action=_delete)


__all__ = ["register", "run", "run_action"]
