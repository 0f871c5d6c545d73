"""The technician's van stock (issue 21): the parts they carry, deliveries, and the parts a completed job used.

Every count change and its movement are written in one transaction (`domain.van_stock`), the uses inside the
completion's own commit, so stock never goes below zero even when two jobs finish at once and a retried call
moves nothing twice. Reaching the reorder threshold tells the technician and the admins, once per crossing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from curbside.deps import Deps
from curbside.domain.documents import PartUsed, VanStockItem, VanStockMovement
from curbside.domain.enums import NotificationType
from curbside.domain.errors import InvalidInput, NotAllowed
from curbside.domain.texts import t
from curbside.domain.van_stock import Change, Stock, receive, use
from curbside.services import work
from curbside.services.accounts import admins, require_usable_account
from curbside.services.notifications import notify
from curbside.store.uow import UnitOfWork

ONLY_TECHNICIANS = "Only technicians keep van stock."
CHANGED = "Your van stock changed at the same moment; try again."
MOST_ADMINS_TOLD = 20


@dataclass(frozen=True)
class StockLevel:
    sku: str
    quantity: int
    minimum: int


def item_id(uid: str, sku: str) -> str:
    return f"{uid}~{sku}"


def _stock(item: VanStockItem) -> Stock:
    return Stock(item.quantity, item.minimum, item.received_total, item.used_total)


def _require_technician(uow: UnitOfWork, uid: str) -> None:
    require_usable_account(uow, uid)
    if uow.dispatcher_profiles.get(uid) is None:
        raise NotAllowed(ONLY_TECHNICIANS)


def set_part(deps: Deps, uid: str, sku: str, *, name: str, unit_cost: Decimal, minimum: int) -> StockLevel:
    """Add a part to the van's list, or change its name, cost or reorder threshold (never its count)."""

    def decide(uow: UnitOfWork) -> StockLevel:
        _require_technician(uow, uid)
        stored = uow.van_stock.get(item_id(uid, sku))
        item = VanStockItem(id=item_id(uid, sku), dispatcher_id=uid, sku=sku, name=name, unit_cost=unit_cost,
                            minimum=minimum, quantity=stored.quantity if stored else 0,
                            received_total=stored.received_total if stored else 0,
                            used_total=stored.used_total if stored else 0, updated_date=uow.now)
        uow.van_stock.put(item)
        return StockLevel(sku, item.quantity, item.minimum)

    return work.transaction(deps, decide, lost_race=CHANGED)


def receive_stock(deps: Deps, uid: str, sku: str, quantity: int, receipt_key: str) -> StockLevel:
    """A delivery into the van, once per `receipt_key` (the app's retry of the same delivery adds nothing)."""

    def decide(uow: UnitOfWork) -> StockLevel:
        _require_technician(uow, uid)
        item = uow.van_stock.get(item_id(uid, sku))
        if item is None:
            raise InvalidInput(f"sku: '{sku}' is not on your van's parts list; add it first.")
        movement_id = f"{item.id}~receipt~{receipt_key}"
        if uow.van_stock_movements.get(movement_id) is None:
            change = receive(_stock(item), quantity)
            _apply(uow, item, change)
            uow.van_stock_movements.create(VanStockMovement(
                id=movement_id, dispatcher_id=uid, sku=sku, kind="receipt", quantity=quantity,
                quantity_after=change.after.quantity, created_date=uow.now))
        return StockLevel(sku, item.quantity, item.minimum)

    return work.transaction(deps, decide, lost_race=CHANGED)


def take_for_job(uow: UnitOfWork, uid: str, request_id: str, parts: Sequence[tuple[str, int]]) -> list[PartUsed]:
    """In the completion's transaction: take the job's parts out of the van, or refuse the whole completion
    naming the part that is short. Reads every item first (a transaction's reads come before its writes)."""
    if len({sku for sku, _ in parts}) != len(parts):
        raise InvalidInput("parts_used: list each part once, with its total quantity.")
    items = uow.van_stock.get_many([item_id(uid, sku) for sku, _ in parts])
    changes: list[tuple[VanStockItem, Change, int]] = []
    for index, ((sku, quantity), item) in enumerate(zip(parts, items, strict=True)):
        if item is None:
            raise InvalidInput(f"parts_used[{index}].sku: '{sku}' is not on your van's parts list.")
        changes.append((item, use(_stock(item), quantity, item.name), quantity))
    told = tuple(admins(uow, most=MOST_ADMINS_TOLD)) if any(c.reached_threshold for _, c, _ in changes) else ()
    used = []
    for item, change, quantity in changes:
        _apply(uow, item, change)
        uow.van_stock_movements.create(VanStockMovement(
            id=f"{item.id}~use~{request_id}", dispatcher_id=uid, sku=item.sku, kind="use", quantity=quantity,
            request_id=request_id, quantity_after=change.after.quantity, created_date=uow.now))
        if change.reached_threshold:
            _tell_reorder(uow, item, [uid, *(admin.id for admin in told)])
        used.append(PartUsed(sku=item.sku, name=item.name, quantity=quantity, unit_cost=item.unit_cost))
    return used


def _apply(uow: UnitOfWork, item: VanStockItem, change: Change) -> None:
    item.quantity, item.received_total, item.used_total = (change.after.quantity, change.after.received,
                                                           change.after.used)
    item.updated_date = uow.now
    uow.van_stock.save(item)


def _tell_reorder(uow: UnitOfWork, item: VanStockItem, user_ids: list[str]) -> None:
    key = f"{item.id}:{item.used_total}"  # one crossing, one notice each, whatever retries the commit
    for user_id in dict.fromkeys(user_ids):
        notify(uow, user_id=user_id, kind=NotificationType.STOCK_LOW, title=t("Reorder {part}", part=item.name),
               body=t("{quantity} left in the van (reorder at {minimum}).", quantity=item.quantity,
                      minimum=item.minimum), request_id=None, key=key,
               data={"screen": "van_stock", "sku": item.sku, "dispatcher_id": item.dispatcher_id})
