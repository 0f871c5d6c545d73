"""Reviews that count (spec section 6): the technician's review of the client, and the daily job that applies
every due review — both directions — to the reviewee's profile.

Reviews are written with `applied: false` and tomorrow's `apply_date` (no instant retaliation; time for a
dispute). `apply_pending_reviews` then applies each due review in a transaction of its own: it re-reads the
review (applied already: nothing to do, so overlapping or repeated runs count it once; the commit is guarded
by the versions it read, and read again when another commit came first), waits while the job's
payment is disputed (the review stays due and a later run applies it), and otherwise flips `applied` and
folds the rating into the profile's sum and count in the same commit (`domain.ratings`: the exact mean). The
technician's dispatch-index entry follows their profile's rating in that commit (`store.derived`). The due
reviews are read in pages behind a cursor, so a run finishes any number of them and a run cut short leaves
the rest for the next one, applying nothing twice; within a page, the reviews of different reviewees are
applied side by side (`WORKERS`).
"""

from __future__ import annotations

import contextvars
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import Any, TypeVar

from curbside.deps import Deps
from curbside.domain.documents import ClientReview, Review, WithheldComment
from curbside.domain.enums import NotificationType, PaymentStatus, RequestStatus, ReviewCategory
from curbside.domain.errors import LostRace, NotFound, WrongState
from curbside.domain.ratings import Tally, apply_date, today
from curbside.gateways.moderation import Verdict
from curbside.services import work
from curbside.services.accounts import require_usable_account
from curbside.services.job_moves import NOT_YOURS
from curbside.services.notifications import notify
from curbside.store import queries
from curbside.store.collections import collection_for
from curbside.store.engine import Cursor
from curbside.store.repositories import DocumentRepository, evolve
from curbside.store.transactions import retry_lost_races
from curbside.store.uow import UnitOfWork

PAGE = 200
WORKERS = 8
"""Reviews of different reviewees are applied side by side (their commits touch different documents); one
reviewee's reviews one after another, so they do not race for the same profile."""
RETRIES = 6
"""A review's commit is guarded by what it read (conditional style: no lock waits between overlapping runs or
reviews of one technician); it is re-read and tried again this often when another commit came first."""
CHANGED = "The review changed at the same moment; try again."
R = TypeVar("R", Review, ClientReview)


def moderate(deps: Deps, comment: str | None) -> Verdict | None:
    """Check a comment before the review's transaction (a vendor call never runs inside one); None: no comment."""
    return deps.moderation.check(comment) if comment else None


def public_comment(uow: UnitOfWork, review: R, comment: str | None, verdict: Verdict | None) -> R:
    """The review as stored: a flagged comment is kept from others (listed for admins in `WithheldComments`);
    the rating counts either way."""
    if comment is None or verdict is None or not verdict.flagged:
        return review
    uow.withheld_comments.create(WithheldComment(
        id=f"{collection_for(type(review))}:{review.request_id}", review_collection=collection_for(type(review)),
        request_id=review.request_id, reviewer_id=review.reviewer_id, reviewee_id=review.reviewee_id,
        comment=comment, categories=list(verdict.categories), checked_by=verdict.checked_by,
        created_date=uow.now))
    return evolve(review, comment=None, comment_withheld=True)


@dataclass(frozen=True)
class ClientReviewed:
    review_id: str
    apply_date: str


def review_client(deps: Deps, uid: str, request_id: str, rating: int, comment: str | None, *,
                  categories: tuple[ReviewCategory, ...]) -> ClientReviewed:
    """The job's technician rates the client once the job is completed; one review per job, applied tomorrow.
    `reviewer_name` and `verified_service` are the server's."""
    verdict = moderate(deps, comment)

    def review(uow: UnitOfWork) -> ClientReviewed:
        request = uow.requests.get(request_id)
        if request is None or request.dispatcher_id != uid:
            raise NotFound(NOT_YOURS)
        require_usable_account(uow, uid)
        if uow.client_reviews.get(request_id) is not None:
            raise WrongState("You have already reviewed the client of this job.")
        if request.status is not RequestStatus.COMPLETED:
            raise WrongState("You can review the client once the job is completed.")
        written = uow.client_reviews.create(public_comment(uow, ClientReview(
            id=request_id, request_id=request_id, reviewer_id=uid, reviewee_id=request.client_id,
            reviewer_name=request.dispatcher_name, verified_service=True, rating=rating, comment=comment or None,
            service_categories=list(dict.fromkeys(categories)),
            apply_date=apply_date(uow.now, uow.settings.default_time_zone), created_date=uow.now), comment, verdict))
        return ClientReviewed(written.id, written.apply_date)

    return work.transaction(deps, review, lost_race=CHANGED)


class Outcome(StrEnum):
    APPLIED = "applied"
    WAITING = "waiting"
    """The job's payment is disputed: the review waits for the dispute's end."""
    SKIPPED = "skipped"
    """Applied already (another run), or not due."""


@dataclass(frozen=True)
class Run:
    applied: int = 0
    waiting: int = 0


def apply_pending_reviews(deps: Deps, *, page: int = PAGE) -> Run:
    """Apply every review due today or earlier, of technicians and of clients (the daily job)."""
    due_by = today(deps.clock.now(), deps.settings.default_time_zone).isoformat()
    outcomes: list[Outcome] = []
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for about_client in (False, True):
            cursor: Cursor | None = None
            while True:
                found, cursor = work.reading(deps, partial(_page, about_client=about_client, due_by=due_by,
                                                           size=page, cursor=cursor))
                by_reviewee: dict[str, list[str]] = defaultdict(list)
                for review_id, reviewee in found:
                    by_reviewee[reviewee].append(review_id)

                def apply_all(ids: list[str], about_client: bool = about_client) -> list[Outcome]:
                    return [_apply_one(deps, review_id, about_client=about_client, due_by=due_by) for review_id in ids]

                # Each group runs in a copy of this thread's context, so a `work.metering()` around the run
                # counts it all.
                groups = [(contextvars.copy_context(), ids) for ids in by_reviewee.values()]
                for done in pool.map(lambda group: group[0].run(apply_all, group[1]), groups):
                    outcomes += done
                if cursor is None:
                    break
    return Run(outcomes.count(Outcome.APPLIED), outcomes.count(Outcome.WAITING))


def _repository(uow: UnitOfWork, about_client: bool) -> DocumentRepository[Any]:
    return uow.client_reviews if about_client else uow.reviews


def _page(uow: UnitOfWork, *, about_client: bool, due_by: str, size: int,
          cursor: Cursor | None) -> tuple[list[tuple[str, str]], Cursor | None]:
    """A page of due reviews, as (review id, reviewee)."""
    spec = queries.DUE_CLIENT_REVIEWS if about_client else queries.DUE_REVIEWS
    repository = _repository(uow, about_client)
    found = repository.find(spec, applied=False, due_by=due_by, limit=size, start_after=cursor)
    return ([(review.id, review.reviewee_id) for review in found],
            repository.cursor(found[-1]) if len(found) == size else None)


def _apply_one(deps: Deps, review_id: str, *, about_client: bool, due_by: str) -> Outcome:
    def decide(uow: UnitOfWork) -> Outcome:
        repository = _repository(uow, about_client)
        review = repository.get(review_id)
        if review is None or review.applied or review.apply_date > due_by:
            return Outcome.SKIPPED
        completion = uow.completions.get(review.request_id)
        if completion is not None and completion.payment_status is PaymentStatus.DISPUTED:
            return Outcome.WAITING
        (_rate_client if about_client else _rate_technician)(uow, review)
        repository.save(evolve(review, applied=True))
        notify(uow, user_id=review.reviewee_id, kind=NotificationType.REVIEW_RECEIVED, title="New review",
               body=f"You received a {review.rating}-star review.", request_id=review.request_id,
               data={"screen": "reviews"})
        return Outcome.APPLIED

    try:
        return retry_lost_races(lambda: work.conditional(deps, decide, lost_race=CHANGED), attempts=RETRIES)
    except LostRace:
        return Outcome.SKIPPED  # still due: the next run finds it again


def _rate_technician(uow: UnitOfWork, review: Review | ClientReview) -> None:
    profile = uow.dispatcher_profiles.get(review.reviewee_id)
    if profile is None:
        return  # no longer a technician: the review is kept, there is nothing to rate
    tally = Tally.of(profile.rating, profile.total_reviews, profile.rating_sum).plus(review.rating)
    uow.dispatcher_profiles.save(evolve(profile, rating=tally.mean, rating_sum=tally.total,
                                        total_reviews=tally.count, updated_date=uow.now))


def _rate_client(uow: UnitOfWork, review: Review | ClientReview) -> None:
    profile = uow.client_profiles.get(review.reviewee_id)
    if profile is None:
        return
    tally = Tally.of(profile.client_rating, profile.client_reviews_count, profile.client_rating_sum) \
        .plus(review.rating)
    uow.client_profiles.save(evolve(profile, client_rating=tally.mean, client_rating_sum=tally.total,
                                    client_reviews_count=tally.count, updated_date=uow.now))
