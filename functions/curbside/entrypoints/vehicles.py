"""Clients' vehicles and their service history, and the daily service reminder (services/vehicles.py)."""

from __future__ import annotations

from typing import Annotated, Any

from firebase_functions import https_fn, logger, scheduler_fn
from pydantic import Field, StrictInt, model_validator

from curbside import config, deps
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import DocId
from curbside.services import vehicles


class SaveVehiclePayload(Payload):
    license_plate: Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9][A-Za-z0-9 .-]*$")]
    make: Annotated[str, Field(min_length=1, max_length=40)]
    model: Annotated[str, Field(min_length=1, max_length=60)]
    year: Annotated[StrictInt, Field(ge=1950, le=2100)]
    vin: Annotated[str, Field(min_length=1, max_length=20)] | None = None

    def details(self) -> vehicles.VehicleDetails:
        return vehicles.VehicleDetails(self.license_plate, self.make, self.model, self.year, self.vin)


@on_call()
def save_vehicle(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, SaveVehiclePayload, lambda caller, p: vehicles.save_vehicle(
        deps.get(), caller.uid, p.details()))


class VehicleHistoryPayload(Payload):
    vehicle_id: DocId | None = None
    request_id: DocId | None = None

    @model_validator(mode="after")
    def _one_of(self) -> VehicleHistoryPayload:
        if (self.vehicle_id is None) == (self.request_id is None):
            raise ValueError("name the vehicle (vehicle_id) or a job on it (request_id), not both")
        return self


@on_call()
def get_vehicle_history(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, VehicleHistoryPayload, lambda caller, p: {"services": vehicles.history(
        deps.get(), caller.uid, vehicle_id=p.vehicle_id, request_id=p.request_id)})


@scheduler_fn.on_schedule(schedule="every day 09:00", timezone=config.DEFAULT_TIME_ZONE)
def send_service_reminders(event: scheduler_fn.ScheduledEvent) -> None:
    """Clients whose vehicle's next service is due are reminded, once."""
    logger.info("vehicles.service_reminders", reminded=vehicles.send_service_reminders(deps.get()))
