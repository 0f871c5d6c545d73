"""The function registry: the Firebase CLI imports this module to discover what to deploy.

It only registers — no clients, no parameter reads, no network at import (DESIGN.md convention 1).
Dependencies are built on the first invocation through `core.init`.
"""

from firebase_functions import core, options

from curbside import bootstrap, config

options.set_global_options(region=config.REGION, max_instances=20, secrets=config.NOTICE_SECRETS)
core.init(bootstrap.initialize)

from curbside.entrypoints.accounts import (  # noqa: E402
    on_user_created,
    on_user_written,
    register_device,
    set_locale,
    set_user_type,
)
from curbside.entrypoints.admin_console import (  # noqa: E402
    admin_dashboard,
    admin_get_dispute,
    admin_get_ticket,
    admin_list_disputes,
    admin_list_fraud_alerts,
    admin_list_rewards,
    admin_list_tickets,
    admin_list_users,
)
from curbside.entrypoints.admin_files import (  # noqa: E402
    admin_delete_file,
    admin_list_files,
    admin_share_file,
    admin_upload_file,
)
from curbside.entrypoints.admin_users import admin_delete_user, admin_get_user, admin_reset_password  # noqa: E402
from curbside.entrypoints.audit_trail import admin_list_audit_log  # noqa: E402
from curbside.entrypoints.calendars import (  # noqa: E402
    book_recurring_jobs,
    create_recurring_booking,
    list_available_slots,
    set_calendar,
    set_time_off,
)
from curbside.entrypoints.catalogue import (  # noqa: E402
    admin_deactivate_service,
    admin_save_service,
    admin_set_technician_skills,
    list_services,
    set_abn,
)
from curbside.entrypoints.chat import mark_messages_delivered, mark_messages_read, send_message  # noqa: E402
from curbside.entrypoints.completions import auto_approve_completions, complete_job, review_dispatcher  # noqa: E402
from curbside.entrypoints.discovery import list_nearby_technicians  # noqa: E402
from curbside.entrypoints.disputes import (  # noqa: E402
    add_dispute_comment,
    admin_close_dispute,
    admin_request_dispute_info,
    admin_resolve_dispute,
    escalate_disputes,
    raise_dispute,
)
from curbside.entrypoints.insurance import admin_update_insurance_claim  # noqa: E402
from curbside.entrypoints.leads import expire_leads, messenger_webhook  # noqa: E402
from curbside.entrypoints.locations import set_availability, update_location  # noqa: E402
from curbside.entrypoints.merchants import (  # noqa: E402
    admin_get_merchant,
    admin_list_merchants,
    admin_upsert_merchant,
    admin_upsert_merchant_sku,
    cancel_merchant_order,
    create_merchant_order,
    issue_merchant_statements,
)
from curbside.entrypoints.notifications import mark_notifications_read  # noqa: E402
from curbside.entrypoints.offers import (  # noqa: E402
    accept_job,
    accept_offer,
    expire_offer,
    list_available_jobs,
    match_surge_window,
    reject_offer,
    retry_dispatch,
)
from curbside.entrypoints.outbox import sweep_outbox  # noqa: E402
from curbside.entrypoints.payments import (  # noqa: E402
    create_payout_account,
    on_request_updated,
    setup_payment_method,
    stripe_webhook,
)
from curbside.entrypoints.phone import check_phone_verification, start_phone_verification  # noqa: E402
from curbside.entrypoints.photo_quotes import (  # noqa: E402
    accept_revised_price,
    admin_set_dent_matrix,
    decline_revised_price,
    propose_revised_price,
    quote_from_photos,
)
from curbside.entrypoints.pricing_rules import (  # noqa: E402
    admin_delete_pricing_rule,
    admin_list_pricing_rules,
    admin_preview_pricing_rule,
    admin_upsert_pricing_rule,
)
from curbside.entrypoints.privacy import delete_my_account, export_my_data  # noqa: E402
from curbside.entrypoints.reminders import send_scheduled_reminders  # noqa: E402
from curbside.entrypoints.requests import (  # noqa: E402
    activate_scheduled_jobs,
    cancel_request,
    create_request,
    on_request_created,
    quote_price,
    update_job_status,
)
from curbside.entrypoints.reviews import apply_pending_reviews, review_client  # noqa: E402
from curbside.entrypoints.rewards import (  # noqa: E402
    admin_delete_reward,
    admin_upsert_reward,
    apply_referral_code,
    expire_redemptions,
    get_referral_code,
    redeem_reward,
)
from curbside.entrypoints.support import (  # noqa: E402
    admin_add_ticket_note,
    admin_reply_ticket,
    cleanup_expired_tickets,
    create_support_ticket,
    rate_support_ticket,
    request_live_agent,
    send_support_message,
)
from curbside.entrypoints.trust import (  # noqa: E402
    admin_set_account_status,
    admin_update_fraud_alert,
    monitor_fraud,
    on_account_status_written,
    on_dispatcher_profile_updated,
)
from curbside.entrypoints.uploads import on_upload_finalized  # noqa: E402
from curbside.entrypoints.van_stock import receive_van_stock, set_van_part  # noqa: E402
from curbside.entrypoints.vehicles import get_vehicle_history, save_vehicle, send_service_reminders  # noqa: E402
from curbside.entrypoints.verification import (  # noqa: E402
    admin_get_verification,
    admin_list_verification_queue,
    admin_review_verification,
    background_check_webhook,
    check_insurance_expiry,
    submit_verification_step,
)

__all__ = [
    "accept_job",
    "accept_offer",
    "accept_revised_price",
    "activate_scheduled_jobs",
    "add_dispute_comment",
    "admin_add_ticket_note",
    "admin_close_dispute",
    "admin_dashboard",
    "admin_deactivate_service",
    "admin_delete_file",
    "admin_delete_pricing_rule",
    "admin_delete_reward",
    "admin_delete_user",
    "admin_get_dispute",
    "admin_get_merchant",
    "admin_get_ticket",
    "admin_get_user",
    "admin_get_verification",
    "admin_list_audit_log",
    "admin_list_disputes",
    "admin_list_files",
    "admin_list_fraud_alerts",
    "admin_list_merchants",
    "admin_list_pricing_rules",
    "admin_list_rewards",
    "admin_list_tickets",
    "admin_list_users",
    "admin_list_verification_queue",
    "admin_preview_pricing_rule",
    "admin_reply_ticket",
    "admin_request_dispute_info",
    "admin_reset_password",
    "admin_resolve_dispute",
    "admin_review_verification",
    "admin_save_service",
    "admin_set_account_status",
    "admin_set_dent_matrix",
    "admin_set_technician_skills",
    "admin_share_file",
    "admin_update_fraud_alert",
    "admin_update_insurance_claim",
    "admin_upload_file",
    "admin_upsert_merchant",
    "admin_upsert_merchant_sku",
    "admin_upsert_pricing_rule",
    "admin_upsert_reward",
    "apply_pending_reviews",
    "apply_referral_code",
    "auto_approve_completions",
    "background_check_webhook",
    "book_recurring_jobs",
    "cancel_merchant_order",
    "cancel_request",
    "check_insurance_expiry",
    "check_phone_verification",
    "cleanup_expired_tickets",
    "complete_job",
    "create_merchant_order",
    "create_payout_account",
    "create_recurring_booking",
    "create_request",
    "create_support_ticket",
    "decline_revised_price",
    "delete_my_account",
    "escalate_disputes",
    "expire_leads",
    "expire_offer",
    "expire_redemptions",
    "export_my_data",
    "get_referral_code",
    "get_vehicle_history",
    "issue_merchant_statements",
    "list_available_jobs",
    "list_available_slots",
    "list_nearby_technicians",
    "list_services",
    "mark_messages_delivered",
    "mark_messages_read",
    "mark_notifications_read",
    "match_surge_window",
    "messenger_webhook",
    "monitor_fraud",
    "on_account_status_written",
    "on_dispatcher_profile_updated",
    "on_request_created",
    "on_request_updated",
    "on_upload_finalized",
    "on_user_created",
    "on_user_written",
    "propose_revised_price",
    "quote_from_photos",
    "quote_price",
    "raise_dispute",
    "rate_support_ticket",
    "receive_van_stock",
    "redeem_reward",
    "register_device",
    "reject_offer",
    "request_live_agent",
    "retry_dispatch",
    "review_client",
    "review_dispatcher",
    "save_vehicle",
    "send_message",
    "send_scheduled_reminders",
    "send_service_reminders",
    "send_support_message",
    "set_abn",
    "set_availability",
    "set_calendar",
    "set_locale",
    "set_time_off",
    "set_user_type",
    "set_van_part",
    "setup_payment_method",
    "start_phone_verification",
    "stripe_webhook",
    "submit_verification_step",
    "sweep_outbox",
    "update_job_status",
    "update_location",
]
