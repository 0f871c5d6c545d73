"""Messenger leads (issue 20): Meta's webhook, and the daily schedule that marks week-old leads lost."""

from __future__ import annotations

from firebase_functions import https_fn, logger, scheduler_fn
from flask import Request, Response

from curbside import config, deps
from curbside.entrypoints.webhooks import over_limit
from curbside.gateways.messenger import SIGNATURE_HEADER, WebhookRejected
from curbside.services import leads, messenger_events


@https_fn.on_request(secrets=config.secrets(config.MESSENGER_APP_SECRET, config.MESSENGER_VERIFY_TOKEN,
                                            config.MESSENGER_PAGE_TOKEN, config.GEOCODING_API_KEY,
                                            config.ROUTES_API_KEY))
def messenger_webhook(req: Request) -> Response:
    """GET: Meta's subscription check (the challenge echoed for our verify token; 403 otherwise). POST: 401 for
    anything not signed with the app secret (nothing written); 200 once every message is handled, replayed or
    ignored; 500 when handling failed, so Meta delivers again; 429 when one address sends too many."""
    current = deps.get()
    if (limited := over_limit(current, "messenger", req)) is not None:
        return limited
    if req.method == "GET":
        challenge = current.messenger.subscription_answer(
            req.args.get("hub.mode"), req.args.get("hub.verify_token"), req.args.get("hub.challenge"))
        if challenge is None:
            return Response("verification failed", status=403)
        return Response(challenge, status=200, mimetype="text/plain")
    if req.method != "POST":
        return Response("method not allowed", status=405)
    try:
        body = current.messenger.verify_webhook(req.get_data(), req.headers.get(SIGNATURE_HEADER))
    except WebhookRejected as exc:
        logger.warn("messenger.webhook_rejected", reason=str(exc))
        return Response("invalid signature", status=401)
    try:
        outcomes = messenger_events.process(current, body)
    except Exception as exc:  # any failure must become a 5xx so Meta delivers again
        logger.error("messenger.delivery_failed", error=type(exc).__name__)
        return Response("processing failed", status=500)
    return Response(",".join(f"{name}={count}" for name, count in sorted(outcomes.items())) or "nothing",
                    status=200, mimetype="text/plain")


@scheduler_fn.on_schedule(schedule="every day 03:30")
def expire_leads(event: scheduler_fn.ScheduledEvent) -> None:
    """Leads with no booking a week after their first message become `lost` (safe to run twice)."""
    logger.info("leads.expired", count=leads.expire_leads(deps.get()))
