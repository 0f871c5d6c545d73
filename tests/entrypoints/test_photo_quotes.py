"""quote_from_photos, admin_set_dent_matrix and create_request with a quote, through their deployed entry points:
the customer's description priced without a vision model, the photos' proposal with one, every refusal with
nothing written, a quote booked once — also when several requests race with it — and an admin's matrix."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from typing import Any

import pytest

from curbside import deps as deps_module
from curbside.domain.dent_repair import CountBand, DentSize, Panel, PanelDamage
from curbside.domain.rate_limits import Limit
from curbside.store.collections import Collection
from devstack.doubles import ScriptedDamageReader
from main import admin_set_dent_matrix, create_request, quote_from_photos
from tests.factories import CLIENT_ID, make_dent_repair_matrix, make_quote, put
from tests.request_world import OUTSIDE_ZONES, add_client, add_dispatcher, everything, stored, upload_photo

ADMIN = "uid-admin"
ROOF_AND_PILLARS: list[dict[str, Any]] = [
    {"panel": "roof", "count_band": "16-30", "dent_size": "medium", "aluminium": True},
    {"panel": "pillars", "count_band": "1-5", "dent_size": "small"}]
"""Priced by hand in tests/unit/test_dent_repair.py: 605.00 + 151.25 aluminium, 55.00 -> 811.25."""


@pytest.fixture
def client(db, deps):
    add_client(db)
    put(db, make_dent_repair_matrix())
    return CLIENT_ID


@pytest.fixture
def photos(bucket):
    return [upload_photo(bucket, name="roof.jpg"), upload_photo(bucket, name="side.jpg")]


def with_reader(deps, reader: ScriptedDamageReader) -> ScriptedDamageReader:
    deps_module.install(dataclasses.replace(deps, damage_reader=reader))
    return reader


def asked(photos: list[str], **overrides: Any) -> dict[str, Any]:
    return {"car_model": "Toyota Corolla", "photos": photos} | overrides


def test_without_a_vision_model_the_customers_description_is_priced_and_kept_for_seven_days(db, call, client,
                                                                                            photos, clock):
    response = call(quote_from_photos, asked(photos, damage=ROOF_AND_PILLARS), uid=client)

    result = response.result
    assert result["breakdown"] == {
        "lines": [{"panel": "roof", "count_band": "16-30", "dent_size": "medium", "aluminium": True,
                   "label": "Roof: 16-30 medium dents, aluminium", "repair": 605.0, "aluminium_surcharge": 151.25,
                   "amount": 756.25},
                  {"panel": "pillars", "count_band": "1-5", "dent_size": "small", "aluminium": False,
                   "label": "Pillars: 1-5 small dents", "repair": 55.0, "aluminium_surcharge": 0.0,
                   "amount": 55.0}],
        "minimum_charge_top_up": 0.0, "total": 811.25, "currency": "EUR"}
    assert result["valid_until"] == "2026-11-27T09:00:00Z" and result["damage_source"] == "customer"
    quote = stored(db, Collection.QUOTES, result["quote_id"])
    assert (quote["client_id"], quote["total"], quote["photos"], quote["proposed_damage"]) == (
        client, 811.25, photos, None)


def test_with_a_vision_model_the_photos_propose_the_damage_and_a_correction_is_priced_as_given(db, call, deps,
                                                                                                client, photos):
    reader = with_reader(deps, ScriptedDamageReader(
        [PanelDamage(Panel.BONNET, CountBand.UP_TO_50, DentSize.LARGE), PanelDamage(Panel.ROOF, CountBand.OVER_100,
                                                                                    DentSize.MEDIUM)]))

    proposed = call(quote_from_photos, asked(photos), uid=client).result
    assert proposed["damage_source"] == "photos"
    assert proposed["damage"] == [
        {"panel": "bonnet", "count_band": "31-50", "dent_size": "large", "aluminium": False},
        {"panel": "roof", "count_band": "101+", "dent_size": "medium", "aluminium": False}]
    assert proposed["breakdown"]["total"] == 895.0 + 1870.0  # 420 x 1.7 x 1.25 = 892.50 -> 895; 900 x 1.3 x 1.6
    (car_model, links), = reader.seen
    assert car_model == "Toyota Corolla" and len(links) == 2 and all("X-Goog-Signature" in link for link in links)
    assert stored(db, Collection.QUOTES, proposed["quote_id"])["proposed_damage"][0]["panel"] == "bonnet"

    corrected = call(quote_from_photos, asked(photos, damage=ROOF_AND_PILLARS), uid=client).result
    assert (corrected["damage_source"], corrected["breakdown"]["total"]) == ("customer", 811.25)
    assert len(reader.seen) == 1, "the customer's own description is not sent to the model again"


def test_with_the_vision_model_down_the_customers_description_is_still_priced(call, deps, client, photos):
    with_reader(deps, ScriptedDamageReader(down=True))
    assert call(quote_from_photos, asked(photos), uid=client).error == "INVALID_ARGUMENT"
    assert call(quote_from_photos, asked(photos, damage=ROOF_AND_PILLARS), uid=client).result[
        "breakdown"]["total"] == 811.25


REFUSALS: dict[str, tuple[dict[str, Any], str, str]] = {
    "no model, no description": ({}, "INVALID_ARGUMENT", "describe each dented panel"),
    "another's photo": ({"photos": ["users/someone-else/car_photos/roof.jpg"], "damage": ROOF_AND_PILLARS},
                        "INVALID_ARGUMENT", "photos[0]: upload the photo to users/"),
    "a photo never uploaded": ({"photos": [f"users/{CLIENT_ID}/car_photos/missing.jpg"], "damage": ROOF_AND_PILLARS},
                               "INVALID_ARGUMENT", "no uploaded file"),
    "a panel twice": ({"damage": [*ROOF_AND_PILLARS, ROOF_AND_PILLARS[0]]}, "INVALID_ARGUMENT", "each panel once"),
    "an unknown panel": ({"damage": [{**ROOF_AND_PILLARS[0], "panel": "wing"}]}, "INVALID_ARGUMENT", "damage.0.panel"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_refused_quote_says_what_to_fix_and_writes_nothing(db, call, client, photos, case):
    overrides, code, words = REFUSALS[case]
    before = everything(db)

    refused = call(quote_from_photos, asked(photos) | overrides, uid=client)

    assert (refused.error, words in refused.message) == (code, True), refused.message
    assert everything(db) == before


def test_only_a_client_gets_a_quote_and_only_once_a_matrix_exists(db, call, bucket, client, photos):
    add_dispatcher(db, "tech")
    tech_photo = upload_photo(bucket, "tech", name="roof.jpg")
    assert call(quote_from_photos, asked([tech_photo], damage=ROOF_AND_PILLARS), uid="tech").error == \
        "PERMISSION_DENIED"
    assert call(quote_from_photos, asked(photos, damage=ROOF_AND_PILLARS)).error == "UNAUTHENTICATED"
    db.document(f"{Collection.DENT_REPAIR_MATRICES}/pdr").delete()
    no_matrix = call(quote_from_photos, asked(photos, damage=ROOF_AND_PILLARS), uid=client)
    assert no_matrix.error == "FAILED_PRECONDITION" and "no dent-repair price matrix" in no_matrix.message
    assert list(db.collection(Collection.QUOTES).stream()) == []


def test_photo_quotes_are_limited_per_day_before_the_model_is_asked(db, call, deps, client, photos):
    limits = dataclasses.replace(deps.settings.rate_limits, photo_quote=Limit("photo_quote", 1, dt.timedelta(days=1),
                                                                              "photo quotes"))
    reader = ScriptedDamageReader([PanelDamage(Panel.ROOF, CountBand.UP_TO_5, DentSize.SMALL)])
    deps_module.install(dataclasses.replace(deps, damage_reader=reader, settings=dataclasses.replace(
        deps.settings, rate_limits=limits)))
    assert call(quote_from_photos, asked(photos), uid=client).status == 200
    before = everything(db)

    refused = call(quote_from_photos, asked(photos), uid=client)

    assert refused.error == "RESOURCE_EXHAUSTED" and "photo quotes" in refused.message
    assert len(reader.seen) == 1 and everything(db) == before


# --- booking the quote ------------------------------------------------------------------------------------------


def booking(photos: list[str], quote_id: str, **overrides: Any) -> dict[str, Any]:
    return {"car_model": "Toyota Corolla", "license_plate": "HAIL-1", "location_address": "3 Victoria Ave, Chatswood",
            "location_lat": OUTSIDE_ZONES[0], "location_lng": OUTSIDE_ZONES[1], "car_location_images": photos,
            "quote_id": quote_id, **overrides}


def test_a_quote_books_a_job_at_the_quoted_price_once(db, call, client, photos):
    quote_id = call(quote_from_photos, asked(photos, damage=ROOF_AND_PILLARS), uid=client).result["quote_id"]

    booked = call(create_request, booking(photos, quote_id, is_urgent=True), uid=client).result

    assert booked["final_price"] == 811.25
    assert [(line["code"], line["amount"]) for line in booked["breakdown"]["lines"]] == [
        ("pdr_roof", 756.25), ("pdr_pillars", 55.0)]
    job = stored(db, Collection.SERVICE_REQUESTS, booked["request_id"])
    assert (job["quote_id"], job["price"], job["final_price"]) == (quote_id, 811.25, 811.25)
    assert stored(db, Collection.QUOTES, quote_id)["used_on_request_id"] == booked["request_id"]
    again = call(create_request, booking(photos, quote_id), uid=client)
    assert again.error == "FAILED_PRECONDITION" and "already used" in again.message


@pytest.mark.parametrize(("quote", "overrides", "code"), [
    ({"client_id": "someone-else"}, {}, "NOT_FOUND"),
    ({"valid_until": "past"}, {}, "FAILED_PRECONDITION"),
    ({}, {"car_model": "Mazda 3"}, "INVALID_ARGUMENT"),
])
def test_a_quote_not_the_callers_expired_or_for_another_car_books_nothing(db, call, *, client, photos, clock, quote,
                                                                         overrides, code):
    expired = clock.now() if quote.get("valid_until") else clock.now() + dt.timedelta(days=7)
    put(db, make_quote(id="q1", **{**quote, "valid_until": expired}))
    before = everything(db)

    refused = call(create_request, booking(photos, "q1", **overrides), uid=client)

    assert refused.error == code, refused.message
    assert everything(db) == before


def test_several_requests_racing_with_one_quote_book_exactly_one_job(db, call, client, photos, clock):
    put(db, make_quote(id="q1", client_id=client, valid_until=clock.now() + dt.timedelta(days=7)))
    barrier = threading.Barrier(4)
    answers = []

    def book() -> None:
        barrier.wait()
        answers.append(call(create_request, booking(photos, "q1"), uid=client))

    threads = [threading.Thread(target=book) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [answer for answer in answers if answer.status == 200]
    assert len(answers) == 4 and len(winners) == 1
    assert {answer.error for answer in answers if answer.status != 200} <= {"FAILED_PRECONDITION", "ABORTED"}
    jobs = list(db.collection(Collection.SERVICE_REQUESTS).stream())
    assert [job.id for job in jobs] == [winners[0].result["request_id"]]
    assert stored(db, Collection.QUOTES, "q1")["used_on_request_id"] == jobs[0].id


# --- the admins' matrix ------------------------------------------------------------------------------------------


def matrix_data(**overrides: Any) -> dict[str, Any]:
    prices = {panel.value: {size.value: [100.0, 150.0, 200.0, 250.0, 300.0, 350.0] for size in DentSize}
              for panel in Panel}
    return {"prices": prices, "aluminium_surcharge_percent": 30, "minimum_charge": 120.0,
            "reason": "Hail season rates for 2026.", **overrides}


def test_an_admin_replaces_the_matrix_on_the_audit_trail_and_new_quotes_use_it(db, call, client, photos):
    replaced = call(admin_set_dent_matrix, matrix_data(), uid=ADMIN, admin=True).result

    assert replaced["id"] == "pdr" and replaced["changed"] > 200
    (audit,) = [snap.to_dict() for snap in db.collection(Collection.AUDIT_LOG).stream()]
    assert (audit["action"], audit["actor_id"], audit["reason"]) == ("set_dent_matrix", ADMIN,
                                                                     "Hail season rates for 2026.")
    assert (audit["before"]["prices.roof.medium.16-30"], audit["after"]["prices.roof.medium.16-30"]) == (605.0, 200.0)
    quote = call(quote_from_photos, asked(photos, damage=ROOF_AND_PILLARS), uid=client).result
    assert quote["breakdown"]["total"] == 200.0 + 60.0 + 100.0  # roof + 30 % aluminium, pillars


@pytest.mark.parametrize(("overrides", "admin", "code", "words"), [
    ({}, False, "PERMISSION_DENIED", "admins"),
    ({"minimum_charge": 0}, True, "INVALID_ARGUMENT", "minimum_charge"),
    ("decreasing", True, "INVALID_ARGUMENT", "prices.roof.small[1] (6-15 dents): must be at least the 1-5 price"),
])
def test_a_matrix_from_a_non_admin_or_with_a_bad_field_is_refused_naming_it(db, call, *, client, overrides, admin,
                                                                            code, words):
    data = matrix_data()
    if overrides == "decreasing":
        data["prices"]["roof"]["small"] = [100.0, 90.0, 200.0, 250.0, 300.0, 350.0]
    else:
        data.update(overrides)
    before = everything(db)

    refused = call(admin_set_dent_matrix, data, uid=ADMIN, admin=admin)

    assert refused.error == code and words in refused.message, refused.message
    assert everything(db) == before
