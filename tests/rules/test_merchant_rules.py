"""A merchant's own reads (D116): its orders' statuses and completions, and its SKU list — and nothing else of
its orders (contacts, chat, presence, payment, ledger, statement) nor its own business record. The matrix
(`merchant_other`) shows that another merchant reads none of it."""

from __future__ import annotations

from curbside.store.collections import Collection, doc_path, private_doc_path
from tests.rules.world import MERCHANT_SKU, MERCHANT_STATEMENT, MERCHANT_WORLD, World

MERCHANT = MERCHANT_WORLD.client


def test_a_merchant_reads_its_orders_their_completion_and_its_skus(world: World) -> None:
    merchant = world.as_uid(MERCHANT)

    reads = [merchant.get(doc_path(Collection.SERVICE_REQUESTS, MERCHANT_WORLD.active_job)),
             merchant.get(doc_path(Collection.SERVICE_REQUESTS, MERCHANT_WORLD.done_job)),
             merchant.get(doc_path(Collection.JOB_COMPLETIONS, MERCHANT_WORLD.done_job)),
             merchant.get(doc_path(Collection.MERCHANT_SKUS, MERCHANT_SKU))]
    orders = merchant.query(Collection.SERVICE_REQUESTS.value, [("client_id", "==", MERCHANT)])
    skus = merchant.query(Collection.MERCHANT_SKUS.value, [("merchant_id", "==", MERCHANT)])

    assert all(read.ok and read.body for read in reads), [read.status for read in reads]
    assert sorted(doc_id for doc_id, _ in orders.body) == sorted([MERCHANT_WORLD.active_job, MERCHANT_WORLD.done_job])
    assert [doc_id for doc_id, _ in skus.body] == [MERCHANT_SKU]


def test_a_merchant_reads_nothing_else_of_its_orders(world: World) -> None:
    merchant = world.as_uid(MERCHANT)
    active, done = MERCHANT_WORLD.active_job, MERCHANT_WORLD.done_job
    refused = [
        doc_path(Collection.JOB_CONTACTS, active),
        doc_path(Collection.MESSAGES, f"{MERCHANT_WORLD.key}-message"),
        doc_path(Collection.CHAT_PRESENCE, f"{active}:{MERCHANT_WORLD.dispatcher}"),
        doc_path(Collection.JOB_PAYMENTS, done),
        doc_path(Collection.PAYMENT_LEDGER, f"{done}:capture"),
        doc_path(Collection.MERCHANTS, MERCHANT),
        doc_path(Collection.MERCHANT_STATEMENTS, MERCHANT_STATEMENT),
        doc_path(Collection.MERCHANT_STATEMENT_LINES, done),
        doc_path(Collection.OUTBOX, f"capture:{done}"),
        doc_path(Collection.USERS, MERCHANT_WORLD.dispatcher),
        private_doc_path(Collection.USERS, MERCHANT),
    ]

    statuses = {path: merchant.get(path).status for path in refused}

    assert statuses == dict.fromkeys(refused, 403)
    listed = merchant.query(Collection.MERCHANT_STATEMENTS.value, [("merchant_id", "==", MERCHANT)])
    assert listed.status == 403
