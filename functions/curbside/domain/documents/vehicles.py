"""Clients' vehicles and their service history (issue 21; not in the spec).

Vehicles/{id}: a client's car — plate, make, model, year, VIN (optional, checksum-valid), the last service and
when the next is due (`reminder_due_at`, cleared once the reminder went). Read by its client.
VehicleServices/{request_id}: one completed job on a vehicle — what was done, when, by whom, the odometer if
given, the completion photos and the invoice (its id is the job's). Read by the vehicle's client; the
technician of a job on the vehicle reads the history through `get_vehicle_history`.
"""

from typing import Annotated

from pydantic import Field

from curbside.domain.documents.base import Document, UtcDatetime


class Vehicle(Document):
    client_id: str
    license_plate: Annotated[str, Field(min_length=1, max_length=16)]
    plate_key: str
    """The plate upper-cased, letters and digits only: one vehicle per plate and client."""
    make: Annotated[str, Field(min_length=1, max_length=40)]
    model: Annotated[str, Field(min_length=1, max_length=60)]
    year: Annotated[int, Field(ge=1950, le=2100)]
    vin: str | None = None
    last_service_at: UtcDatetime | None = None
    next_service_due: str | None = None
    """YYYY-MM-DD: `SERVICE_REMINDER_MONTHS` after the last service."""
    reminder_due_at: UtcDatetime | None = None
    """When the reminder goes; null once it went (the daily job's query reads only due ones)."""
    created_date: UtcDatetime
    updated_date: UtcDatetime


class VehicleService(Document):
    vehicle_id: str
    client_id: str
    request_id: str
    dispatcher_id: str
    dispatcher_name: str | None = None
    service: str
    completed_at: UtcDatetime
    odometer_km: Annotated[int, Field(ge=0, le=3_000_000)] | None = None
    photos: list[str] = Field(default_factory=list)
    invoice_id: str
    """`Invoices/{invoice_id}` once the payment is captured (the job's id)."""
