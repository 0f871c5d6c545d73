"""The Storage emulator serves the default bucket to Google's client."""


def test_an_uploaded_file_can_be_read_back(bucket):
    blob = bucket.blob("users/alice/car_photos/front.jpg")
    blob.upload_from_string(b"\xff\xd8\xff\xe0jpeg", content_type="image/jpeg")
    assert bucket.blob("users/alice/car_photos/front.jpg").download_as_bytes() == b"\xff\xd8\xff\xe0jpeg"
    assert [b.name for b in bucket.list_blobs(prefix="users/alice/")] == ["users/alice/car_photos/front.jpg"]
