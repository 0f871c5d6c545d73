"""review_client through the deployed callable, and the daily apply_pending_reviews over both review
collections, on the Firestore emulator: exact means from sum and count, the dispatch index following the
technician's rating, the public copies of technicians' reviews, disputed jobs waiting, pages, replays and
overlapping runs counting each review once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from typing import Any

import pytest

from curbside.deps import Deps
from curbside.domain.enums import PaymentStatus, RequestStatus
from curbside.services import reviews
from curbside.store.collections import Collection
from main import review_client
from tests.factories import CLIENT_ID, DISPATCHER_ID, make_client_review, make_job_completion, make_review, put
from tests.request_world import add_client, add_dispatcher, add_job, everything, stored

JOB = "job-1"
TODAY = "2026-11-20"
"""The default clock (09:00 UTC) is 20:00 in Sydney, the platform's time zone."""


@pytest.fixture
def completed(db) -> str:
    add_client(db)
    add_dispatcher(db)
    add_job(db, RequestStatus.COMPLETED, id=JOB, dispatcher_name="Sam")
    return JOB


def technician(db) -> dict[str, Any]:
    return stored(db, Collection.DISPATCHER_PROFILES, DISPATCHER_ID)


def client(db) -> dict[str, Any]:
    return stored(db, Collection.CLIENT_PROFILES, CLIENT_ID)


# --- review_client ----------------------------------------------------------------------------------------------


def test_the_technician_reviews_the_client_for_tomorrow(db, call, completed):
    response = call(review_client, {"request_id": JOB, "rating": 4, "comment": "Friendly, car as described.",
                                    "service_categories": ["communication", "car_accuracy", "communication"]},
                    uid=DISPATCHER_ID)

    assert response.status == 200, response.body
    assert response.result == {"review_id": JOB, "apply_date": "2026-11-21"}
    review = stored(db, Collection.CLIENT_REVIEWS, JOB)
    assert (review["reviewer_id"], review["reviewee_id"], review["reviewer_name"]) == (DISPATCHER_ID, CLIENT_ID,
                                                                                       "Sam")
    assert (review["rating"], review["applied"], review["verified_service"]) == (4, False, True)
    assert review["service_categories"] == ["communication", "car_accuracy"]
    assert client(db)["client_reviews_count"] == 0  # not before tomorrow


BAD_PAYLOADS: dict[str, dict[str, Any]] = {
    "rating 0": {"rating": 0}, "rating 6": {"rating": 6}, "rating 3.5": {"rating": 3.5},
    "rating as text": {"rating": "5"}, "no rating": {}, "unknown category": {"rating": 4,
                                                                          "service_categories": ["looks"]},
    "server's field": {"rating": 4, "verified_service": False}, "long comment": {"rating": 4, "comment": "x" * 1001},
}


@pytest.mark.parametrize("case", list(BAD_PAYLOADS))
def test_a_malformed_review_is_refused_and_writes_nothing(db, call, completed, case):
    before = everything(db)

    response = call(review_client, {"request_id": JOB, **BAD_PAYLOADS[case]}, uid=DISPATCHER_ID)

    assert response.error == "INVALID_ARGUMENT", response.body
    assert everything(db) == before


def test_only_the_jobs_technician_may_review_its_client(db, call, completed):
    add_dispatcher(db, "uid-other-tech")
    before = everything(db)

    for uid in ("uid-other-tech", CLIENT_ID):
        response = call(review_client, {"request_id": JOB, "rating": 1}, uid=uid)
        assert response.error == "NOT_FOUND", response.body
    assert everything(db) == before


def test_a_job_not_yet_completed_cannot_be_reviewed(db, call):
    add_client(db)
    add_dispatcher(db)
    add_job(db, RequestStatus.IN_PROGRESS, id=JOB)
    before = everything(db)

    response = call(review_client, {"request_id": JOB, "rating": 5}, uid=DISPATCHER_ID)

    assert response.error == "FAILED_PRECONDITION" and "completed" in response.message
    assert everything(db) == before


def test_a_second_review_of_the_same_job_is_refused(db, call, completed):
    assert call(review_client, {"request_id": JOB, "rating": 5}, uid=DISPATCHER_ID).status == 200
    before = everything(db)

    response = call(review_client, {"request_id": JOB, "rating": 1}, uid=DISPATCHER_ID)

    assert response.error == "FAILED_PRECONDITION" and "already" in response.message
    assert everything(db) == before


# --- apply_pending_reviews --------------------------------------------------------------------------------------


def add_reviews(db, ratings: list[int], *, apply_date: str = TODAY, of_client: bool = False,
                prefix: str = "job") -> list[str]:
    ids = []
    for n, rating in enumerate(ratings):
        review_id = f"{prefix}-{n}"
        make = make_client_review if of_client else make_review
        put(db, make(id=review_id, request_id=review_id, rating=rating, apply_date=apply_date))
        ids.append(review_id)
    return ids


def test_due_reviews_count_as_the_exact_mean_and_the_dispatch_index_follows(db, deps: Deps):
    add_client(db)
    add_dispatcher(db)
    add_reviews(db, [5, 4, 4, 1, 3], apply_date="2026-11-19")
    add_reviews(db, [1], apply_date="2026-11-21", prefix="tomorrow")

    run = reviews.apply_pending_reviews(deps)

    assert (run.applied, run.waiting) == (5, 0)
    profile = technician(db)
    # The factory's profile: 4.8 over 10 reviews, kept before sums were (48), plus 17 over 5 now.
    assert (profile["total_reviews"], profile["rating_sum"]) == (15, 65)
    assert profile["rating"] == 65 / 15
    assert stored(db, Collection.DISPATCHER_LOCATIONS, DISPATCHER_ID)["rating"] == 65 / 15
    assert all(stored(db, Collection.REVIEWS, f"job-{n}")["applied"] for n in range(5))
    assert stored(db, Collection.REVIEWS, "tomorrow-0")["applied"] is False
    # One notice for the technician's five reviews, applied in one commit.
    notice = stored(db, Collection.NOTIFICATIONS, f"review_received:job-0:{DISPATCHER_ID}")
    assert notice["user_id"] == DISPATCHER_ID and "5 new reviews" in notice["body"]
    assert stored(db, Collection.NOTIFICATIONS, f"review_received:job-3:{DISPATCHER_ID}") == {}


def test_an_applied_review_of_a_technician_is_copied_for_their_public_profile_without_its_reviewer(db, deps: Deps):
    add_client(db)
    add_dispatcher(db)
    put(db, make_review(id="job-0", request_id="job-0", rating=4, comment="Quick and tidy.", apply_date=TODAY))
    put(db, make_review(id="job-1", request_id="job-1", rating=2, comment=None, comment_withheld=True,
                        apply_date=TODAY))
    add_reviews(db, [1], apply_date="2026-11-21", prefix="tomorrow")
    add_reviews(db, [5], of_client=True, prefix="of-client")

    assert reviews.apply_pending_reviews(deps).applied == 3

    public = stored(db, Collection.PUBLIC_REVIEWS, "job-0")
    assert (public["dispatcher_id"], public["rating"], public["comment"], public["applied_date"]) == (
        DISPATCHER_ID, 4, "Quick and tidy.", TODAY)
    assert "reviewer_id" not in public and "reviewee_id" not in public
    withheld = stored(db, Collection.PUBLIC_REVIEWS, "job-1")
    assert (withheld["comment"], withheld["comment_withheld"], withheld["rating"]) == (None, True, 2)
    # not before it applies, and never for a review of a client
    assert stored(db, Collection.PUBLIC_REVIEWS, "tomorrow-0") == stored(
        db, Collection.PUBLIC_REVIEWS, "of-client-0") == {}


def test_a_seeded_mean_becomes_a_sum_and_never_drifts(db, deps: Deps):
    add_client(db)
    add_dispatcher(db)
    db.document(f"DispatcherProfiles/{DISPATCHER_ID}").update({"rating": 4.7, "total_reviews": 3})
    add_reviews(db, [5] * 7)

    reviews.apply_pending_reviews(deps)

    profile = technician(db)  # 4.7 over 3 stood for 14 stars (4.67 shown rounded)
    assert (profile["rating_sum"], profile["total_reviews"]) == (14 + 35, 10)
    assert profile["rating"] == 49 / 10


def test_client_reviews_move_the_client_rating(db, deps: Deps):
    add_client(db)  # client_rating 4.9, no reviews counted yet
    add_dispatcher(db)
    add_reviews(db, [2, 5, 5], of_client=True)

    assert reviews.apply_pending_reviews(deps).applied == 3

    profile = client(db)
    assert (profile["client_reviews_count"], profile["client_rating_sum"], profile["client_rating"]) == (3, 12, 4.0)
    assert stored(db, Collection.NOTIFICATIONS, f"review_received:job-0:{CLIENT_ID}")["user_id"] == CLIENT_ID


def test_a_second_run_changes_nothing(db, deps: Deps):
    add_client(db)
    add_dispatcher(db)
    add_reviews(db, [3, 4])
    reviews.apply_pending_reviews(deps)
    after_first = everything(db)

    assert reviews.apply_pending_reviews(deps) == reviews.Run(0, 0)
    assert everything(db) == after_first


def test_a_disputed_jobs_review_waits_for_the_dispute_to_end(db, deps: Deps):
    add_client(db)
    add_dispatcher(db)
    [disputed, fine] = add_reviews(db, [1, 5])
    put(db, make_job_completion(id=disputed, request_id=disputed, payment_status=PaymentStatus.DISPUTED))
    put(db, make_job_completion(id=fine, request_id=fine))

    assert reviews.apply_pending_reviews(deps) == reviews.Run(applied=1, waiting=1)
    assert stored(db, Collection.REVIEWS, disputed)["applied"] is False
    assert (technician(db)["total_reviews"], technician(db)["rating_sum"]) == (11, 53)

    db.document(f"JobCompletions/{disputed}").update({"payment_status": "completed"})  # resolved
    assert reviews.apply_pending_reviews(deps) == reviews.Run(applied=1, waiting=0)
    assert (technician(db)["total_reviews"], technician(db)["rating_sum"]) == (12, 54)


def test_the_dispute_check_covers_every_job_of_a_page_thirty_at_a_time(db, deps: Deps):
    add_client(db)
    add_dispatcher(db)
    ids = add_reviews(db, [5] * 33)
    disputed = [sorted(ids)[0], sorted(ids)[31]]  # in the page's first and second `in` query (jobs by id)
    for job in disputed:
        put(db, make_job_completion(id=job, request_id=job, payment_status=PaymentStatus.DISPUTED))

    assert reviews.apply_pending_reviews(deps) == reviews.Run(applied=31, waiting=2)
    assert [stored(db, Collection.REVIEWS, job)["applied"] for job in disputed] == [False, False]
    assert technician(db)["total_reviews"] == 10 + 31


def test_reviews_are_read_in_pages_until_none_is_left(db, deps: Deps):
    add_client(db)
    add_dispatcher(db)
    ratings = [1, 2, 3, 4, 5] * 3
    add_reviews(db, ratings)

    assert reviews.apply_pending_reviews(deps, page=4).applied == len(ratings)
    assert (technician(db)["total_reviews"], technician(db)["rating_sum"]) == (10 + 15, 48 + 45)


def test_overlapping_runs_count_every_review_once(db, deps: Deps):
    """Eight runs at once (an overlapping schedule, a manual run, a retry) over the same due reviews of one
    technician: each review is applied by exactly one of them."""
    add_client(db)
    add_dispatcher(db)
    ratings = [5, 4, 3, 5, 2, 5]
    add_reviews(db, ratings)
    runs: list[reviews.Run] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def run() -> None:
        start.wait()
        try:
            runs.append(reviews.apply_pending_reviews(dataclasses.replace(deps), page=2))
        except BaseException as error:  # a thread's failure must fail the test
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)

    assert errors == []
    assert sum(r.applied for r in runs) == len(ratings)
    profile = technician(db)
    assert (profile["total_reviews"], profile["rating_sum"]) == (10 + len(ratings), 48 + sum(ratings))
    # A run left before its end (the rest was applied by others): the next one finds nothing to do.
    assert reviews.apply_pending_reviews(deps) == reviews.Run(0, 0)


# --- comment moderation (the local word list: no OpenAI key in tests) -------------------------------------------


def test_a_flagged_comment_is_withheld_from_others_and_listed_for_admins_but_the_rating_counts(db, call, deps,
                                                                                                completed):
    response = call(review_client, {"request_id": JOB, "rating": 2, "comment": "Rude, an absolute idiot."},
                    uid=DISPATCHER_ID)

    assert response.status == 200, response.body
    review = stored(db, Collection.CLIENT_REVIEWS, JOB)
    assert (review["comment"], review["comment_withheld"], review["rating"]) == (None, True, 2)
    withheld = stored(db, Collection.WITHHELD_COMMENTS, f"ClientReviews:{JOB}")
    assert (withheld["comment"], withheld["categories"], withheld["checked_by"]) == (
        "Rude, an absolute idiot.", ["harassment"], "word_list")
    assert (withheld["reviewer_id"], withheld["reviewee_id"]) == (DISPATCHER_ID, CLIENT_ID)

    deps.clock.advance(dt.timedelta(days=1))
    assert reviews.apply_pending_reviews(deps).applied == 1
    assert (client(db)["client_reviews_count"], client(db)["client_rating"]) == (1, 2.0)


def test_a_clean_comment_is_public_once_applied(db, call, completed):
    call(review_client, {"request_id": JOB, "rating": 5, "comment": "Lovely client, car as described."},
         uid=DISPATCHER_ID)

    review = stored(db, Collection.CLIENT_REVIEWS, JOB)
    assert (review["comment"], review["comment_withheld"]) == ("Lovely client, car as described.", False)
    assert stored(db, Collection.WITHHELD_COMMENTS, f"ClientReviews:{JOB}") == {}
