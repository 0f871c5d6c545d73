"""The demo day's disputes and support (issue 17): the client disputes the paid job, the admin asks the
technician for their side and resolves it with a partial refund (a Stripe refund on localstripe and a transfer
reversal of the technician's share), and the client opens a support ticket that the assistant — the local
retriever, no OpenAI locally — answers from her own payment."""

from __future__ import annotations

from typing import Any

from devstack import payments_flow
from devstack.demo_kit import Demo, Person, Step, StepFailed, only_if, wait

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(256)
PARTIAL_REFUND = 10.00


def disputes_and_support(person: Person, job: dict[str, Any], admin: str) -> list[Step]:
    """`job` is the day's job, completed and paid out by the earlier steps."""

    def raises(demo: Demo) -> str:
        evidence = f"users/{person.uid}/dispute_evidence/{job['id']}/scratch.jpg"
        demo.stack.upload(evidence, JPEG, content_type="image/jpeg")
        result = demo.call(person.uid, "raise_dispute", {
            "request_id": job["id"], "dispute_reason": "damage_claim",
            "description": "There is a new scratch on the driver's door after the repair.",
            "evidence_urls": [evidence]})
        job["dispute"] = result["dispute_id"]
        seen = demo.read(job["technician"], f"Disputes/{result['dispute_id']}")
        return (f"raise_dispute -> {result['dispute_id']} {result['status']}, priority {result['priority']}; the "
                f"technician's app sees it ({seen['dispute_reason']}); the payment is held")

    def asks_technician(demo: Demo) -> str:
        asked = demo.call(admin, "admin_request_dispute_info", {
            "dispute_id": job["dispute"], "from": "dispatcher", "message": "Was the scratch there before?"},
            admin=True)
        answered = demo.call(job["technician"], "add_dispute_comment", {
            "dispute_id": job["dispute"], "comment": "It was there before; my arrival photos show it."})
        return f"admin_request_dispute_info -> {asked['status']}; the technician answers -> {answered['status']}"

    def resolves(demo: Demo) -> str:
        result = demo.call(admin, "admin_resolve_dispute", {
            "dispute_id": job["dispute"], "resolution_action": "partial_refund", "refund_amount": PARTIAL_REFUND,
            "resolution_details": "The scratch is partly visible in the arrival photos: half of it is ours."},
            admin=True)
        payment_ref = demo.stack.admin_db().document(f"JobPayments/{job['id']}")
        payment = wait(lambda: only_if(payment_ref.get().to_dict() or {},
                                       lambda p: p.get("refunded_minor") == round(PARTIAL_REFUND * 100)),
                       "the dispute's refund on the payment")
        left, right = payments_flow.ledger_balance(demo.stack, job["id"])
        if left != right:
            raise StepFailed(f"ledger out of balance for {job['id']}: {left} != {right}")
        return (f"admin_resolve_dispute -> {result['status']}, {result['refund_amount']:.2f} refunded on "
                f"localstripe, {payment['paid_out_minor']} (minor units) left with the technician after the "
                "transfer reversal; ledger balanced")

    def asks_support(demo: Demo) -> str:
        opened = demo.call(person.uid, "create_support_ticket", {
            "subject": "My payment", "category": "payment_issue", "message": "Where's my payment?"})
        reply = opened["reply"]
        if job["id"] not in reply["message"] or reply["requires_human"]:
            raise StepFailed(f"the assistant did not answer from the client's own payment: {reply}")
        return (f"create_support_ticket -> {opened['ticket_id']}; the assistant (confidence "
                f"{reply['ai_confidence']:.2f}) answered from her payment: ...{reply['message'][-110:]}")

    return [Step(person.uid, "disputes the job", raises), Step("admin", "asks the technician", asks_technician),
            Step("admin", "resolves with a partial refund", resolves),
            Step(person.uid, "asks support where her payment is", asks_support)]
