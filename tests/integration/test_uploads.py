"""The server-side upload check against the Storage and Firestore emulators: what matches its folder stays,
everything else is moved to quarantine/ with a record, and a replayed event changes nothing."""

from __future__ import annotations

from typing import Any

from cloudevents.http import CloudEvent
from google.cloud import firestore

from curbside.deps import Deps
from curbside.domain.enums import AccountStatus, RequestStatus
from curbside.domain.uploads import MB, Problem
from curbside.entrypoints.uploads import on_upload_finalized
from curbside.services.uploads import Outcome, UploadedObject, check_upload
from curbside.store.collections import Collection
from tests import factories as f

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 200
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00" * 100
HTML = b"<html><body><script>document.location='https://evil.example.com'</script></body></html>"

CLIENT, TECH, JOB = "client-1", "tech-1", "job-1"


def given_people_and_a_job(db: firestore.Client, status: RequestStatus = RequestStatus.IN_PROGRESS) -> None:
    for uid in (CLIENT, TECH):
        f.put(db, f.make_user(id=uid, uid=uid))
        f.put_private(db, uid, f.make_user_private())
    f.put(db, f.make_service_request(id=JOB, client_id=CLIENT, dispatcher_id=TECH, status=status))


def upload(bucket: Any, name: str, data: bytes, content_type: str) -> UploadedObject:
    blob = bucket.blob(name)
    blob.upload_from_string(data, content_type=content_type)
    blob.reload()
    return UploadedObject(bucket=bucket.name, name=name, size=int(blob.size), content_type=blob.content_type,
                          generation=int(blob.generation))


def names(bucket: Any) -> list[str]:
    return sorted(blob.name for blob in bucket.list_blobs())


def records(db: firestore.Client) -> list[dict[str, Any]]:
    return [snap.to_dict() or {} for snap in db.collection(Collection.QUARANTINED_UPLOADS).stream()]


def test_a_photo_that_matches_its_folder_stays_where_it_is(deps: Deps, db, bucket):
    # given a client who uploads a real JPEG as a car photo
    given_people_and_a_job(db)
    obj = upload(bucket, f"users/{CLIENT}/car_photos/front.jpg", JPEG, "image/jpeg")

    # when the finalize trigger checks it
    verdict = check_upload(deps, obj)

    # then it is accepted, left in place, and nothing is recorded
    assert verdict.outcome is Outcome.ACCEPTED
    assert names(bucket) == [obj.name]
    assert records(db) == []


def test_a_pdf_disguised_as_a_photo_is_quarantined_with_a_record(deps: Deps, db, bucket):
    # given a PDF uploaded as a car photo, declared image/jpeg
    given_people_and_a_job(db)
    obj = upload(bucket, f"users/{CLIENT}/car_photos/front.jpg", PDF, "image/jpeg")

    # when it is checked
    verdict = check_upload(deps, obj)

    # then it is moved to quarantine/ byte for byte, and admins get a record saying why
    assert verdict.outcome is Outcome.QUARANTINED
    assert set(verdict.problems) == {Problem.TYPE_NOT_ALLOWED, Problem.CONTENT_TYPE_MISMATCH}
    assert names(bucket) == [f"quarantine/{obj.name}"]
    assert bucket.blob(f"quarantine/{obj.name}").download_as_bytes() == PDF
    [record] = records(db)
    assert record["id"] == verdict.record_id
    assert record["object_name"] == obj.name and record["owner_id"] == CLIENT
    assert record["purpose"] == "car_photos" and record["detected_content_type"] == "application/pdf"
    assert record["declared_content_type"] == "image/jpeg" and record["size_bytes"] == len(PDF)
    assert set(record["problems"]) == {"type_not_allowed", "content_type_mismatch"}
    assert record["created_date"] == deps.clock.now()


def test_a_script_declared_as_an_image_is_quarantined(deps: Deps, db, bucket):
    given_people_and_a_job(db)
    obj = upload(bucket, f"users/{CLIENT}/chat_images/{JOB}/photo.png", HTML, "image/png")

    verdict = check_upload(deps, obj)

    assert verdict.outcome is Outcome.QUARANTINED and verdict.problems == (Problem.UNRECOGNISED_CONTENT,)
    assert names(bucket) == [f"quarantine/{obj.name}"]


def test_an_image_over_the_size_limit_is_quarantined(deps: Deps, db, bucket):
    given_people_and_a_job(db)
    obj = upload(bucket, f"users/{CLIENT}/profile_photos/me.jpg", JPEG + b"\x00" * (10 * MB), "image/jpeg")

    verdict = check_upload(deps, obj)

    assert verdict.outcome is Outcome.QUARANTINED and verdict.problems == (Problem.TOO_LARGE,)


def test_uploads_outside_the_known_folders_are_quarantined(deps: Deps, db, bucket):
    # given files a client put next to, or outside, the purpose folders
    given_people_and_a_job(db)
    stray = [upload(bucket, f"users/{CLIENT}/front.jpg", JPEG, "image/jpeg"),
             upload(bucket, f"users/{CLIENT}/backups/front.jpg", JPEG, "image/jpeg"),
             upload(bucket, f"users/{CLIENT}/chat_images/front.jpg", JPEG, "image/jpeg")]

    # when each is checked, then each is quarantined for its path
    problems = [check_upload(deps, obj).problems for obj in stray]
    assert problems == [(Problem.BAD_PATH,), (Problem.UNKNOWN_PURPOSE,), (Problem.BAD_PATH,)]
    assert names(bucket) == sorted(f"quarantine/{obj.name}" for obj in stray)


def test_job_folders_belong_to_the_jobs_parties(deps: Deps, db, bucket):
    # given a job between CLIENT and TECH, and an outsider
    given_people_and_a_job(db)
    f.put(db, f.make_user(id="outsider", uid="outsider"))
    completion = upload(bucket, f"users/{TECH}/completion_photos/{JOB}/front.jpg", JPEG, "image/jpeg")
    client_completion = upload(bucket, f"users/{CLIENT}/completion_photos/{JOB}/front.jpg", JPEG, "image/jpeg")
    outsider_chat = upload(bucket, f"users/outsider/chat_images/{JOB}/hi.jpg", JPEG, "image/jpeg")
    no_such_job = upload(bucket, f"users/{CLIENT}/dispute_evidence/no-such-job/clip.mp4", MP4, "video/mp4")
    evidence = upload(bucket, f"users/{CLIENT}/dispute_evidence/{JOB}/clip.mp4", MP4, "video/mp4")

    # when each upload is checked
    verdicts = {obj.name: check_upload(deps, obj) for obj in
                (completion, client_completion, outsider_chat, no_such_job, evidence)}

    # then only the technician's completion photo and the client's evidence stay
    assert verdicts[completion.name].outcome is Outcome.ACCEPTED
    assert verdicts[evidence.name].outcome is Outcome.ACCEPTED
    for refused in (client_completion, outsider_chat, no_such_job):
        assert verdicts[refused.name].problems == (Problem.NOT_A_PARTY,), refused.name
    assert names(bucket) == sorted([completion.name, evidence.name, *(f"quarantine/{o.name}" for o in
                                                                       (client_completion, outsider_chat,
                                                                        no_such_job))])


def test_an_unknown_or_blocked_owner_cannot_keep_uploads(deps: Deps, db, bucket):
    given_people_and_a_job(db)
    f.put(db, f.make_user(id="suspended-1", uid="suspended-1"))
    f.put_private(db, "suspended-1", f.make_user_private(account_status=AccountStatus.SUSPENDED))
    ghost = upload(bucket, "users/ghost/car_photos/front.jpg", JPEG, "image/jpeg")
    blocked = upload(bucket, "users/suspended-1/car_photos/front.jpg", JPEG, "image/jpeg")

    assert check_upload(deps, ghost).problems == (Problem.UNKNOWN_OWNER,)
    assert check_upload(deps, blocked).problems == (Problem.ACCOUNT_BLOCKED,)
    assert len(records(db)) == 2


def test_a_replayed_event_changes_nothing(deps: Deps, db, bucket):
    # given a bad upload that has already been quarantined
    given_people_and_a_job(db)
    obj = upload(bucket, f"users/{CLIENT}/verification_documents/passport.pdf", JPEG, "application/pdf")
    first = check_upload(deps, obj)

    # when the same event is delivered again
    again = check_upload(deps, obj)

    # then the object is found gone and the record and quarantine copy are unchanged
    assert first.outcome is Outcome.QUARANTINED and again.outcome is Outcome.GONE
    assert names(bucket) == [f"quarantine/{obj.name}"]
    assert len(records(db)) == 1


def test_the_quarantine_itself_and_other_buckets_are_left_alone(deps: Deps, db, bucket):
    given_people_and_a_job(db)
    copy = upload(bucket, f"quarantine/users/{CLIENT}/car_photos/front.jpg", PDF, "image/jpeg")
    admin_file = upload(bucket, "admin_files/price-list.pdf", PDF, "application/pdf")
    elsewhere = UploadedObject(bucket="another-bucket", name=f"users/{CLIENT}/car_photos/x.jpg", size=10,
                               content_type="image/jpeg")

    outcomes = [check_upload(deps, obj).outcome for obj in (copy, admin_file, elsewhere)]

    assert outcomes == [Outcome.IGNORED] * 3
    assert names(bucket) == sorted([copy.name, admin_file.name])


def test_the_finalize_trigger_quarantines_a_bad_upload(deps: Deps, db, bucket):
    # given a finalize event for a PDF uploaded into a technician's completion video folder
    given_people_and_a_job(db)
    obj = upload(bucket, f"users/{TECH}/completion_videos/{JOB}/walk.mp4", PDF, "video/mp4")
    event = CloudEvent({
        "type": "google.cloud.storage.object.v1.finalized", "specversion": "1.0", "id": "event-1",
        "source": f"//storage.googleapis.com/projects/_/buckets/{obj.bucket}", "subject": f"objects/{obj.name}",
        "time": "2026-11-20T09:00:00.000000Z",
    }, {
        "bucket": obj.bucket, "name": obj.name, "size": str(obj.size), "contentType": obj.content_type,
        "generation": str(obj.generation), "metageneration": "1", "id": f"{obj.bucket}/{obj.name}/{obj.generation}",
        "storageClass": "STANDARD",
    })

    # when the deployed trigger runs (the SDK's wrapper takes the raw CloudEvent, as Cloud Run delivers it)
    trigger: Any = on_upload_finalized
    trigger(event)

    # then the object is in quarantine and recorded
    assert names(bucket) == [f"quarantine/{obj.name}"]
    [record] = records(db)
    assert record["problems"] == ["type_not_allowed", "content_type_mismatch"]


def real_photo(width: int = 2400, height: int = 1800) -> bytes:
    """A real JPEG from a phone camera: big, with its EXIF (the GPS position where it was taken)."""
    import io

    from PIL import Image

    exif = Image.Exif()
    exif[0x8825] = {1: "S", 2: (33.0, 52.0, 10.0), 3: "E", 4: (151.0, 12.0, 30.0)}  # GPSInfo: Sydney
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_an_accepted_photo_gets_a_thumbnail_and_a_compressed_copy_without_its_exif(deps: Deps, db, bucket):
    import io

    from PIL import Image

    # given a client's real 2400x1800 photo carrying the GPS position of their home
    given_people_and_a_job(db)
    original = real_photo()
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)
    obj = upload(bucket, f"users/{CLIENT}/car_photos/front.jpg", original, "image/jpeg")

    # when the finalize check accepts it
    verdict = check_upload(deps, obj)

    # then a 320 px thumbnail and a 1600 px copy sit next to it, as JPEG, with no EXIF left
    assert verdict.variants == (f"{obj.name}.thumb.jpg", f"{obj.name}.web.jpg")
    sizes = {}
    for path in verdict.variants:
        image = Image.open(io.BytesIO(bucket.blob(path).download_as_bytes()))
        sizes[path.rsplit(".", 2)[1]] = image.size
        assert image.format == "JPEG" and not image.getexif()
    assert sizes == {"thumb": (320, 240), "web": (1600, 1200)}
    # and the finalize events of the copies themselves, or a replay of the original's, make nothing more
    for path in verdict.variants:
        blob = bucket.get_blob(path)
        again = UploadedObject(bucket=bucket.name, name=path, size=int(blob.size), content_type=blob.content_type)
        assert check_upload(deps, again).outcome is Outcome.IGNORED
    assert check_upload(deps, obj).variants == ()


def test_a_user_upload_named_like_a_servers_copy_is_quarantined(deps: Deps, db, bucket):
    given_people_and_a_job(db)
    obj = upload(bucket, f"users/{CLIENT}/car_photos/front.jpg.thumb.jpg", JPEG, "image/jpeg")

    verdict = check_upload(deps, obj)

    assert verdict.outcome is Outcome.QUARANTINED and verdict.problems == (Problem.RESERVED_NAME,)
