"""The unit of work on the emulator: reads before writes, lifecycle tables enforced on every write, the
conditional style's guard, and the outbox written in the decision's own commit."""

from __future__ import annotations

import datetime as dt

import pytest

from curbside.domain.enums import EffectStatus, PayoutStatus, RequestStatus
from curbside.domain.errors import NotAllowed, WrongState
from curbside.domain.lifecycle import Actor
from curbside.services import work
from curbside.store import queries
from curbside.store.engine import Conflict, ReadAfterWrite
from curbside.store.repositories import evolve
from tests.factories import make_job_payment, make_service_request, make_user, put
from tests.request_world import everything

pytestmark = pytest.mark.emulator


def test_a_read_after_a_staged_write_is_refused_and_nothing_is_written(db, deps):
    put(db, make_service_request(id="job-1", status=RequestStatus.PENDING))
    before = everything(db)

    def decide(uow) -> None:
        job = uow.requests.get("job-1")
        uow.requests.save(evolve(job, notes="changed"))
        uow.users.get("someone")

    with pytest.raises(ReadAfterWrite):
        work.transaction(deps, decide)
    assert everything(db) == before


@pytest.mark.parametrize("style", [work.transaction, work.conditional])
def test_a_status_change_the_table_does_not_list_is_refused_whoever_writes_it(db, deps, style):
    put(db, make_job_payment(id="job-1", request_id="job-1", payout_status=PayoutStatus.HELD))
    before = everything(db)

    def decide(uow) -> None:
        payment = uow.payments.get("job-1")
        payment.payout_status = PayoutStatus.PAID  # held money cannot be paid without its release
        uow.payments.save(payment)

    with pytest.raises(WrongState, match="held cannot become paid"):
        style(deps, decide)
    assert everything(db) == before


def test_a_move_names_its_actor(db, deps):
    put(db, make_service_request(id="job-1", status=RequestStatus.PENDING))

    def decide(uow) -> None:
        uow.requests.move(uow.requests.get("job-1"), RequestStatus.ACCEPTED, Actor.CLIENT)

    with pytest.raises(NotAllowed, match="client of a job cannot move it from pending to accepted"):
        work.transaction(deps, decide)


def test_an_update_sends_only_the_fields_that_changed(db, deps):
    put(db, make_service_request(id="job-1", status=RequestStatus.PENDING, notes="first"))
    sent: dict[str, object] = {}

    def decide(uow) -> None:
        uow.requests.save(evolve(uow.requests.get("job-1"), dispatcher_name="Sam"))
        write = uow.staged(uow.requests.path("job-1"))
        sent.update(write.fields if write is not None else {})

    work.conditional(deps, decide)

    assert sent == {"dispatcher_name": "Sam"}
    assert (db.document("ServiceRequests/job-1").get().to_dict() or {})["dispatcher_name"] == "Sam"


def test_a_conditional_commit_over_a_changed_document_writes_nothing(db, deps):
    put(db, make_service_request(id="job-1", status=RequestStatus.PENDING))
    put(db, make_service_request(id="job-2", status=RequestStatus.PENDING))

    def decide(uow) -> None:
        first, second = uow.requests.get("job-1"), uow.requests.get("job-2")
        db.document("ServiceRequests/job-2").update({"notes": "someone else"})
        uow.requests.save(evolve(first, notes="mine"))
        uow.requests.save(evolve(second, notes="mine"))

    with pytest.raises(Conflict):
        work.conditional(deps, decide)
    assert (db.document("ServiceRequests/job-1").get().to_dict() or {})["notes"] != "mine"


def test_a_page_read_earlier_guards_a_later_commit_that_does_not_read_it_again(db, deps):
    """`as_read`: a later conditional unit of work writes what a page read, billed no read, and fails whole if
    the document changed since the page was read."""
    put(db, make_service_request(id="job-1", status=RequestStatus.PENDING))
    put(db, make_service_request(id="job-2", status=RequestStatus.PENDING))
    seen = work.reading(deps, lambda uow: [uow.requests.cursor(job) for job in uow.requests.find(
        queries.JOBS_BY_STATUS, status=RequestStatus.PENDING)])

    def decide(uow, path: str) -> int:
        for handle in seen:
            if handle.path == path:
                uow.requests.save(evolve(uow.requests.as_read(handle), notes="mine"))
        return int(uow.reads)

    assert work.conditional(deps, lambda uow: decide(uow, "ServiceRequests/job-1")) == 0
    db.document("ServiceRequests/job-2").update({"notes": "someone else"})
    with pytest.raises(Conflict):
        work.conditional(deps, lambda uow: decide(uow, "ServiceRequests/job-2"))
    assert [(db.document(f"ServiceRequests/{job}").get().to_dict() or {})["notes"] for job in ("job-1", "job-2")] \
        == ["mine", "someone else"]
    with pytest.raises(RuntimeError, match="only a conditional"):
        work.transaction(deps, lambda uow: uow.requests.as_read(seen[0]))


def test_an_outbox_entry_is_written_in_the_decisions_commit_and_kept_on_a_replay(db, deps):
    put(db, make_service_request(id="job-1", status=RequestStatus.PENDING))

    def decide(uow) -> None:
        job = uow.requests.get("job-1")
        uow.requests.save(evolve(job, notes="decided"))
        uow.outbox.add("no_such_call", "job-1", request_id="job-1")

    work.transaction(deps, decide)

    job_snap, entry_snap = db.document("ServiceRequests/job-1").get(), db.document("Outbox/no_such_call:job-1").get()
    assert job_snap.update_time == entry_snap.create_time, "one commit"
    entry = entry_snap.to_dict() or {}
    assert (entry["status"], entry["attempts"]) == (EffectStatus.PENDING, 1), "tried at once: no handler"
    assert entry["last_error"].startswith("LookupError")
    deps.clock.advance(dt.timedelta(minutes=1))

    work.transaction(deps, decide)  # asked again while still pending: the same entry, untouched

    assert (db.document("Outbox/no_such_call:job-1").get().to_dict() or {})["attempts"] == 1


def test_a_failed_decision_records_no_vendor_call(db, deps):
    def decide(uow) -> None:
        uow.outbox.add("capture", "job-1", request_id="job-1")
        raise WrongState("changed my mind")

    with pytest.raises(WrongState):
        work.transaction(deps, decide)
    assert not db.document("Outbox/capture:job-1").get().exists


@pytest.mark.parametrize("order", ["increment first", "save first"])
def test_an_increment_rides_on_a_save_of_the_same_document_in_either_order(db, deps, order):
    # given a user whose record is changed and counted in one commit (a verified phone and its notice)
    put(db, make_user(id="person-1", unread_notifications=2))

    def decide(uow) -> None:
        user = uow.users.get("person-1")
        if order == "increment first":
            uow.users.increment("person-1", unread_notifications=1)
        uow.users.save(evolve(user, phone_verified=True))
        if order == "save first":
            uow.users.increment("person-1", unread_notifications=1)

    # when it commits in the guarded style
    work.conditional(deps, decide)

    # then both the change and the increment landed
    stored = db.document("Users/person-1").get().to_dict() or {}
    assert (stored["phone_verified"], stored["unread_notifications"]) == (True, 3)


def test_an_increment_alone_adds_without_reading_and_a_whole_document_set_refuses_it(db, deps):
    put(db, make_user(id="person-1", unread_notifications=2))
    work.conditional(deps, lambda uow: uow.users.increment("person-1", unread_notifications=-2))
    assert (db.document("Users/person-1").get().to_dict() or {})["unread_notifications"] == 0

    def set_after_increment(uow) -> None:
        uow.users.increment("person-1", unread_notifications=1)
        uow.users.put(make_user(id="person-1"))

    with pytest.raises(RuntimeError, match="whole-document set"):
        work.conditional(deps, set_after_increment)


def test_several_documents_are_read_in_one_go_in_order_and_billed_one_read_each(db, deps):
    put(db, make_job_payment(id="job-1", request_id="job-1"))
    put(db, make_job_payment(id="job-3", request_id="job-3"))

    def look(uow):
        found = uow.payments.get_many(["job-3", "job-2", "job-1"])
        again = uow.payments.get("job-1")  # already read: answered from what the unit of work holds
        return [p.id if p else None for p in found], again.id if again else None, uow.reads

    with work.metering() as meter:
        ids, again, reads = work.reading(deps, look)

    assert (ids, again, reads) == (["job-3", None, "job-1"], "job-1", 3)
    assert meter.reads == 3
