"""Cloud Storage triggers: an upload to the Storage emulator runs the real `storage_fn` functions."""

from __future__ import annotations

from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore
from google.cloud.storage import Client as StorageClient

from devstack.emulators import DEFAULT_BUCKET
from devstack.loader import Kind
from devstack.polling import poll
from devstack.stack import LocalStack
from tests.stack.helpers import docs


def test_an_upload_runs_the_finalized_trigger_and_a_delete_the_deleted_one(stack: LocalStack,
                                                                          admin: firestore.Client):
    bucket = StorageClient(project=stack.project, credentials=AnonymousCredentials()).bucket(DEFAULT_BUCKET)

    # when an app uploads a photo
    blob = bucket.blob("users/alice/car.jpg")
    blob.upload_from_string(b"\xff\xd8\xff" + b"0" * 97, content_type="image/jpeg")

    # then on_upload saw the object as Cloud Storage describes it
    uploads = poll(lambda: docs(admin, "Uploads"), what="the finalized trigger's record")
    assert uploads == [{"name": "users/alice/car.jpg", "bucket": DEFAULT_BUCKET, "size": 100,
                        "content_type": "image/jpeg"}]

    # and when it is deleted, on_upload_deleted runs with the object's subject
    blob.delete()
    deletions = poll(lambda: docs(admin, "Deletions"), what="the deleted trigger's record")
    assert deletions == [{"name": "users/alice/car.jpg", "subject": "objects/users/alice/car.jpg"}]
    assert {run.kind for run in stack.activity.items() if run.name.startswith("on_upload")} == {Kind.STORAGE}
