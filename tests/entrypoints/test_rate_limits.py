"""Rate limits (issue 15, D47) through the deployed entry points: job creation per client and webhook deliveries
per source address — the limit answers RESOURCE_EXHAUSTED (429 for a webhook) with when to try again and
writes nothing, holds exactly under concurrent calls, and opens again when the window ends."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from typing import Any

import flask
import pytest

from curbside import deps as deps_module
from curbside.domain.rate_limits import Limit
from curbside.settings import RateLimitSettings
from curbside.store.collections import Collection
from devstack.doubles import ScriptedAssistant
from main import background_check_webhook, create_request, create_support_ticket, redeem_reward, stripe_webhook
from tests.entrypoints.test_requests_create import create_data
from tests.factories import CLIENT_ID, make_reward, put
from tests.request_world import add_client, add_spec_rules, everything, upload_photo


@pytest.fixture
def client(db):
    add_client(db)
    add_spec_rules(db)
    return CLIENT_ID


@pytest.fixture
def photos(bucket):
    return [upload_photo(bucket, name="front.jpg")]


def jobs_in(db) -> int:
    return len(list(db.collection(Collection.SERVICE_REQUESTS).stream()))


def test_the_sixth_job_in_ten_minutes_is_refused_with_when_to_try_again(db, call, clock, client, photos):
    clock.current = dt.datetime(2026, 11, 20, 9, 3, tzinfo=dt.UTC)  # 7 minutes before the window ends
    for _ in range(5):
        assert call(create_request, create_data(photos), uid=client).status == 200
    before = everything(db)

    refused = call(create_request, create_data(photos), uid=client)

    assert refused.error == "RESOURCE_EXHAUSTED"
    assert refused.message == "Too many new jobs: at most 5 every 10 minutes. Try again in 420 seconds."
    assert refused.body["error"]["details"] == {"retry_after_seconds": 420}
    assert everything(db) == before

    clock.advance(dt.timedelta(minutes=7))
    assert call(create_request, create_data(photos), uid=client).status == 200
    assert jobs_in(db) == 6


def test_another_client_has_their_own_limit(db, call, client, photos, bucket):
    for _ in range(5):
        call(create_request, create_data(photos), uid=client)
    add_client(db, "client-two")
    theirs = [upload_photo(bucket, "client-two", name="front.jpg")]
    assert call(create_request, create_data(theirs), uid="client-two").status == 200


def test_ten_simultaneous_jobs_create_exactly_five(db, call, client, photos):
    barrier = threading.Barrier(10)
    answers: list[Any] = []

    def send(n: int) -> None:
        barrier.wait()
        answers.append(call(create_request, create_data(photos, request_key=f"tap-race-{n:04d}"), uid=client))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)

    assert sorted(answer.status for answer in answers).count(200) == 5
    assert {answer.error for answer in answers if answer.status != 200} == {"RESOURCE_EXHAUSTED"}
    assert jobs_in(db) == 5
    assert len(list(db.collection(Collection.RATE_LIMIT_SLOTS).stream())) == 5


# --- support tickets and reward redemptions, per person ----------------------------------------------------------


def limited(deps, **limits: Limit) -> Any:
    installed = dataclasses.replace(deps, settings=dataclasses.replace(
        deps.settings, rate_limits=dataclasses.replace(deps.settings.rate_limits, **limits)))
    deps_module.install(installed)
    return installed


def test_the_third_ticket_of_the_day_is_refused_before_the_assistant_is_asked(db, call, clock, client, deps):
    assistant = ScriptedAssistant()
    limited(dataclasses.replace(deps, assistant=assistant),
            support_ticket=Limit("support_ticket", 2, dt.timedelta(days=1), "new support tickets"))
    clock.current = dt.datetime(2026, 11, 20, 21, 30, tzinfo=dt.UTC)
    ticket = {"subject": "Payment", "category": "payment_issue", "message": "Where is my payment?"}
    assert [call(create_support_ticket, ticket, uid=client).status for _ in range(2)] == [200, 200]
    before, asked = everything(db), len(assistant.prompts)

    refused = call(create_support_ticket, ticket, uid=client)

    assert refused.error == "RESOURCE_EXHAUSTED"
    assert refused.message == ("Too many new support tickets: at most 2 every 24 hours. "
                               "Try again in 2 hours 30 minutes.")
    assert refused.body["error"]["details"] == {"retry_after_seconds": 9000}
    assert everything(db) == before and len(assistant.prompts) == asked
    slots = [snap.to_dict() or {} for snap in db.collection(Collection.RATE_LIMIT_SLOTS).stream()]
    # The TTL policy's field is a timestamp (Firestore's TTL ignores any other type), a window after the window.
    assert [slot["expires_at"] for slot in slots] == [dt.datetime(2026, 11, 22, tzinfo=dt.UTC)] * 2
    clock.advance(dt.timedelta(hours=2, minutes=30))
    assert call(create_support_ticket, ticket, uid=client).status == 200


def test_the_third_redemption_of_the_day_is_refused_and_spends_no_points(db, call, client, deps):
    limited(deps, redeem_reward=Limit("redeem_reward", 2, dt.timedelta(days=1), "reward redemptions"))
    db.document(f"ClientProfiles/{client}").update({"loyalty_points": 5000, "total_points_earned": 5000})
    put(db, make_reward(id="reward-5-off", points_required=500))
    assert [call(redeem_reward, {"reward_id": "reward-5-off"}, uid=client).status for _ in range(2)] == [200, 200]
    before = everything(db)

    refused = call(redeem_reward, {"reward_id": "reward-5-off"}, uid=client)

    assert refused.error == "RESOURCE_EXHAUSTED"
    assert refused.message.startswith("Too many reward redemptions: at most 2 every 24 hours. Try again in ")
    assert everything(db) == before
    assert db.document(f"ClientProfiles/{client}").get().get("loyalty_points") == 4000


# --- webhooks, per source ---------------------------------------------------------------------------------------


@pytest.fixture
def tight(deps):
    """Webhook deliveries limited to 2 a minute per address."""
    limits = RateLimitSettings(webhook=Limit("webhook", 2, dt.timedelta(minutes=1), "webhook deliveries"))
    installed = dataclasses.replace(deps, settings=dataclasses.replace(deps.settings, rate_limits=limits))
    deps_module.install(installed)
    return installed


def deliver(endpoint: Any, source: str) -> flask.Response:
    headers = {"Content-Type": "application/json", "X-Forwarded-For": f"203.0.113.9, {source}"}
    with flask.Flask("webhooks").test_request_context("/", method="POST", data=b"{}", headers=headers):
        response: flask.Response = endpoint(flask.request)
    return response


@pytest.mark.parametrize(("endpoint", "source"), [(stripe_webhook, "198.51.100.7"),
                                                (background_check_webhook, "198.51.100.9")],
                         ids=["stripe", "background_check"])
def test_a_source_sending_too_many_deliveries_is_answered_429_and_nothing_is_written(db, tight, endpoint, source):
    before = everything(db)
    assert [deliver(endpoint, source).status_code for _ in range(2)] == [400, 400]  # unsigned: refused
    assert everything(db) == before  # nothing written for a delivery let through either

    limited = deliver(endpoint, source)
    assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 60
    assert everything(db) == before
    assert deliver(endpoint, "198.51.100.8").status_code == 400  # another address: its own count
