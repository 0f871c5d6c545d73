"""A seeded document: where it goes, how the report counts it, and the exact map Firestore will hold.

Every document is built as a model and encoded with the store codec, so the seed cannot write anything the
data model refuses, and paths come from `doc_path` / `private_doc_path` like everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from curbside.domain.documents import Document, PrivateDocument
from curbside.store.codec import to_document
from curbside.store.collections import PRIVATE_SUBCOLLECTION, collection_for, doc_path, private_doc_path


@dataclass(frozen=True)
class SeedDoc:
    path: str
    label: str
    """The report line it counts on: the collection, or `{Collection}/private` for private parts."""
    data: dict[str, Any]


def public(model: Document) -> SeedDoc:
    collection = collection_for(type(model))
    return SeedDoc(doc_path(collection, model.id), str(collection), to_document(model))


def private(owner_id: str, model: PrivateDocument) -> SeedDoc:
    collection = collection_for(type(model))
    return SeedDoc(private_doc_path(collection, owner_id), f"{collection}/{PRIVATE_SUBCOLLECTION}",
                   to_document(model))
