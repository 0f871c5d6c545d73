"""What a notice looks like on each channel: the push (with what the app opens), the e-mail (HTML and text
from the Jinja2 templates in `curbside/templates/`) and the SMS — in the reader's language (D120)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from curbside.domain.documents import Notification
from curbside.domain.notices import POLICIES
from curbside.domain.texts import Text, language, render, t
from curbside.gateways.push import PushMessage
from curbside.store.repositories import evolve

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SMS_MAX_CHARS = 306
"""Two SMS segments: longer texts are cut (the app holds the whole notice)."""


SEE_MORE = t("Open the Curbside app to see more.")
WHY_CRITICAL = t("This message is about your account, so it is sent whatever your notification settings say.")
WHY_SENT = t("You get these e-mails because e-mail notifications are on. Turn them off in the app: Profile > "
             "Notification Settings.")


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str


def push_of(notice: Notification, *, badge: int, sound: bool, now: dt.datetime) -> PushMessage:
    """The push: the notice's title and body, what the app opens, one collapse key per job, and for a notice
    that expires (a job offer) a time-to-live of what is left of it."""
    policy = POLICIES[notice.type]
    ttl = None if notice.expires_at is None else max(dt.timedelta(0), notice.expires_at - now)
    return PushMessage(title=notice.title, body=notice.body, data={**notice.data, "notification_id": notice.id},
                       collapse_key=notice.request_id or notice.type.value, badge=badge, sound=sound,
                       urgent=policy.urgent, time_to_live=ttl)


def localised(notice: Notification, locale: str | None) -> Notification:
    """The notice with its title and body rendered in the reader's language (as written when it has no
    catalogue texts)."""
    if not notice.texts:
        return notice
    parts = {name: render(Text.from_stored(stored), locale) for name, stored in notice.texts.items()}
    return evolve(notice, **parts)


def email_of(notice: Notification, locale: str | None = None) -> Mail:
    critical = POLICIES[notice.type].critical
    context = {"title": notice.title, "body": notice.body, "lang": language(locale),
               "see_more": render(SEE_MORE, locale), "why": render(WHY_CRITICAL if critical else WHY_SENT, locale)}
    return Mail(subject=notice.title, text=_templates().get_template("notice.txt.j2").render(context),
                html=_templates().get_template("notice.html.j2").render(context))


def sms_of(notice: Notification, locale: str | None = None) -> str:
    text = render(t("Curbside: {title}. {body}", title=notice.title, body=notice.body), locale)
    return text if len(text) <= SMS_MAX_CHARS else text[:SMS_MAX_CHARS - 1] + "…"


@cache
def _templates() -> Environment:
    html_only = select_autoescape(enabled_extensions=("html.j2",), default=False)
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=html_only, keep_trailing_newline=True)
