"""The scripted demo day, driven through the public interface only.

Every step acts as a real app would: Firestore REST with the user's ID token (so `firestore.rules`
decide), callables over HTTP with the callable protocol. Background work (triggers, schedules, tasks) is
never called directly; the demo waits for the stack's activity log to show it ran, then looks at its
effect the way the app would. The timeline interleaves both, and the summary counts what happened.

The day is a list of `Step`s: a feature adds its steps to `DAY` (and a test that covers them).
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any, TextIO

from devstack import payments_flow
from devstack.demo_calendars import books_a_free_slot_and_cancels, does_a_booked_job
from devstack.demo_disputes import disputes_and_support
from devstack.demo_kit import GEORGE_ST, Demo, Person, Step, StepFailed, only_if, wait
from devstack.demo_leads import books_from_messenger
from devstack.demo_loyalty import earns_and_redeems, rating_moves_overnight
from devstack.demo_notices import chat_during_the_job, verifies_phone_and_opts_into_email
from devstack.demo_paperwork import gets_a_tax_invoice, sets_up_the_catalogue, stocks_the_van
from devstack.demo_quotes import books_from_a_photo_quote
from devstack.demo_verification import gets_verified
from devstack.firestore_rest import SERVER_TIMESTAMP
from devstack.loader import Kind
from devstack.stack import LocalStack

JOB_COUNTERS = ("jobs created", "jobs offered", "jobs accepted", "jobs completed")


def signs_up(person: Person) -> list[Step]:
    """Onboarding as the apps do it: create the own Users document, let the trigger complete it, pick a
    role, register the phone for push."""

    def create_account(demo: Demo) -> str:
        demo.write(person.uid, f"Users/{person.uid}", {
            "uid": person.uid, "email": person.email, "full_name": person.full_name,
            "display_name": person.full_name.split()[0], "created_time": SERVER_TIMESTAMP})
        demo.counts["people signed up"] += 1
        return f"the app created Users/{person.uid} under the rules"

    def defaults_filled(demo: Demo) -> str:
        demo.await_run("on_user_created", f"Users/{person.uid}")
        user = demo.read(person.uid, f"Users/{person.uid}")
        missing = [name for name in ("id", "fcm_tokens", "onboarding_completed") if name not in user]
        if missing:
            raise StepFailed(f"Users/{person.uid} still lacks {', '.join(missing)}")
        return f"on_user_created completed Users/{person.uid} (onboarding_completed={user['onboarding_completed']})"

    def picks_role(demo: Demo) -> str:
        result = demo.call(person.uid, "set_user_type", {"user_type": person.user_type})
        return f"set_user_type -> {result}"

    def registers_phone(demo: Demo) -> str:
        token = f"demo-{person.uid}-fcm-token-0123456789"
        result = demo.call(person.uid, "register_device", {"fcm_token": token, "platform": person.platform})
        return f"register_device ({person.platform}) -> {result}"

    who = person.uid
    return [Step(who, "signs up", create_account), Step("backend", "fills the new account", defaults_filled),
            Step(who, f"chooses to be a {person.user_type}", picks_role),
            Step(who, "allows push notifications", registers_phone)]


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(256)


def pays_by_card(person: Person, job: dict[str, Any]) -> dict[str, Step]:
    """Section 5 against the stack's local Stripe: the client saves a card (held on acceptance), the technician
    sets up payouts, completes the job with four photos (the capture), the client's review releases the money
    and the technician is paid. `job` is shared with `requests_a_job` (its id and technician)."""

    def saves_card(demo: Demo) -> str:
        customer = demo.call(person.uid, "setup_payment_method", {})["customer_id"]
        card = payments_flow.attach_test_card(demo.stack, customer)
        # localstripe emits no payment_method.attached: send the signed event Stripe would send
        status = payments_flow.deliver_event(demo.stack, "payment_method.attached", card)
        private = payments_flow.private_path("ClientProfiles", person.uid)
        wait(lambda: (demo.stack.admin_db().document(private).get().to_dict() or {}).get("payment_method")
              == card["id"], "the saved card on the client's profile")
        return (f"setup_payment_method -> {customer}; card {card['card']['brand']} *{card['card']['last4']} "
                f"attached on localstripe; signed payment_method.attached -> webhook {status}")

    def sets_up_payouts(demo: Demo) -> str:
        technician = job["technician"]
        link = demo.call(technician, "create_payout_account", {
            "return_url": payments_flow.RETURN_URL, "refresh_url": payments_flow.REFRESH_URL})
        private = demo.stack.admin_db().document(payments_flow.private_path("DispatcherProfiles", technician))
        account = (private.get().to_dict() or {})["stripe_account_id"]
        job["account"] = account
        demo.stack.stripe.post(f"/_curbside/accounts/{account}/complete_onboarding", {})
        wait(lambda: (private.get().to_dict() or {}).get("payouts_enabled") is True,
              "payouts_enabled from localstripe's account.updated")
        return (f"create_payout_account -> {account} (onboarding {link['onboarding_url'][:40]}...); "
                "onboarding completed, localstripe's account.updated enabled payouts")

    def completes(demo: Demo) -> str:
        technician = job["technician"]
        photos = payments_flow.upload_completion_photos(demo.stack, technician, job["id"])
        result = demo.call(technician, "complete_job", {
            "request_id": job["id"], "completion_images": photos, "lat": GEORGE_ST[0], "lng": GEORGE_ST[1],
            "parts_used": job.get("parts_used", [])})
        demo.counts["jobs completed"] += 1
        payment = demo.stack.admin_db().document(f"JobPayments/{job['id']}")
        wait(lambda: (payment.get().to_dict() or {}).get("captured_minor"), "the captured payment")
        return f"uploaded {len(photos)} photos; complete_job -> {result}"

    def reviews(demo: Demo) -> str:
        result = demo.call(person.uid, "review_dispatcher", {"request_id": job["id"], "rating": 5})
        return f"review_dispatcher (5 stars) -> {result}"

    def pays_technician(demo: Demo) -> str:
        db = demo.stack.admin_db()
        payment_ref = db.document(f"JobPayments/{job['id']}")
        payment = wait(lambda: only_if((payment_ref.get().to_dict() or {}), lambda p: p.get("payout_status") == "paid"),
                        f"payout_status paid on JobPayments/{job['id']}")
        earnings = db.document(f"DispatcherEarnings/{job['technician']}").get().to_dict() or {}
        left, right = payments_flow.ledger_balance(demo.stack, job["id"])
        if left != right:
            raise StepFailed(f"ledger out of balance for {job['id']}: {left} != {right}")
        return (f"JobPayments/{job['id']}: payout_status {payment['payout_status']}, captured "
                f"{payment['captured_minor']}, fee {payment['fee_minor']}, paid out {payment['paid_out_minor']} "
                f"(minor units, {payment['currency']}); DispatcherEarnings/{job['technician']}: completed "
                f"{earnings.get('completed_payments')}, pending {earnings.get('pending_payments')}; ledger balanced")

    who = person.uid
    return {"card": Step(who, "saves a card", saves_card),
            "payouts": Step("tech", "sets up payouts", sets_up_payouts),
            "complete": Step("tech", "completes the job", completes),
            "review": Step(who, "reviews the technician", reviews),
            "paid": Step("backend", "pays the technician", pays_technician)}


def requests_a_job(person: Person, newcomer: Person, job: dict[str, Any]) -> list[Step]:
    """Sections 2-3: photo upload, a quote, a request, the hand-over to dispatch, the best technician — the
    `newcomer` who just got verified, closest and best rated — accepting the 60-second offer, the two chatting
    and the technician working through the job, a scheduled booking into a free slot of the week (reserved in a
    technician's calendar) and its cancellation (which gives the hour back)."""
    photo = f"users/{person.uid}/car_photos/front.jpg"

    def uploads_photo(demo: Demo) -> str:
        demo.stack.upload(photo, JPEG, content_type="image/jpeg")
        return f"uploaded {photo}"

    def asks_price(demo: Demo) -> str:
        quote = demo.call(person.uid, "quote_price", {"lat": GEORGE_ST[0], "lng": GEORGE_ST[1], "is_urgent": True})
        lines = ", ".join(f"{line['label']} {line['amount']:+.2f}" for line in quote["lines"])
        return f"quote_price -> {quote['base_price']:.2f} {lines} = {quote['final_price']:.2f} {quote['currency']}"

    def requests(demo: Demo) -> str:
        tap = {"car_model": "Mazda 3", "license_plate": "ABC-123", "location_address": "1 George St, Sydney",
               "location_lat": GEORGE_ST[0], "location_lng": GEORGE_ST[1], "car_location_images": [photo],
               "is_urgent": True, "is_scheduled": False, "request_key": uuid.uuid4().hex,
               "service_id": job["service"], "add_on_ids": ["wax"]}
        result = demo.call(person.uid, "create_request", tap)
        again = demo.call(person.uid, "create_request", tap)  # the app resends a call whose answer it lost
        if again["request_id"] != result["request_id"]:
            raise StepFailed(f"a retried create_request made a second job {again['request_id']}")
        job["id"] = result["request_id"]
        demo.counts["jobs created"] += 1
        return (f"create_request -> {result['request_id']} {result['status']} {result['final_price']:.2f} (Hail dent "
                "repair + Hand wax); its retry with the same request_key answered the same job")

    def handed_to_dispatch(demo: Demo) -> str:
        demo.await_run("on_request_created", f"ServiceRequests/{job['id']}")
        seen = demo.read(person.uid, f"ServiceRequests/{job['id']}")
        if seen["status"] != "pending":
            raise StepFailed(f"ServiceRequests/{job['id']} is {seen['status']}")
        return "on_request_created handed the job to dispatch; the app sees it pending"

    def technician_accepts(demo: Demo) -> str:
        offer = demo.stack.admin_db().document(f"JobOffers/{job['id']}:1").get().to_dict()
        if offer is None:
            raise StepFailed(f"no offer was made for ServiceRequests/{job['id']}")
        technician = job["technician"] = offer["dispatcher_id"]
        if technician != newcomer.uid:
            raise StepFailed(f"the offer went to {technician}, not to the newly verified {newcomer.uid}")
        mine = demo.app(technician).query("JobOffers", [("dispatcher_id", "==", technician)])
        if not mine.ok or f"{job['id']}:1" not in [doc_id for doc_id, _ in mine.body]:
            raise StepFailed(f"{technician}'s app cannot see its offer")
        demo.counts["jobs offered"] += 1
        accepted = demo.call(technician, "accept_offer", {"offer_id": f"{job['id']}:1"})
        demo.counts["jobs accepted"] += 1
        return (f"{technician} ({offer['distance_km']:.1f} km away, score {offer['assignment_score']:.1f}) "
                f"saw the 60-second offer and accepted it -> {accepted['status']} (his first job)")

    def technician_travels_and_starts(demo: Demo) -> str:
        technician, seen = job["technician"], []
        for status in ("en_route", "arrived", "in_progress"):
            answer = demo.call(technician, "update_job_status", {
                "request_id": job["id"], "status": status, "lat": GEORGE_ST[0], "lng": GEORGE_ST[1]})
            seen.append(answer["status"])
        live = demo.read(person.uid, f"ServiceRequests/{job['id']}")
        return f"update_job_status {' -> '.join(seen)}; the client's app shows {live['status']}"

    who = person.uid
    paying = pays_by_card(person, job)
    return [Step(who, "uploads a photo of the car", uploads_photo), Step(who, "asks for a price", asks_price),
            paying["card"],
            Step(who, "requests a technician", requests),
            Step("backend", "hands the job to dispatch", handed_to_dispatch),
            Step("tech", "accepts the offer", technician_accepts),
            paying["payouts"],
            *chat_during_the_job(person, job),
            Step("tech", "drives over and starts work", technician_travels_and_starts),
            stocks_the_van(job), paying["complete"], paying["review"], paying["paid"], gets_a_tax_invoice(person, job),
            *earns_and_redeems(person, job),
            *books_a_free_slot_and_cancels(person, job, photo)]


GPS_NOISE_DEG = 0.0000021
"""About 20 cm: how far a parked phone's successive fixes wander."""


def technicians_report_positions() -> list[Step]:
    """The seeded technicians who are online report where they are, as their apps do every few minutes (a
    position older than LOCATION_MAX_AGE_S makes a technician ineligible for offers). A live reading differs
    from the last one in its last digits (GPS noise); the very same coordinates again are a replay (`fake_gps`)."""

    def report(demo: Demo) -> str:
        online = demo.stack.admin_db().collection("DispatcherLocations").where("is_online", "==", True).stream()
        now = demo.stack.clock.now().isoformat().replace("+00:00", "Z")
        accepted = 0
        for entry in online:
            position = entry.to_dict() or {}
            answer = demo.call(entry.id, "update_location", {
                "lat": position["lat"] + GPS_NOISE_DEG, "lng": position["lng"] - GPS_NOISE_DEG, "accuracy_m": 8.0,
                "recorded_at": now})
            accepted += bool(answer["accepted"])
        return f"update_location from {accepted} online technicians"

    return [Step("techs", "report their positions", report)]


ALICE = Person("alice", "Alice Nguyen", "alice@example.com", "+61400000001", "client", "android")
BOB = Person("bob", "Bob Okafor", "bob@example.com", "+61400000002", "dispatcher", "ios")
ADMIN = "admin-001"
"""The seed's admin (custom claim `admin: true`)."""

_ONBOARDING = gets_verified(BOB, ADMIN)
_JOB: dict[str, Any] = {}
"""The day's job (its id, technician, dispute), shared by the steps that follow it."""
DAY: list[Step] = [*signs_up(ALICE), *verifies_phone_and_opts_into_email(ALICE), *signs_up(BOB), *_ONBOARDING[:-1],
                   *technicians_report_positions(), _ONBOARDING[-1], *sets_up_the_catalogue(ADMIN, BOB.uid, _JOB),
                   *requests_a_job(ALICE, BOB, _JOB),
                   *disputes_and_support(ALICE, _JOB, ADMIN), *rating_moves_overnight(ALICE, _JOB),
                   *books_from_a_photo_quote(ALICE),
                   *books_from_messenger(ALICE, ADMIN, technicians_report_positions()),
                   *does_a_booked_job(ALICE, f"users/{ALICE.uid}/car_photos/front.jpg",
                                      lambda job: pays_by_card(ALICE, job)["complete"])]
"""The scripted day. Features append their steps here (request, offer, accept, complete...)."""


@dataclass(frozen=True)
class DemoResult:
    passed: int
    total: int
    counts: dict[str, int]

    @property
    def ok(self) -> bool:
        return self.passed == self.total


def run_demo(stack: LocalStack, out: TextIO, steps: list[Step] | None = None) -> DemoResult:
    """Play `steps` (default: the whole day) against a running stack, printing the timeline and summary."""
    steps = DAY if steps is None else steps
    demo = Demo(stack, out)
    demo.baseline = demo.seen_activity = len(stack.activity.items())
    print("Timeline", file=out)
    passed = 0
    for step in steps:
        try:
            outcome = step.act(demo)
        except StepFailed as exc:
            print(f"{demo.elapsed()}  {step.actor:<8} {step.title}: FAILED - {exc}", file=out)
            _print_new_activity(demo)
            break
        passed += 1
        print(f"{demo.elapsed()}  {step.actor:<8} {step.title}: {outcome}", file=out)
        _print_new_activity(demo)
    _print_summary(demo, passed, len(steps))
    return DemoResult(passed, len(steps), dict(demo.counts))


def _messages_out(demo: Demo) -> str:
    """What reached people's phones and inboxes (`python -m devstack messages` lists them)."""
    sent = demo.stack.messages_sent()
    titles = Counter(item["title"] for item in sent["push"])
    top = ", ".join(f"{title} x{count}" if count > 1 else title for title, count in titles.most_common())
    return (f"{len(sent['push'])} pushes ({top}), {len(sent['sms'])} SMS, {len(sent['email'])} e-mails "
            "(local SMTP server)")


def _print_new_activity(demo: Demo) -> None:
    items = demo.stack.activity.items()
    for item in items[demo.seen_activity:]:
        if item.kind is not Kind.CALLABLE:  # the step line already shows the call and its answer
            print(f"{'':10}  {'':<8} ↳ {item.kind.value} {item.name} {item.detail}: "
                  f"{'ok' if item.ok else f'FAILED {item.status}'}", file=demo.out)
    demo.seen_activity = len(items)


def _print_summary(demo: Demo, passed: int, total: int) -> None:
    day = demo.stack.activity.items()[demo.baseline:]
    runs = Counter(item.kind for item in day)
    failed = sum(1 for item in day if not item.ok and item.kind is not Kind.CALLABLE)
    reads = sum(app.reads for app in demo.apps.values())
    writes = sum(app.writes for app in demo.apps.values())
    jobs = ", ".join(f"{name.split()[1]} {demo.counts[name]}" for name in JOB_COUNTERS)
    lines = [
        ("people signed up", str(demo.counts["people signed up"])),
        ("jobs", jobs),
        ("function runs", f"{demo.callables.calls} callable calls, {runs[Kind.FIRESTORE]} trigger runs, "
                          f"{runs[Kind.SCHEDULE]} scheduled runs, {runs[Kind.TASK]} task runs "
                          f"({failed} background failures)"),
        ("Firestore by apps", f"{reads} reads, {writes} writes (REST under firestore.rules)"),
        ("messages out", _messages_out(demo)),
        ("result", f"{passed}/{total} steps passed" + ("" if passed == total else " - the day stopped early")),
    ]
    print("\nSummary", file=demo.out)
    for label, value in lines:
        print(f"  {label:<18} {value}", file=demo.out)
