"""The demo's scheduled booking (issue 21 item 2): the client asks for the week's free slots near George St,
books the first one with their redeemed reward — reserved in a nearby technician's calendar in the same commit —
and then cancels it, which gives the technician's hour back (the update trigger)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from devstack.demo_kit import GEORGE_ST, Demo, Person, Step, StepFailed

SYDNEY = ZoneInfo("Australia/Sydney")


def books_a_free_slot_and_cancels(person: Person, job: dict[str, Any], photo: str) -> list[Step]:
    """Two steps; `job["redemption"]` is the reward the client redeemed earlier in the demo."""

    def books_for_later(demo: Demo) -> str:
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
            "is_scheduled": True, "scheduled_date": chosen["scheduled_date"],
            "scheduled_time": chosen["scheduled_time"], "time_zone": "Australia/Sydney",
            "reward_redemption_id": job["redemption"], "estimated_duration_minutes": 60})
        job["later"] = result["request_id"]
        demo.counts["jobs created"] += 1
        booked = demo.stack.admin_db().document(f"ServiceRequests/{job['later']}").get()
        reserved = booked.get("reserved_dispatcher_id")
        held = demo.read(reserved, f"TechnicianCalendars/{reserved}")["reservations"]
        if job["later"] not in [entry["request_id"] for entry in held]:
            raise StepFailed(f"{reserved}'s calendar does not hold {job['later']}")
        job["reserved"] = reserved
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
