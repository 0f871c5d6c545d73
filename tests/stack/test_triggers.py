"""Firestore triggers: a write to the emulator runs the real decorated function with the real event."""

from __future__ import annotations

from google.cloud import firestore

from devstack.loader import Kind
from devstack.polling import poll
from devstack.stack import LocalStack
from tests.stack.helpers import docs


def test_an_admin_write_runs_the_created_trigger_with_params_data_and_event_id(stack: LocalStack,
                                                                               admin: firestore.Client):
    # given the stack runs on_order_created for Orders/{order_id}
    # when a document is created with the admin client
    admin.document("Orders/o-1").set({"item": "tyre", "status": "new"})

    # then the trigger ran and wrote what it saw: the path parameter, the new data and the event id
    events = poll(lambda: docs(admin, "OrderEvents"), what="OrderEvents written by the trigger")
    assert events == [{"order_id": "o-1", "item": "tyre", "document": "Orders/o-1"}]
    event_ids = [snap.id for snap in admin.collection("OrderEvents").stream()]
    assert len(event_ids[0]) >= 16  # the emulator's CloudEvent id, unique per delivery


def test_an_update_delivers_both_the_before_and_the_after_snapshot(stack: LocalStack, admin: firestore.Client):
    admin.document("Orders/o-2").set({"item": "wiper", "status": "new"})
    stack.activity.wait_for(lambda run: run.name == "on_order_created" and "Orders/o-2" in run.detail)

    admin.document("Orders/o-2").update({"status": "paid"})

    changes = poll(lambda: docs(admin, "OrderChanges"), what="OrderChanges written by the update trigger")
    assert changes == [{"order_id": "o-2", "before": "new", "after": "paid"}]


def test_a_write_by_an_app_user_under_the_rules_triggers_too(stack: LocalStack, admin: firestore.Client):
    # given an admin app user (the placeholder rules let admins write anywhere)
    app = stack.as_user("root", admin=True)

    assert app.create("Orders/o-3", {"item": "battery"}).ok

    assert poll(lambda: docs(admin, "OrderEvents"))[0]["order_id"] == "o-3"


def test_a_failing_trigger_is_answered_500_and_not_retried_like_the_firebase_emulators(
        stack: LocalStack, admin: firestore.Client):
    # when a trigger raises
    admin.document("Explosions/e-1").set({"n": 1})
    failed = stack.activity.wait_for(lambda run: run.name == "explode" and "Explosions/e-1" in run.detail)

    # then its delivery is answered 500 (logged), and later deliveries still run
    assert failed[0].kind is Kind.FIRESTORE and failed[0].status == 500
    admin.document("Orders/o-4").set({"item": "mirror"})
    poll(lambda: docs(admin, "OrderEvents"))
    assert len(stack.activity.wait_for(lambda run: run.name == "explode" and "Explosions/e-1" in run.detail)) == 1
