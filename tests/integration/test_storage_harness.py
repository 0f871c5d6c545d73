"""The Storage emulator serves the default bucket to Google's client."""

import socket

import pytest

from devstack.emulators import EmulatorUnavailable, StorageEmulator


def test_an_uploaded_file_can_be_read_back(bucket):
    blob = bucket.blob("users/alice/car_photos/front.jpg")
    blob.upload_from_string(b"\xff\xd8\xff\xe0jpeg", content_type="image/jpeg")
    assert bucket.blob("users/alice/car_photos/front.jpg").download_as_bytes() == b"\xff\xd8\xff\xe0jpeg"
    assert [b.name for b in bucket.list_blobs(prefix="users/alice/")] == ["users/alice/car_photos/front.jpg"]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the library thread's bind error
def test_a_storage_emulator_whose_port_is_taken_says_so_instead_of_waiting_forever():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(EmulatorUnavailable, match=f"could not listen on 127.0.0.1:{port}"):
            StorageEmulator(port=port).start()
