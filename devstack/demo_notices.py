"""The demo day's notices and chat (spec sections 5 and 14): a client verifies their phone by SMS code and turns
on e-mail notices under the rules, the two parties chat during the job, with read receipts, and the client clears
their notifications badge."""

from __future__ import annotations

from typing import Any

from devstack.demo_kit import Demo, Person, Step, StepFailed


def verifies_phone_and_opts_into_email(person: Person) -> list[Step]:
    def verifies_phone(demo: Demo) -> str:
        demo.call(person.uid, "start_phone_verification", {"phone_number": person.phone})
        code = demo.stack.sms.codes[person.phone][0]  # what the SMS on the person's phone says
        result = demo.call(person.uid, "check_phone_verification", {"code": code})
        return f"start_phone_verification -> SMS with code {code}; check_phone_verification -> {result}"

    def opts_into_email(demo: Demo) -> str:
        path = f"NotificationPreferences/{person.uid}"
        answer = demo.app(person.uid).update(path, {"email_notifications": True, "time_zone": "Australia/Sydney"})
        if not answer.ok:
            raise StepFailed(f"{person.uid} cannot update {path}: HTTP {answer.status}")
        return "the app turned on e-mail notices (and set the quiet hours' time zone) under the rules"

    return [Step(person.uid, "verifies their phone number", verifies_phone),
            Step(person.uid, "turns on e-mail notices", opts_into_email)]


def chat_during_the_job(person: Person, job: dict[str, Any]) -> list[Step]:
    """`job` is the request flow's (its id and technician, known once the offer is accepted)."""

    def client_writes(demo: Demo) -> str:
        sent = demo.call(person.uid, "send_message", {
            "request_id": job["id"], "message_type": "text", "message": "I'm parked by the blue Mazda, level 2.",
            "client_message_id": f"demo-{job['id'][:12]}-1"})
        pushes = demo.stack.messages_sent()["push"]
        pushed = any(item["data"].get("message_id") == sent["message_id"] for item in pushes)
        where = "pushed to the technician's phone" if pushed else "no push (the technician has no device)"
        return f"send_message -> {sent['message_id']}; {where}"

    def technician_reads(demo: Demo) -> str:
        technician = job["technician"]
        before = demo.read(technician, f"Conversations/{job['id']}")["unread"].get(technician)
        demo.call(technician, "mark_messages_read", {"request_id": job["id"]})
        after = demo.read(technician, f"Conversations/{job['id']}")["unread"].get(technician)
        message = demo.app(person.uid).query("Messages", [("request_id", "==", job["id"])])
        read = [fields.get("read") for _, fields in message.body] if message.ok else []
        return f"unread {before} -> {after} (mark_messages_read); the client's app shows read receipts {read}"

    def client_reads_notices(demo: Demo) -> str:
        before = demo.read(person.uid, f"Users/{person.uid}").get("unread_notifications", 0)
        marked = demo.call(person.uid, "mark_notifications_read", {"all": True})["marked"]
        after = demo.read(person.uid, f"Users/{person.uid}").get("unread_notifications", 0)
        return f"badge {before} -> {after} (mark_notifications_read marked {marked})"

    return [Step(person.uid, "messages the technician", client_writes),
            Step("tech", "reads the message", technician_reads),
            Step(person.uid, "opens the notifications list", client_reads_notices)]
