"""Clients' vehicles, their service history and the reminder when the next service is due (issue 21, D105).

A client saves their vehicles (one per plate); a request may name one, and its completion records the job on
the vehicle in the completion's own commit (what, when, who, the odometer, the photos, the invoice) and moves
its next service date. The client and the technician of a job on the vehicle read the history; a daily job
reminds the client once when the next service is due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from curbside.deps import Deps
from curbside.domain.documents import JobCompletion, ServiceRequest, Vehicle, VehicleService
from curbside.domain.enums import NotificationType
from curbside.domain.errors import InvalidInput, NotAllowed, NotFound
from curbside.domain.vehicles import add_months, normalised_plate, vin_problem
from curbside.services import work
from curbside.services.accounts import require_usable_account
from curbside.services.notifications import notify
from curbside.store import queries
from curbside.store.collections import new_document_id
from curbside.store.uow import UnitOfWork

NOT_YOURS = "There is no such vehicle among yours."
HISTORY_PAGE = 50
REMINDER_PAGE = 200


@dataclass(frozen=True)
class VehicleDetails:
    license_plate: str
    make: str
    model: str
    year: int
    vin: str | None = None


@dataclass(frozen=True)
class SavedVehicle:
    vehicle_id: str
    created: bool


def save_vehicle(deps: Deps, uid: str, details: VehicleDetails) -> SavedVehicle:
    """Add a vehicle, or update the client's vehicle with the same plate."""
    vin = details.vin.upper() if details.vin else None
    if vin is not None and (problem := vin_problem(vin)) is not None:
        raise InvalidInput(f"vin: {problem}")
    plate_key = normalised_plate(details.license_plate)
    if not plate_key:
        raise InvalidInput("license_plate: a plate has letters or digits.")

    def decide(uow: UnitOfWork) -> SavedVehicle:
        require_usable_account(uow, uid)
        if uow.client_profiles.get(uid) is None:
            raise NotAllowed("Only clients keep vehicles; switch to the client app.")
        found = uow.vehicles.find(queries.VEHICLE_OF_PLATE, limit=1, client_id=uid, plate_key=plate_key)
        known = found[0] if found else None
        vehicle = Vehicle(
            id=known.id if known else new_document_id(), client_id=uid, license_plate=details.license_plate.strip(),
            plate_key=plate_key, make=details.make.strip(), model=details.model.strip(), year=details.year, vin=vin,
            last_service_at=known.last_service_at if known else None,
            next_service_due=known.next_service_due if known else None,
            reminder_due_at=known.reminder_due_at if known else None,
            created_date=known.created_date if known else uow.now, updated_date=uow.now)
        uow.vehicles.put(vehicle)
        return SavedVehicle(vehicle.id, known is None)

    return work.transaction(deps, decide, lost_race="Your vehicles changed at the same moment; try again.")


def require_own(uow: UnitOfWork, uid: str, vehicle_id: str) -> Vehicle:
    """In create_request's commit: the vehicle a request names is the caller's."""
    vehicle = uow.vehicles.get(vehicle_id)
    if vehicle is None or vehicle.client_id != uid:
        raise InvalidInput(f"vehicle_id: {NOT_YOURS}")
    return vehicle


def vehicle_of(uow: UnitOfWork, request: ServiceRequest) -> Vehicle | None:
    """The completion's read of the job's vehicle (a unit of work reads everything before it writes); None
    without one, or when it went with its owner's account meanwhile."""
    return uow.vehicles.get(request.vehicle_id) if request.vehicle_id else None


def record_service(uow: UnitOfWork, vehicle: Vehicle, request: ServiceRequest, completion: JobCompletion,
                   odometer_km: int | None) -> None:
    """In the completion's commit: the job on the vehicle's history, and the next service's date moved on."""
    uow.vehicle_services.create(VehicleService(
        id=request.id, vehicle_id=vehicle.id, client_id=request.client_id, request_id=request.id,
        dispatcher_id=completion.dispatcher_id, dispatcher_name=request.dispatcher_name,
        service=request.service_name or request.car_model, completed_at=completion.completed_at,
        odometer_km=odometer_km,
        photos=list(completion.completion_images), invoice_id=request.id))
    months = request.service_reminder_months or uow.settings.service_reminder_months
    due = add_months(completion.completed_at.date(), months)
    vehicle.last_service_at = completion.completed_at
    vehicle.next_service_due = due.isoformat()
    vehicle.reminder_due_at = dt.datetime.combine(due, dt.time(9), tzinfo=dt.UTC)
    vehicle.updated_date = uow.now
    uow.vehicles.save(vehicle)


def history(deps: Deps, uid: str, *, vehicle_id: str | None, request_id: str | None) -> list[VehicleService]:
    """The vehicle's services, newest first: for its client (by vehicle), or for the technician of a job on
    it (by that job)."""

    def look(uow: UnitOfWork) -> list[VehicleService]:
        require_usable_account(uow, uid)
        if request_id is not None:
            request = uow.requests.get(request_id)
            if request is None or uid not in (request.dispatcher_id, request.client_id):
                raise NotFound("There is no such job of yours.")
            if request.vehicle_id is None:
                return []
            target = request.vehicle_id
        else:
            target = require_own(uow, uid, str(vehicle_id)).id
        return list(uow.vehicle_services.find(queries.VEHICLE_HISTORY, limit=HISTORY_PAGE, vehicle_id=target))

    return work.reading(deps, look)


def send_service_reminders(deps: Deps) -> int:
    """The daily job: each vehicle whose next service is due is reminded once (its `reminder_due_at` cleared in
    the same commit as the notice). Returns how many were reminded."""
    due = work.reading(deps, lambda uow: [vehicle.id for vehicle in uow.vehicles.find(
        queries.SERVICES_DUE, limit=REMINDER_PAGE, now=uow.now)])
    return sum(work.transaction(deps, partial(_remind, vehicle_id=vehicle_id)) for vehicle_id in due)


def _remind(uow: UnitOfWork, *, vehicle_id: str) -> bool:
    vehicle = uow.vehicles.get(vehicle_id)
    if vehicle is None or vehicle.reminder_due_at is None or vehicle.reminder_due_at > uow.now:
        return False  # reminded by another run meanwhile
    notify(uow, user_id=vehicle.client_id, kind=NotificationType.SERVICE_DUE,
           title=f"Your {vehicle.make} {vehicle.model} is due for a service",
           body=f"{vehicle.license_plate}: its next service was due on {vehicle.next_service_due}. Book a "
                "technician to come to you.", request_id=None, key=f"{vehicle.id}:{vehicle.next_service_due}",
           data={"screen": "vehicle", "vehicle_id": vehicle.id})
    vehicle.reminder_due_at = None
    vehicle.updated_date = uow.now
    uow.vehicles.save(vehicle)
    return True
