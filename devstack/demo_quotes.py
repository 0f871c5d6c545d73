"""The demo's photo quote (issue 20): after a hailstorm the client photographs the damage, describes it per panel
(no vision model runs locally, so her own description is priced — D88), gets an instant quote from the seeded
dent-repair matrix, reads it in her app under the rules, and books it: the job costs what was quoted and goes
to dispatch; the same quote cannot book a second job."""

from __future__ import annotations

from devstack.demo_kit import GEORGE_ST, Demo, Person, Step, StepFailed, email_of

HAIL_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(512)
DAMAGE = [{"panel": "roof", "count_band": "31-50", "dent_size": "medium", "aluminium": False},
          {"panel": "bonnet", "count_band": "16-30", "dent_size": "small", "aluminium": True},
          {"panel": "left_front_door", "count_band": "1-5", "dent_size": "small", "aluminium": False}]


def books_from_a_photo_quote(person: Person) -> list[Step]:
    photos = [f"users/{person.uid}/car_photos/hail-{side}.jpg" for side in ("roof", "bonnet")]
    quote: dict[str, str] = {}

    def photographs_hail(demo: Demo) -> str:
        for path in photos:
            demo.stack.upload(path, HAIL_JPEG, content_type="image/jpeg")
        return f"uploaded {', '.join(photos)}"

    def gets_quote(demo: Demo) -> str:
        result = demo.call(person.uid, "quote_from_photos", {"car_model": "Mazda 3", "photos": photos,
                                                             "damage": DAMAGE})
        quote["id"] = result["quote_id"]
        shown = demo.read(person.uid, f"Quotes/{result['quote_id']}")  # her app, under firestore.rules
        lines = ", ".join(f"{line['label']} {line['amount']:.2f}" for line in result["breakdown"]["lines"])
        return (f"quote_from_photos ({result['damage_source']}'s description) -> {lines} = "
                f"{result['breakdown']['total']:.2f} {result['breakdown']['currency']}, valid until "
                f"{result['valid_until'][:10]}; her app reads Quotes/{shown['id']}")

    def books_it(demo: Demo) -> str:
        tap = {"car_model": "Mazda 3", "license_plate": "ABC-123", "location_address": "1 George St, Sydney",
               "location_lat": GEORGE_ST[0], "location_lng": GEORGE_ST[1], "car_location_images": photos,
               "quote_id": quote["id"]}
        booked = demo.call(person.uid, "create_request", tap)
        demo.counts["jobs created"] += 1
        demo.await_run("on_request_created", f"ServiceRequests/{booked['request_id']}")
        again = demo.callables.call("create_request", tap, uid=person.uid, email=email_of(person.uid))
        if again.ok:
            raise StepFailed(f"the used quote booked a second job {again.result}")
        return (f"create_request with the quote -> {booked['request_id']} {booked['status']} "
                f"{booked['final_price']:.2f} (the quoted price), handed to dispatch; booking it again is refused "
                f"({again.status}, the quote is used)")

    who = person.uid
    return [Step(who, "photographs the hail damage", photographs_hail),
            Step(who, "gets an instant photo quote", gets_quote),
            Step(who, "books the photo quote", books_it)]
