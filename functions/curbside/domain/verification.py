"""A technician's verification (spec section 11), as pure rules: three steps, one derived verdict.

Each step (identity, vehicle, background check) has its own status field on `DispatcherProfiles`, moved only
through its lifecycle table (`domain.lifecycles.STEP_LIFECYCLES`). Everything else about the verification is
*derived* from the steps, never set by hand (`settled`):

- `verification_status`: all three approved -> `verified`; any rejected -> `rejected`; otherwise
  `under_review` once anything was submitted; `pending` before that (`overall_status`);
- `verification_completed_date` while verified, `passport_verified` while the identity step is approved;
- `rejection_reason`: the reasons of the steps rejected now, one line each;
- `awaiting_review_since`: the oldest submission an admin must decide on (the review queue's order) — identity
  and vehicle under review, and a background check the provider did not clear (`consider`, or a report that
  stopped: suspended, disputed, cancelled).

The submission checks that need a date (vehicle year, insurance expiry) take "today" as an argument.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from curbside.domain.documents import DispatcherProfile, DispatcherProfilePrivate
from curbside.domain.enums import BackgroundCheckResult, StepStatus, VerificationStatus, VerificationStep
from curbside.domain.errors import InvalidInput

FIRST_VEHICLE_YEAR = 1980


@dataclass(frozen=True)
class StepFields:
    """Where a step lives on the profile."""

    status: str
    submitted_at: str
    rejection_reason: str
    title: str
    """How a person calls it ("Vehicle")."""


STEP_FIELDS: dict[VerificationStep, StepFields] = {
    VerificationStep.IDENTITY: StepFields("identity_verification_status", "identity_submitted_at",
                                          "identity_rejection_reason", "Identity"),
    VerificationStep.VEHICLE: StepFields("vehicle_verification_status", "vehicle_submitted_at",
                                         "vehicle_rejection_reason", "Vehicle"),
    VerificationStep.BACKGROUND_CHECK: StepFields("background_check_status", "background_check_submitted_at",
                                                  "background_check_rejection_reason", "Background check"),
}

ATTENTION_REPORT_STATUSES = frozenset({"suspended", "dispute", "canceled"})
"""Report statuses of the provider that stop the check without a verdict: an admin must look."""


def overall_status(identity: StepStatus, vehicle: StepStatus, background_check: StepStatus) -> VerificationStatus:
    """The technician's verdict from the three step statuses (the module docstring's rule)."""
    steps = (identity, vehicle, background_check)
    if all(step is StepStatus.APPROVED for step in steps):
        return VerificationStatus.VERIFIED
    if any(step is StepStatus.REJECTED for step in steps):
        return VerificationStatus.REJECTED
    if any(step is not StepStatus.PENDING for step in steps):
        return VerificationStatus.UNDER_REVIEW
    return VerificationStatus.PENDING


def step_status(profile: DispatcherProfile, step: VerificationStep) -> StepStatus:
    status: StepStatus = getattr(profile, STEP_FIELDS[step].status)
    return status


def check_needs_admin(private: DispatcherProfilePrivate) -> bool:
    """The provider's answer leaves the background check to an admin (`consider`, or a stopped report)."""
    return (private.background_check_result is BackgroundCheckResult.CONSIDER
            or private.background_check_report_status in ATTENTION_REPORT_STATUSES)


def awaits_admin(profile: DispatcherProfile, step: VerificationStep, private: DispatcherProfilePrivate) -> bool:
    """Whether an admin must decide on this step now."""
    if step_status(profile, step) is not StepStatus.UNDER_REVIEW:
        return False
    return step is not VerificationStep.BACKGROUND_CHECK or check_needs_admin(private)


def settled(profile: DispatcherProfile, private: DispatcherProfilePrivate, now: dt.datetime) -> DispatcherProfile:
    """The profile with every derived verification field brought in line with its steps."""
    status = overall_status(profile.identity_verification_status, profile.vehicle_verification_status,
                            profile.background_check_status)
    waiting = [getattr(profile, STEP_FIELDS[step].submitted_at) or now for step in VerificationStep
               if awaits_admin(profile, step, private)]
    reasons = [f"{fields.title}: {getattr(profile, fields.rejection_reason)}" for step, fields in STEP_FIELDS.items()
               if step_status(profile, step) is StepStatus.REJECTED and getattr(profile, fields.rejection_reason)]
    completed = profile.verification_completed_date if profile.verification_status is VerificationStatus.VERIFIED \
        else now
    return DispatcherProfile.model_validate({
        **profile.model_dump(),
        "verification_status": status,
        "verification_completed_date": completed if status is VerificationStatus.VERIFIED else None,
        "passport_verified": profile.identity_verification_status is StepStatus.APPROVED,
        "rejection_reason": "\n".join(reasons) or None,
        "awaiting_review_since": min(waiting) if waiting else None,
    })


# --- what a submission must satisfy --------------------------------------------------------------------------


def local_today(now: dt.datetime, time_zone: str) -> dt.date:
    """The calendar day it is in the platform's time zone (insurance covers whole days)."""
    return now.astimezone(ZoneInfo(time_zone)).date()


def check_vehicle_year(year: int, today: dt.date) -> str:
    """The year as the spec stores it (a string), if it is 1980 to next year."""
    latest = today.year + 1
    if not FIRST_VEHICLE_YEAR <= year <= latest:
        raise InvalidInput(f"vehicle_year: {year} is not a year between {FIRST_VEHICLE_YEAR} and {latest}.")
    return str(year)


_PLATE = re.compile(r"^[A-Z0-9]+(?:[ -][A-Z0-9]+)*$")


def normalised_plate(plate: str) -> str:
    """The plate in capitals, its characters and single spaces or hyphens between them, 2-12 long."""
    upper = " ".join(plate.upper().split())
    if not 2 <= len(upper) <= 12 or not _PLATE.match(upper):
        raise InvalidInput("vehicle_license_plate: use the letters and digits of the plate (2 to 12 characters, "
                           "single spaces or hyphens between groups).")
    return upper


def check_insurance_expiry(expiry: dt.date, today: dt.date) -> str:
    """The expiry as stored ("YYYY-MM-DD"), if the insurance still covers tomorrow."""
    if expiry <= today:
        raise InvalidInput(f"vehicle_insurance_expiry: the insurance must be current; {expiry.isoformat()} is not "
                           "after today. Upload your current insurance.")
    return expiry.isoformat()


def insurance_lapsed(expiry: str | None, today: dt.date) -> bool:
    """The insurance's last covered day is behind us."""
    return expiry is not None and dt.date.fromisoformat(expiry) < today
