"""The demo day's onboarding (spec section 11): a brand-new technician uploads documents and submits the three
verification steps, an admin works the review queue, the local provider clears the background check."""

from __future__ import annotations

from typing import Any

from devstack import verification_flow
from devstack.demo_kit import GEORGE_ST, Demo, Person, Step, StepFailed, only_if, wait


def gets_verified(person: Person, admin: str) -> list[Step]:
    """Section 11: a brand-new technician uploads their documents and submits the three steps; an admin works
    the review queue and approves identity and vehicle; the stack's local provider clears the background check
    through its signed webhook, which completes the verification."""
    uid = person.uid
    paths: dict[str, Any] = {}

    def uploads(demo: Demo) -> str:
        paths.update(verification_flow.upload_documents(demo.stack, uid))
        return f"uploaded a passport, a licence, registration and insurance, and 4 photos of the van under users/{uid}/"

    def submits(demo: Demo) -> str:
        today = demo.stack.clock.now().date()
        answers = [demo.call(uid, "submit_verification_step", data) for data in (
            verification_flow.identity_step(paths), verification_flow.vehicle_step(paths, today),
            verification_flow.CONSENT)]
        return "submit_verification_step identity, vehicle, background_check -> " + ", ".join(
            answer["step_status"] for answer in answers)

    def reviews(demo: Demo) -> str:
        queue = demo.call(admin, "admin_list_verification_queue", {}, admin=True)
        if uid not in [row["dispatcher_id"] for row in queue["technicians"]]:
            raise StepFailed(f"{uid} is not in the review queue: {queue}")
        file = demo.call(admin, "admin_get_verification", {"dispatcher_id": uid}, admin=True)
        decisions = [demo.call(admin, "admin_review_verification", verification_flow.review(uid, step), admin=True)
                     for step in ("identity", "vehicle")]
        return (f"admin_list_verification_queue -> {queue['waiting']} waiting; {len(file['documents'])} documents "
                f"as 15-minute links; identity and vehicle approved -> {decisions[-1]['verification_status']}")

    def cleared(demo: Demo) -> str:
        demo.await_run("background_check_webhook", "POST /")
        profile = wait(lambda: only_if(demo.read(uid, f"DispatcherProfiles/{uid}"),
                                    lambda p: p["verification_status"] == "verified"), f"{uid} verified")
        return (f"the local provider's signed report.completed (clear) approved the background check; {uid}'s app "
                f"reads verification_status {profile['verification_status']}")

    def goes_online(demo: Demo) -> str:
        demo.call(uid, "set_availability", {"online": True})
        now = demo.stack.clock.now().isoformat().replace("+00:00", "Z")
        fix = demo.call(uid, "update_location", {"lat": GEORGE_ST[0], "lng": GEORGE_ST[1], "accuracy_m": 6.0,
                                                 "recorded_at": now})
        return f"set_availability online; update_location at George St -> accepted {fix['accepted']}"

    return [Step(uid, "uploads his verification documents", uploads),
            Step(uid, "submits the three verification steps", submits),
            Step("admin", "reviews and approves identity and vehicle", reviews),
            Step("backend", "hears the background check clear", cleared),
            Step(uid, "goes online for his first job", goes_online)]
