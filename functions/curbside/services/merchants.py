"""Merchant accounts and their SKUs, set up by admins (issue 21 item 6, D115).

A merchant is a signed-up account an admin turns into a business account: `Users.user_type` becomes
`merchant` and `Merchants/{uid}` holds the business. Only an account with no client or technician profile can
become one (a merchant login is the business's own). The SKUs a merchant orders by are a contract term, so
admins edit them too (`MerchantSkus/{merchant}~{code}`: brand, model, the service and its price). Both
callables are audited (D48) and idempotent: the same values again change nothing. The console lists the
merchants, and one merchant's SKUs and monthly statements, to edit them (D136).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from curbside.deps import Deps
from curbside.domain.documents import Merchant, MerchantSku
from curbside.domain.enums import UserType
from curbside.domain.errors import NotAllowed, NotFound, WrongState
from curbside.domain.merchants import sku_id
from curbside.services import work
from curbside.store import queries
from curbside.store.codec import encode_value
from curbside.store.collections import Collection
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

UPSERT_MERCHANT = "upsert_merchant"
UPSERT_MERCHANT_SKU = "upsert_merchant_sku"
ONLY_ADMINS = "Only admins set up merchants and their SKUs."
LISTED = 200
"""Merchants, SKUs of one merchant, or monthly statements shown at once (a contract's price list; 16 years)."""


@dataclass(frozen=True)
class MerchantFields:
    business_name: str
    billing_email: str
    is_active: bool


@dataclass(frozen=True)
class SkuFields:
    sku_code: str
    brand: str
    model: str
    service_name: str
    price: Decimal
    estimated_duration_minutes: int
    is_active: bool


@dataclass(frozen=True)
class Saved:
    id: str
    created: bool


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    changed = [name for name in after if before.get(name) != after[name]]
    return {name: before.get(name) for name in changed}, {name: after[name] for name in changed}


def upsert_merchant(deps: Deps, *, admin_uid: str, is_admin: bool, merchant_id: str, fields: MerchantFields,
                    reason: str) -> Saved:
    """Make a signed-up account a merchant, or change its business details or whether it may order."""
    if not is_admin:
        raise NotAllowed(ONLY_ADMINS)

    def decide(uow: UnitOfWork) -> Saved:
        user = uow.users.get(merchant_id)
        if user is None:
            raise NotFound("There is no signed-up account with that uid: the business signs up first.")
        stored = uow.merchants.get(merchant_id)
        if stored is None and (user.user_type not in (None, UserType.MERCHANT)
                               or uow.client_profiles.get(merchant_id) or uow.dispatcher_profiles.get(merchant_id)):
            raise WrongState("That account is a client or technician account; a merchant needs an account of "
                             "its own.")
        wanted = {"business_name": fields.business_name.strip(), "billing_email": fields.billing_email.strip(),
                  "is_active": fields.is_active}
        before = stored.model_dump(include=set(wanted)) if stored else {}
        if stored is None:
            uow.merchants.create(Merchant(id=merchant_id, created_date=uow.now, updated_date=uow.now, **wanted))
        elif before != wanted:
            uow.merchants.save(evolve(stored, updated_date=uow.now, **wanted))
        if user.user_type is not UserType.MERCHANT:
            uow.users.save(evolve(user, user_type=UserType.MERCHANT, updated_date=uow.now))
        old, new = _changes(before, wanted)
        if new:
            uow.audit.record(actor_id=admin_uid, action=UPSERT_MERCHANT, target=Collection.MERCHANTS,
                             target_id=merchant_id, before=old, after=new, reason=reason)
        return Saved(merchant_id, stored is None)

    return work.transaction(deps, decide, lost_race="The merchant changed at the same moment; try again.")


def upsert_sku(deps: Deps, *, admin_uid: str, is_admin: bool, merchant_id: str, fields: SkuFields,
               reason: str) -> Saved:
    """Add a SKU to a merchant's list or change it (a new price applies to orders made from then on)."""
    if not is_admin:
        raise NotAllowed(ONLY_ADMINS)
    doc_id = sku_id(merchant_id, fields.sku_code)

    def decide(uow: UnitOfWork) -> Saved:
        if uow.merchants.get(merchant_id) is None:
            raise NotFound("There is no merchant with that id; set the merchant up first.")
        stored = uow.merchant_skus.get(doc_id)
        wanted = {"brand": fields.brand.strip(), "model": fields.model.strip(),
                  "service_name": fields.service_name.strip(), "price": fields.price,
                  "estimated_duration_minutes": fields.estimated_duration_minutes, "is_active": fields.is_active}
        before = stored.model_dump(include=set(wanted)) if stored else {}
        if stored is None:
            uow.merchant_skus.create(MerchantSku(id=doc_id, merchant_id=merchant_id, sku_code=fields.sku_code,
                                                 updated_date=uow.now, **wanted))
        elif before != wanted:
            uow.merchant_skus.save(evolve(stored, updated_date=uow.now, **wanted))
        old, new = _changes(before, wanted)
        if new:
            uow.audit.record(actor_id=admin_uid, action=UPSERT_MERCHANT_SKU, target=Collection.MERCHANT_SKUS,
                             target_id=doc_id, before=encode_value(old), after=encode_value(new), reason=reason)
        return Saved(doc_id, stored is None)

    return work.transaction(deps, decide, lost_race="The SKU changed at the same moment; try again.")


def list_merchants(deps: Deps, *, is_admin: bool) -> dict[str, Any]:
    """Every merchant by business name, for the console."""
    if not is_admin:
        raise NotAllowed(ONLY_ADMINS)
    found = work.reading(deps, lambda uow: uow.merchants.find(queries.MERCHANTS_BY_NAME, limit=LISTED))
    return {"merchants": [{"merchant_id": m.id, **m.model_dump(exclude={"id"})} for m in found]}


def merchant_account(deps: Deps, *, is_admin: bool, merchant_id: str) -> dict[str, Any]:
    """One merchant with its SKUs (by code) and its monthly statements (newest first), for the console."""
    if not is_admin:
        raise NotAllowed(ONLY_ADMINS)

    def look(uow: UnitOfWork) -> dict[str, Any]:
        merchant = uow.merchants.get(merchant_id)
        if merchant is None:
            raise NotFound(f"merchant_id: there is no merchant {merchant_id}.")
        skus = uow.merchant_skus.find(queries.SKUS_OF_MERCHANT, limit=LISTED, merchant_id=merchant_id)
        statements = uow.merchant_statements.find(queries.STATEMENTS_OF_MERCHANT, limit=LISTED,
                                                  merchant_id=merchant_id)
        return {"merchant": {"merchant_id": merchant.id, **merchant.model_dump(exclude={"id"})},
                "skus": [sku.model_dump(exclude={"id", "merchant_id"})
                         for sku in sorted(skus, key=lambda sku: sku.sku_code)],
                "statements": [{"statement_id": s.id, **s.model_dump(exclude={"id", "merchant_id"})}
                               for s in statements]}

    return work.reading(deps, look)
