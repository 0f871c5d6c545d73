"""The demo's scheduled bookings (issue 21 item 2): the client asks for the week's free slots near George St,
books the first one with their redeemed reward — reserved in a nearby technician's calendar in the same commit —
and then cancels it, which gives the technician's hour back (the update trigger). At the day's end they book a
free hour again and keep it: the clock moves to the day before, the job falls due and is offered to the
technician whose calendar holds it, who does it with a part from his van; the tax invoice's PDF lands in the
client's folder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from devstack.demo_kit import GEORGE_ST, Demo, Person, Step, StepFailed, wait
from devstack.demo_paperwork import gets_a_tax_invoice, stocks_the_van

SYDNEY = ZoneInfo("Australia/Sydney")
ACTIVATION_RUNS = dt.timedelta(minutes=5)
"""`activate_scheduled_jobs` runs every 5 minutes, on the clock's :00, :05, :10..."""


def books_a_free_slot_and_cancels(person: Person, job: dict[str, Any], photo: str) -> list[Step]:
    """Two steps; `job["redemption"]` is the reward the client redeemed earlier in the demo."""

    def books_for_later(demo: Demo) -> str:
        free, chosen, result, reserved = book_first_free_slot(demo, person, photo, {
            "reward_redemption_id": job["redemption"]})
        job["later"], job["reserved"] = result["request_id"], reserved
        discount = result["breakdown"]["reward_discount"]
        return (f"list_available_slots -> {len(free)} free slots in the week; create_request "
                f"({chosen['scheduled_date']} {chosen['scheduled_time']}, the first) -> {result['status']}, "
                f"{result['final_price']:.2f} with 15% off and the redeemed reward's {discount:.2f} off; "
                f"{reserved}'s calendar holds the hour")

    def cancels(demo: Demo) -> str:
        result = demo.call(person.uid, "cancel_request", {"request_id": job["later"], "reason": "Fixed it myself"})
        demo.await_run("on_request_updated", f"ServiceRequests/{job['later']}")
        held = demo.read(job["reserved"], f"TechnicianCalendars/{job['reserved']}")["reservations"]
        if job["later"] in [entry["request_id"] for entry in held]:
            raise StepFailed(f"{job['reserved']}'s calendar still holds the cancelled {job['later']}")
        return (f"cancel_request -> {result['status']}, refund {result['refund_amount']:.2f} {result['currency']}; "
                "the technician's hour is free again")

    return [Step(person.uid, "books a free slot for later with the reward", books_for_later),
            Step(person.uid, "cancels the booking for later", cancels)]


def book_first_free_slot(demo: Demo, person: Person, photo: str, extra: dict[str, Any]
                         ) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any], str]:
    """List the free 60-minute slots near George St two to eight days ahead and book the first; returns the
    slots, the one chosen, `create_request`'s answer and the technician whose calendar now holds the hour."""
    now = demo.stack.clock.now()
    week = [(now + dt.timedelta(days=n)).astimezone(SYDNEY).date().isoformat() for n in (2, 8)]
    free = demo.call(person.uid, "list_available_slots", {
        "lat": GEORGE_ST[0], "lng": GEORGE_ST[1], "from_date": week[0], "to_date": week[1],
        "time_zone": "Australia/Sydney", "estimated_duration_minutes": 60})["slots"]
    if not free:
        raise StepFailed(f"list_available_slots found no free slot near George St from {week[0]} to {week[1]}")
    chosen = free[0]
    result = demo.call(person.uid, "create_request", {
        "car_model": "Mazda 3", "license_plate": "ABC-123", "location_address": "1 George St, Sydney",
        "location_lat": GEORGE_ST[0], "location_lng": GEORGE_ST[1], "car_location_images": [photo],
        "is_scheduled": True, "scheduled_date": chosen["scheduled_date"], "scheduled_time": chosen["scheduled_time"],
        "time_zone": "Australia/Sydney", "estimated_duration_minutes": 60, **extra})
    demo.counts["jobs created"] += 1
    booked = demo.stack.admin_db().document(f"ServiceRequests/{result['request_id']}").get()
    reserved = str(booked.get("reserved_dispatcher_id"))
    held = demo.read(reserved, f"TechnicianCalendars/{reserved}")["reservations"]
    if result["request_id"] not in [entry["request_id"] for entry in held]:
        raise StepFailed(f"{reserved}'s calendar does not hold {result['request_id']}")
    return free, chosen, result, reserved


def does_a_booked_job(person: Person, photo: str, complete: Callable[[dict[str, Any]], Step]) -> list[Step]:
    """The day's last steps: a kept booking done on its day. `complete(job)` is the day's completion step
    (photos, `complete_job`, the capture) for a job of `person`."""
    booked: dict[str, Any] = {}

    def books(demo: Demo) -> str:
        free, chosen, result, reserved = book_first_free_slot(demo, person, photo, {})
        booked.update(id=result["request_id"], technician=reserved)
        return (f"list_available_slots -> {len(free)} free slots; create_request ({chosen['scheduled_date']} "
                f"{chosen['scheduled_time']}) -> {result['status']}, {result['final_price']:.2f}; {reserved}'s "
                "calendar holds the hour")

    def falls_due_and_is_offered(demo: Demo) -> str:
        job = demo.stack.admin_db().document(f"ServiceRequests/{booked['id']}").get().to_dict() or {}
        due: dt.datetime = job["becomes_available_at"]
        # just before it falls due, the technician's app reports where he is (a fix counts for 10 minutes)...
        demo.advance_to(due - dt.timedelta(minutes=2))
        demo.call(booked["technician"], "update_location", {
            "lat": GEORGE_ST[0] + 0.01, "lng": GEORGE_ST[1], "accuracy_m": 8.0,
            "recorded_at": demo.stack.clock.now().isoformat().replace("+00:00", "Z")})
        # ...then the clock passes the first run of the activation at or after the moment it falls due
        run = dt.datetime.fromtimestamp(-(-due.timestamp() // ACTIVATION_RUNS.total_seconds())
                                        * ACTIVATION_RUNS.total_seconds(), dt.UTC)
        demo.advance_to(run + dt.timedelta(seconds=5))
        offers = demo.stack.admin_db().document(f"JobOffers/{booked['id']}:1")
        offer = wait(lambda: offers.get().to_dict(), f"the offer of the booked {booked['id']}", timeout=60)
        if offer["dispatcher_id"] != booked["technician"]:
            raise StepFailed(f"the booked job was offered to {offer['dispatcher_id']}, not to {booked['technician']} "
                             "whose calendar holds it")
        accepted = demo.call(booked["technician"], "accept_offer", {"offer_id": f"{booked['id']}:1"})
        demo.counts["jobs offered"] += 1
        demo.counts["jobs accepted"] += 1
        return (f"the clock moves to {run.astimezone(SYDNEY):%a %d %b %H:%M} (Sydney), a day before the slot; "
                f"activate_scheduled_jobs -> pending; offered first to {booked['technician']}, whose calendar "
                f"holds it -> {accepted['status']}")

    def drives_over_and_starts(demo: Demo) -> str:
        job = demo.stack.admin_db().document(f"ServiceRequests/{booked['id']}").get().to_dict() or {}
        demo.advance_to(job["scheduled_datetime"] - dt.timedelta(minutes=30))
        seen = [demo.call(booked["technician"], "update_job_status", {
            "request_id": booked["id"], "status": status, "lat": GEORGE_ST[0], "lng": GEORGE_ST[1]})["status"]
            for status in ("en_route", "arrived", "in_progress")]
        return (f"the clock moves to half an hour before the slot; update_job_status {' -> '.join(seen)}")

    return [Step(person.uid, "books a free hour and keeps it", books),
            Step("backend", "activates the booked job on the day before", falls_due_and_is_offered),
            Step("tech", "drives over on the booked day", drives_over_and_starts),
            stocks_the_van(booked), complete(booked), gets_a_tax_invoice(person, booked)]
