"""Domain errors: what went wrong in terms a person can act on.

Services raise these; the entry-point layer maps each class to one callable error code (a single table in
`curbside.entrypoints.protocol`). The message is shown to the caller, so it never carries internals.
"""


class DomainError(Exception):
    """Base of every expected failure; `str(error)` is the person-facing message."""


class InvalidInput(DomainError):
    """The payload is malformed or out of range (nothing was written)."""


class Unauthenticated(DomainError):
    """The caller is not signed in."""


class NotAllowed(DomainError):
    """The caller's role or account status does not permit this action."""


class NotFound(DomainError):
    """A referenced document does not exist (or is not visible to the caller)."""


class WrongState(DomainError):
    """The document is in a state where this action makes no sense (e.g. the job is already taken)."""


class LostRace(DomainError):
    """Another caller changed the same documents at the same moment; retrying may succeed."""


class TooManyRequests(DomainError):
    """A rate or quota limit was reached; `retry_after_s`, when known, says when to try again."""

    def __init__(self, message: str, *, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class VendorUnavailable(DomainError):
    """A third-party service (payments, SMS, AI...) did not answer; retrying later may succeed."""
