"""The codec without Firestore: every model survives a round trip, money is rounded half-up to cents, time
is UTC, and only values Firestore stores natively come out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from curbside.domain.documents import Document, ServiceRequest, User
from curbside.domain.enums import RequestStatus
from curbside.store.codec import (
    double_to_money,
    encode_value,
    from_document,
    money_to_double,
    to_document,
)
from curbside.store.collections import (
    MODELS,
    PRIVATE_MODELS,
    Collection,
    collection_for,
    doc_path,
    private_doc_path,
)
from tests.factories import (
    DEFAULTS,
    NOW,
    make,
    make_client_profile,
    make_dispatcher_location,
    make_fraud_alert,
    make_service_request,
)

NATIVE = (type(None), bool, int, float, str, datetime)


def as_firestore_returns(value: Any) -> Any:
    """What the Firestore client hands back for a stored value: timestamps as DatetimeWithNanoseconds."""
    if isinstance(value, datetime):
        return DatetimeWithNanoseconds.fromisoformat(value.isoformat())
    if isinstance(value, dict):
        return {key: as_firestore_returns(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_firestore_returns(item) for item in value]
    return value


def assert_native(value: Any) -> None:
    if isinstance(value, dict):
        for item in value.values():
            assert_native(item)
    elif isinstance(value, list):
        for item in value:
            assert_native(item)
    else:
        assert type(value) in NATIVE, f"{value!r} is a {type(value).__name__}"


def test_factories_cover_every_collection_and_private_part():
    assert set(DEFAULTS) == set(MODELS.values()) | set(PRIVATE_MODELS.values())


@pytest.mark.parametrize("model_cls", list(DEFAULTS), ids=lambda cls: cls.__name__)
def test_every_model_round_trips(model_cls: type[BaseModel]):
    model = make(model_cls)

    stored = to_document(model)
    read = from_document(model_cls, as_firestore_returns(stored))

    assert_native(stored)
    assert read == model
    assert set(stored) == set(model_cls.model_fields)


def test_enums_are_plain_strings_and_unset_fields_are_written_as_null():
    stored = to_document(make_service_request(status=RequestStatus.EN_ROUTE))

    assert type(stored["status"]) is str
    assert stored["status"] == "en_route"
    assert "dispatcher_id" in stored
    assert stored["dispatcher_id"] is None


@pytest.mark.parametrize(
    ("amount", "stored"),
    [("10.005", 10.01), ("10.004", 10.0), ("2.675", 2.68), ("0.125", 0.13), ("33", 33.0), ("49.999", 50.0)],
)
def test_money_is_stored_rounded_half_up_to_cents(amount: str, stored: float):
    request = make_service_request(final_price=Decimal(amount))

    document = to_document(request)

    assert document["final_price"] == stored
    assert type(document["final_price"]) is float
    assert from_document(ServiceRequest, document).final_price == Decimal(str(stored)).quantize(Decimal("0.01"))


def test_money_reads_back_as_a_two_place_decimal_from_doubles_and_integers():
    document = to_document(make_service_request()) | {"final_price": 56.1, "price": 66}

    request = from_document(ServiceRequest, document)

    assert str(request.final_price) == "56.10"
    assert str(request.price) == "66.00"
    assert double_to_money(33.0) == Decimal("33.00")


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_cents_survive_the_double(amount: Decimal):
    assert double_to_money(money_to_double(amount)) == amount


def test_non_finite_money_is_refused():
    with pytest.raises(ValueError, match="not an amount"):
        money_to_double(Decimal("NaN"))
    with pytest.raises(ValidationError):
        make_service_request(final_price=Decimal("Infinity"))


def test_timestamps_are_normalised_to_utc_and_read_back_as_plain_datetimes():
    dublin_summer = timezone(timedelta(hours=1))
    local = datetime(2025, 7, 1, 10, 15, 30, 123456, tzinfo=dublin_summer)

    request = make_service_request(accepted_at=local)
    stored = to_document(request)
    read = from_document(ServiceRequest, as_firestore_returns(stored))

    assert stored["accepted_at"] == datetime(2025, 7, 1, 9, 15, 30, 123456, tzinfo=UTC)
    assert stored["accepted_at"].tzinfo is UTC
    assert read.accepted_at == local
    assert type(read.accepted_at) is datetime
    assert read.accepted_at.tzinfo is UTC


def test_naive_timestamps_are_refused_in_fields_and_in_maps():
    with pytest.raises(ValidationError, match="timezone-aware"):
        make_service_request(accepted_at=datetime(2025, 7, 1, 10, 0))
    with pytest.raises(ValueError, match="naive datetime"):
        to_document(make_fraud_alert(alert_details={"seen_at": datetime(2025, 7, 1, 10, 0)}))


def test_timestamps_inside_maps_come_back_as_plain_utc_datetimes():
    alert = make_fraud_alert(alert_details={"window": {"from": NOW, "to": NOW + timedelta(hours=2)}})

    read = from_document(type(alert), as_firestore_returns(to_document(alert)))

    assert read == alert
    assert type(read.alert_details["window"]["from"]) is datetime


def test_doc_id_fills_a_missing_id_and_must_agree_with_a_stored_one():
    app_written = {"email": "alex@example.com", "full_name": "Alex", "uid": "u1", "display_name": "Alex"}

    user = from_document(User, app_written, doc_id="u1")

    assert user.id == "u1"
    assert user.fcm_tokens == []
    with pytest.raises(ValueError, match="stores the id"):
        from_document(User, {"id": "u2"}, doc_id="u1")
    with pytest.raises(TypeError, match="no id field"):
        from_document(PRIVATE_MODELS[Collection.USERS], {}, doc_id="u1")


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError, match="extra"):
        from_document(User, {"id": "u1", "role_claim": "admin"})


def test_per_user_documents_are_stored_under_the_user_id():
    assert make_client_profile(user_id="u1").id == "u1"
    assert make_dispatcher_location(id="u2").dispatcher_id == "u2"
    with pytest.raises(ValidationError, match="id must equal user_id"):
        make_client_profile(id="u1", user_id="u2")


def test_encode_value_serves_partial_updates():
    assert encode_value({"final_price": Decimal("9.995"), "status": RequestStatus.ARRIVED}) == {
        "final_price": 10.0,
        "status": "arrived",
    }


def test_paths_come_from_the_collection_names():
    assert doc_path(Collection.SERVICE_REQUESTS, "r1") == "ServiceRequests/r1"
    assert private_doc_path(Collection.DISPATCHER_PROFILES, "u1") == "DispatcherProfiles/u1/private/data"
    with pytest.raises(ValueError, match="not a document id"):
        doc_path(Collection.USERS, "a/b")
    with pytest.raises(ValueError, match="no private sub-document"):
        private_doc_path(Collection.SERVICE_REQUESTS, "r1")


def test_every_model_maps_back_to_its_collection():
    for collection, model in MODELS.items():
        assert collection_for(model) is collection
        assert issubclass(model, Document)
    for collection, private in PRIVATE_MODELS.items():
        assert collection_for(private) is collection
    with pytest.raises(TypeError, match="not the model of any collection"):
        collection_for(Document)
