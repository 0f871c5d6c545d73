"""Reviews that count (spec section 6): the technician's review of the client, and the daily job that applies
every due review — both directions — to the reviewee's profile.

Reviews are written with `applied: false` and tomorrow's `apply_date` (no instant retaliation; time for a
dispute). `apply_pending_reviews` reads the due reviews in pages behind a cursor, ordered so that one
reviewee's reviews come together, and checks which of the page's jobs are disputed with one `in` query per 30
(those reviews wait: a later run applies them once the dispute ends). Each reviewee's other reviews of the page
are applied in one conditional commit that flips their `applied`, folds their ratings into the profile's sum
and count (`domain.ratings`: the exact mean), moves the technician's dispatch-index entry with it
(`store.derived`), writes each review of a technician to `PublicReviews` (their public profile's list, without
the reviewer's uid) and writes one `review_received` notice. That commit writes the reviews as the page read
them, without reading them again: it is guarded by their versions, so if another run applied one meanwhile it
fails whole, and is tried again on fresh reads, which skip what is applied. So overlapping or repeated runs
count each review once, and a run cut short leaves the rest for the next one, applying nothing twice.
Reviewees' commits run side by side (`WORKERS`). Cost: docs/benchmarks.md, "Applying reviews".
"""

from __future__ import annotations

import contextvars
import itertools
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from curbside.deps import Deps
from curbside.domain.documents import ClientReview, PublicReview, Review, WithheldComment
from curbside.domain.enums import NotificationType, PaymentStatus, RequestStatus, ReviewCategory
from curbside.domain.errors import LostRace, NotFound, WrongState
from curbside.domain.ratings import Tally, apply_date, today
from curbside.domain.texts import t
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
"""Reviews per page. A reviewee's reviews of a page are one commit: at most 2 x PAGE + 3 writes (the reviews,
their public copies, the profile, the index entry, the notice), under Firestore's 500 per commit."""
WORKERS = 8
"""Different reviewees' commits are made side by side (they touch different documents)."""
RETRIES = 6
"""A commit is guarded by what it read (conditional style: no lock waits between overlapping runs); its
reviews and profile are read again and it is tried again this often when another commit came first."""
DISPUTE_CHECK = 30
"""Jobs per dispute-check query (Firestore's limit of values in one `in` filter)."""
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


@dataclass(frozen=True)
class Run:
    applied: int = 0
    waiting: int = 0
    """Due reviews of disputed jobs: they wait for the dispute's end."""


@dataclass(frozen=True)
class _Due:
    """A due review as its page read it."""

    seen: Cursor
    review_id: str
    request_id: str
    reviewee_id: str


def apply_pending_reviews(deps: Deps, *, page: int = PAGE) -> Run:
    """Apply every review due today or earlier, of technicians and of clients (the daily job)."""
    due_by = today(deps.clock.now(), deps.settings.default_time_zone).isoformat()
    applied = waiting = 0
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for about_client in (False, True):
            cursor: Cursor | None = None
            while True:
                found, disputed, cursor = work.reading(deps, partial(
                    _page, about_client=about_client, due_by=due_by, size=page, cursor=cursor))
                by_reviewee: dict[str, list[_Due]] = defaultdict(list)
                for due in found:
                    if due.request_id not in disputed:
                        by_reviewee[due.reviewee_id].append(due)
                waiting += sum(due.request_id in disputed for due in found)
                apply = partial(_apply_reviewees_reviews, deps, about_client=about_client, due_by=due_by)
                # Each group runs in a copy of this thread's context, so a `work.metering()` around the run
                # counts it all.
                groups = [(contextvars.copy_context(), dues) for dues in by_reviewee.values()]
                applied += sum(pool.map(lambda group, apply=apply: group[0].run(apply, group[1]), groups))
                if cursor is None:
                    break
    return Run(applied, waiting)


def _repository(uow: UnitOfWork, about_client: bool) -> DocumentRepository[Any]:
    return uow.client_reviews if about_client else uow.reviews


def _page(uow: UnitOfWork, *, about_client: bool, due_by: str, size: int,
          cursor: Cursor | None) -> tuple[list[_Due], set[str], Cursor | None]:
    """A page of due reviews, the jobs among theirs whose payment is disputed, and where the next page starts."""
    spec = queries.DUE_CLIENT_REVIEWS if about_client else queries.DUE_REVIEWS
    repository = _repository(uow, about_client)
    found = repository.find(spec, applied=False, due_by=due_by, limit=size, start_after=cursor)
    jobs = sorted({review.request_id for review in found})
    disputed: set[str] = set()
    for start in range(0, len(jobs), DISPUTE_CHECK):
        disputed |= {completion.request_id for completion in uow.completions.find(
            queries.DISPUTED_COMPLETIONS_OF_JOBS, request_ids=jobs[start:start + DISPUTE_CHECK],
            payment_status=PaymentStatus.DISPUTED)}
    return ([_Due(repository.cursor(review), review.id, review.request_id, review.reviewee_id) for review in found],
            disputed, repository.cursor(found[-1]) if len(found) == size else None)


def _apply_reviewees_reviews(deps: Deps, dues: list[_Due], *, about_client: bool, due_by: str) -> int:
    """Apply one reviewee's due reviews of a page in one commit; returns how many this run applied."""

    def decide(uow: UnitOfWork, *, again: bool) -> int:
        repository = _repository(uow, about_client)
        found = [repository.get(due.review_id) if again else repository.as_read(due.seen) for due in dues]
        reviews = [review for review in found if review is not None and not review.applied
                   and review.apply_date <= due_by]
        if not reviews:
            return 0
        (_rate_client if about_client else _rate_technician)(uow, dues[0].reviewee_id,
                                                             [review.rating for review in reviews])
        for review in reviews:
            repository.save(evolve(review, applied=True))
            if not about_client:
                uow.public_reviews.put(PublicReview(
                    id=review.id, dispatcher_id=review.reviewee_id, rating=review.rating, comment=review.comment,
                    comment_withheld=review.comment_withheld, created_date=review.created_date,
                    applied_date=due_by))
        _tell(uow, dues[0].reviewee_id, reviews)
        return len(reviews)

    attempts = itertools.count()

    def attempt() -> int:
        # First as the page read the reviews (no read billed; the commit fails if one changed since), then,
        # after another commit came first, read again.
        return work.conditional(deps, partial(decide, again=next(attempts) > 0), lost_race=CHANGED)

    try:
        return retry_lost_races(attempt, attempts=RETRIES)
    except LostRace:
        return 0  # still due: the next run finds them again


def _tell(uow: UnitOfWork, reviewee_id: str, reviews: list[Any]) -> None:
    """One `review_received` notice per commit, keyed by its first review: a commit that lands applies its
    reviews once, so no review is announced twice, and a busy technician gets one notice, not a dozen."""
    first = reviews[0]
    body = (t("You received a {stars}-star review.", stars=first.rating) if len(reviews) == 1
            else t("You received {count} new reviews.", count=len(reviews)))
    notify(uow, user_id=reviewee_id, kind=NotificationType.REVIEW_RECEIVED, title=t("New review"), body=body,
           request_id=first.request_id if len(reviews) == 1 else None, key=first.request_id,
           data={"screen": "reviews"})


def _rate_technician(uow: UnitOfWork, uid: str, ratings: list[int]) -> None:
    profile = uow.dispatcher_profiles.get(uid)
    if profile is None:
        return  # no longer a technician: the reviews are kept, there is nothing to rate
    tally = _folded(Tally.of(profile.rating, profile.total_reviews, profile.rating_sum), ratings)
    uow.dispatcher_profiles.save(evolve(profile, rating=tally.mean, rating_sum=tally.total,
                                        total_reviews=tally.count, updated_date=uow.now))


def _rate_client(uow: UnitOfWork, uid: str, ratings: list[int]) -> None:
    profile = uow.client_profiles.get(uid)
    if profile is None:
        return
    tally = _folded(Tally.of(profile.client_rating, profile.client_reviews_count, profile.client_rating_sum),
                    ratings)
    uow.client_profiles.save(evolve(profile, client_rating=tally.mean, client_rating_sum=tally.total,
                                    client_reviews_count=tally.count, updated_date=uow.now))


def _folded(tally: Tally, ratings: list[int]) -> Tally:
    for stars in ratings:
        tally = tally.plus(stars)
    return tally
