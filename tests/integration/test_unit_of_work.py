"""The unit of work on the emulator: reads before writes, lifecycle tables enforced on every write, the
conditional style's guard, and the outbox written in the decision's own commit."""

from __future__ import annotations

import datetime as dt

import pytest

from curbside.domain.enums import EffectStatus, PayoutStatus, RequestStatus
from curbside.domain.errors import NotAllowed, WrongState
from curbside.domain.lifecycle import Actor
from curbside.services import work
from curbside.store.engine import Conflict, ReadAfterWrite
from curbside.store.repositories import evolve
from tests.factories import make_job_payment, make_service_request, put
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
