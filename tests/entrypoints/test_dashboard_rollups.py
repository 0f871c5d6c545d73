"""The dashboard's daily rollups (D95-D97): jobs taken through their real lifecycle by the entry points and
the triggers' services — held, completed and captured, refunded, created and cancelled, and a ticket answered
by an admin — leave `DailyStats`
equal to a brute-force recount of the documents; a trigger delivered twice counts once; `admin_dashboard`
reads them back as revenue, series and rates."""

from __future__ import annotations

import datetime as dt

import pytest

from curbside.services import accounts, card_holds, refunds
from main import (
    admin_dashboard,
    admin_reply_ticket,
    cancel_request,
    create_request,
    create_support_ticket,
    request_live_agent,
)
from tests.entrypoints.test_completions import complete_at_job
from tests.entrypoints.test_threats import create_data
from tests.factories import CLIENT_ID
from tests.payment_world import add_job_in_progress, client_with_saved_card, technician_with_account
from tests.request_world import everything, upload_photo
from tests.stats_recount import day_of, recount, rolled_up

pytestmark = pytest.mark.usefixtures("stripe_deps")
ADMIN = "admin-1"


def test_the_rollups_equal_a_recount_after_jobs_go_through_their_lifecycle(db, call, *, bucket, clock, stripe_deps,
                                                                         localstripe):
    client_with_saved_card(db, call, localstripe)
    technician_with_account(db, call, localstripe)
    for job in ("job-1", "job-2"):
        add_job_in_progress(db, job, accepted_at=clock.now() - dt.timedelta(minutes=50))
    before, counted_before = recount(db), rolled_up(db)

    for job in ("job-1", "job-2"):
        assert card_holds.follow_request(stripe_deps, job) == "authorization_authorized"  # the status trigger
        complete_at_job(call, bucket, job)
    refunds.refund(stripe_deps, "job-2", 1000, "goodwill")
    created = call(create_request, create_data([upload_photo(bucket)]), uid=CLIENT_ID).result
    assert call(cancel_request, {"request_id": created["request_id"]}, uid=CLIENT_ID).status == 200
    ticket = call(create_support_ticket, {"subject": "Payment", "category": "payment_issue",
                                          "message": "Where is my refund?"}, uid=CLIENT_ID).result["ticket_id"]
    assert call(request_live_agent, {"ticket_id": ticket}, uid=CLIENT_ID).status == 200
    clock.advance(dt.timedelta(minutes=7))
    for answer in ("Looking at it.", "Refunded."):  # only the first reply is the first response
        assert call(admin_reply_ticket, {"ticket_id": ticket, "message": answer}, uid=ADMIN, admin=True).status == 200

    added = rolled_up(db) - counted_before
    assert added == recount(db) - before
    assert (added["jobs_created"], added["jobs_completed"], added["jobs_cancelled"], added["payments_authorized"],
            added["captured_minor"], added["refunded_minor"], added["completions_timed"]) == (
        1, 2, 1, 2, 11200, 1000, 2)
    assert added["completion_seconds"] == 2 * 50 * 60
    assert (added["first_responses"], added["first_response_seconds"]) == (1, 7 * 60)

    figures = call(admin_dashboard, {}, uid=ADMIN, admin=True).result
    today = day_of(clock.now()).isoformat()
    assert figures["today"] == today and figures["range"]["to_date"] == today
    assert figures["revenue"]["today"] == {"net_minor": 10200, "captured_minor": 11200, "refunded_minor": 1000,
                                           "fee_minor": added["fee_minor"]}
    assert figures["revenue"]["last_30_days"]["net_minor"] == 10200
    [last] = [day for day in figures["series"] if day["date"] == today]
    assert (last["jobs_completed"], last["jobs_cancelled"], last["captured_minor"]) == (2, 1, 11200)
    assert figures["metrics"]["cancellation_rate"] == 1.0  # the one job created in range was cancelled
    assert figures["metrics"]["refund_rate"] == 0.5 and figures["metrics"]["average_completion_minutes"] == 50.0
    assert figures["metrics"]["support_first_response_minutes"] == 7.0


def test_a_trigger_delivered_twice_counts_once(db, deps, stripe_deps, call, localstripe):
    client_with_saved_card(db, call, localstripe)
    add_job_in_progress(db, "job-1")
    db.document("Users/newcomer").set({"uid": "newcomer", "email": "new@example.com", "role": "user"})

    for _ in range(2):
        accounts.fill_user_defaults(deps, "newcomer")  # on_user_created, redelivered
        card_holds.follow_request(stripe_deps, "job-1")  # on_request_updated, redelivered

    counted = rolled_up(db)
    assert (counted["users_new"], counted["payments_attempted"], counted["payments_authorized"]) == (1, 1, 1)


@pytest.mark.parametrize("data", [{"from_date": "2026-03-01", "to_date": "2026-01-01"},
                                  {"from_date": "2026-01-01", "to_date": "2026-06-01"},
                                  {"from_date": "yesterday"}])
def test_a_backwards_too_long_or_malformed_range_is_refused_and_writes_nothing(db, call, data):
    db.document(f"Users/{ADMIN}").set({"role": "admin"})
    before = everything(db)
    answer = call(admin_dashboard, data, uid=ADMIN, admin=True)
    assert answer.error == "INVALID_ARGUMENT" and "result" not in answer.body
    assert everything(db) == before
