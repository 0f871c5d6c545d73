"""Every collection's model through the real Firestore emulator: written with the codec, read back equal."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from google.cloud import firestore
from pydantic import BaseModel

from curbside.domain.documents import Document, PrivateDocument, ServiceRequest, User
from curbside.store.codec import from_snapshot
from curbside.store.collections import Collection, collection_for, doc_path
from tests.factories import DEFAULTS, make, make_service_request, put, put_private

pytestmark = pytest.mark.emulator


@pytest.mark.parametrize("model_cls", list(DEFAULTS), ids=lambda cls: cls.__name__)
def test_model_survives_firestore(db: firestore.Client, model_cls: type[BaseModel]):
    model = make(model_cls)

    if isinstance(model, Document):
        path = doc_path(collection_for(type(model)), put(db, model))
    else:
        assert isinstance(model, PrivateDocument)
        path = put_private(db, "owner-1", model)

    assert from_snapshot(model_cls, db.document(path).get()) == model


def test_firestore_holds_the_spec_types(db: firestore.Client):
    accepted = datetime(2025, 7, 1, 9, 15, 30, 123456, tzinfo=UTC)
    request = make_service_request(final_price=Decimal("10.005"), accepted_at=accepted)

    stored = db.document(doc_path(Collection.SERVICE_REQUESTS, put(db, request))).get().to_dict()

    assert stored is not None
    assert stored["final_price"] == 10.01
    assert stored["status"] == "pending"
    assert stored["accepted_at"] == accepted
    assert stored["dispatcher_id"] is None
    assert stored["id"] == request.id
    read = from_snapshot(ServiceRequest, db.document(doc_path(Collection.SERVICE_REQUESTS, request.id)).get())
    assert read.final_price == Decimal("10.01")


def test_an_app_written_user_reads_with_its_document_id(db: firestore.Client):
    db.document(doc_path(Collection.USERS, "u1")).set({"email": "alex@example.com", "uid": "u1"})

    user = from_snapshot(User, db.document(doc_path(Collection.USERS, "u1")).get())

    assert user.id == "u1"
    assert user.email == "alex@example.com"


def test_a_missing_document_is_a_lookup_error(db: firestore.Client):
    with pytest.raises(LookupError, match="does not exist"):
        from_snapshot(User, db.document(doc_path(Collection.USERS, "nobody")).get())
