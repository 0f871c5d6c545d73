"""The pricing engine: the spec's worked example to the cent, every rule shape, the scheduled discount, the
cap, rewards, and properties that must hold for any rules (never negative, never above the cap, independent
of the order rules are read in)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curbside.domain.documents import PricingRule
from curbside.domain.enums import RewardType, RuleType
from curbside.domain.pricing import PricingSettings, RewardDiscount, quote
from curbside.domain.pricing_conditions import Demand, Job, demand_radii_km
from seed.catalogue import pricing_rules as seeded_rules
from tests.factories import make_pricing_rule

SYDNEY = ZoneInfo("Australia/Sydney")
SYDNEY_CBD = (-33.8688, 151.2093)
PARRAMATTA_EDGE = (-33.80, 150.93)
"""Inside the Sydney market but outside every high-demand zone of the seed."""
TUESDAY_5_30_PM = dt.datetime(2026, 11, 24, 17, 30, tzinfo=SYDNEY)
TUESDAY_NOON = dt.datetime(2026, 11, 24, 12, 0, tzinfo=SYDNEY)
SATURDAY_NOON = dt.datetime(2026, 11, 28, 12, 0, tzinfo=SYDNEY)
D = Decimal


def job(at: dt.datetime = TUESDAY_NOON, where: tuple[float, float] = PARRAMATTA_EDGE, *, urgent: bool = False,
        scheduled: bool = False) -> Job:
    return Job(where[0], where[1], urgent, scheduled, at.astimezone(dt.UTC), SYDNEY)


def zone_rule(**overrides) -> PricingRule:
    return make_pricing_rule(**{
        "rule_name": "Location Premium", "rule_type": RuleType.LOCATION_PREMIUM, "multiplier": 1.3,
        "time_conditions": {}, "priority": 40, "applies_to_scheduled": True,
        "demand_conditions": {"zones": [{"name": "Sydney CBD", "lat": SYDNEY_CBD[0], "lng": SYDNEY_CBD[1],
                                         "radius_km": 2.0}]}, **overrides})


def peak_rule(**overrides) -> PricingRule:
    return make_pricing_rule(**{
        "rule_name": "Peak Hours", "rule_type": RuleType.TIME_OF_DAY, "multiplier": 1.2, "priority": 30,
        "time_conditions": {"start": "17:00", "end": "19:00"}, "applies_to_scheduled": True, **overrides})


def surge_rule(**overrides) -> PricingRule:
    return make_pricing_rule(**{
        "rule_name": "Demand surge", "rule_type": RuleType.DEMAND_SURGE, "multiplier": None, "priority": 10,
        "time_conditions": {}, "demand_conditions": {
            "metric": "open_requests_per_online_dispatcher", "radius_km": 10.0,
            "thresholds": [{"min_ratio": 1.5, "multiplier": 1.1}, {"min_ratio": 2.0, "multiplier": 1.25},
                           {"min_ratio": 3.0, "multiplier": 1.5}]}, **overrides})


def amounts(q) -> dict[str, Decimal]:
    return {line.code: line.amount for line in q.lines}


# --- the spec's example ------------------------------------------------------------------------------------


def test_the_spec_breakdown_comes_out_to_the_cent():
    q = quote(PricingSettings(), job(TUESDAY_5_30_PM, SYDNEY_CBD, urgent=True), [zone_rule(), peak_rule()],
              reward=RewardDiscount(RewardType.FIXED_DISCOUNT, amount=D("10.00")))

    assert q.base_price == D("33.00")
    assert [(line.code, line.label, line.amount) for line in q.lines] == [
        ("urgency", "Urgency (50%)", D("16.50")),
        ("location_premium", "Location Premium (30%)", D("9.90")),
        ("time_of_day", "Peak Hours (20%)", D("6.60")),
    ]
    assert (q.subtotal, q.reward_discount, q.final_price) == (D("66.00"), D("10.00"), D("56.00"))
    assert q.urgency_multiplier == D("1.5") and q.location_multiplier == D("1.3")
    assert q.breakdown() == {
        "base_price": D("33.00"),
        "lines": [{"code": "urgency", "label": "Urgency (50%)", "amount": D("16.50")},
                  {"code": "location_premium", "label": "Location Premium (30%)", "amount": D("9.90")},
                  {"code": "time_of_day", "label": "Peak Hours (20%)", "amount": D("6.60")}],
        "subtotal": D("66.00"), "reward_discount": D("10.00"), "final_price": D("56.00"), "currency": "EUR",
    }


def test_a_plain_job_costs_the_base_price():
    q = quote(PricingSettings(), job(), [zone_rule(), peak_rule()])
    assert q.lines == () and q.subtotal == q.final_price == D("33.00") and q.reward_discount == D("0.00")


def test_the_base_price_is_configurable():
    q = quote(PricingSettings(base_price=D("40.00")), job(urgent=True), [])
    assert amounts(q) == {"urgency": D("20.00")} and q.final_price == D("60.00")


def test_the_engine_reads_the_seeded_rules():
    rules = seeded_rules()
    saturday_peak_in_cbd = quote(PricingSettings(), job(dt.datetime(2026, 11, 28, 18, 0, tzinfo=SYDNEY),
                                                        SYDNEY_CBD), rules, {10.0: Demand(0, 5)})
    assert amounts(saturday_peak_in_cbd) == {"location_premium": D("9.90"), "time_of_day": D("6.60"),
                                             "day_of_week": D("4.95")}
    assert saturday_peak_in_cbd.subtotal == D("54.45")
    assert demand_radii_km(rules, job()) == {10.0}
    assert demand_radii_km(rules, job(scheduled=True)) == frozenset()  # surge does not price scheduled jobs


# --- each rule shape ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("local", "applies"), [
    (dt.time(16, 59), False), (dt.time(17, 0), True), (dt.time(18, 59), True), (dt.time(19, 0), False),
])
def test_a_time_window_includes_its_start_and_excludes_its_end(local, applies):
    at = dt.datetime.combine(TUESDAY_NOON.date(), local, tzinfo=SYDNEY)
    assert ("time_of_day" in amounts(quote(PricingSettings(), job(at), [peak_rule()]))) is applies


@pytest.mark.parametrize(("hour", "applies"), [(22, True), (2, True), (6, False), (21, False)])
def test_a_window_that_ends_before_it_starts_wraps_past_midnight(hour, applies):
    night = peak_rule(time_conditions={"start": "22:00", "end": "06:00"}, rule_name="Night")
    at = dt.datetime.combine(TUESDAY_NOON.date(), dt.time(hour), tzinfo=SYDNEY)
    assert ("time_of_day" in amounts(quote(PricingSettings(), job(at), [night]))) is applies


def test_time_rules_read_the_clients_time_zone_unless_the_rule_pins_one():
    five_thirty_in_sydney = job(TUESDAY_5_30_PM)
    assert "time_of_day" in amounts(quote(PricingSettings(), five_thirty_in_sydney, [peak_rule()]))
    pinned = peak_rule(time_conditions={"start": "17:00", "end": "19:00", "timezone": "Europe/Dublin"})
    assert "time_of_day" not in amounts(quote(PricingSettings(), five_thirty_in_sydney, [pinned]))


def test_weekend_rule_applies_on_local_weekend_days():
    weekend = make_pricing_rule(rule_name="Weekend", rule_type=RuleType.DAY_OF_WEEK, multiplier=1.15,
                                time_conditions={"days": ["saturday", "sunday"]})
    assert amounts(quote(PricingSettings(), job(SATURDAY_NOON), [weekend])) == {"day_of_week": D("4.95")}
    assert amounts(quote(PricingSettings(), job(TUESDAY_NOON), [weekend])) == {}
    # Saturday 09:00 in Sydney is still Friday in UTC: the local day decides.
    saturday_morning = dt.datetime(2026, 11, 28, 9, 0, tzinfo=SYDNEY)
    assert saturday_morning.astimezone(dt.UTC).weekday() == 4
    assert "day_of_week" in amounts(quote(PricingSettings(), job(saturday_morning), [weekend]))


def test_location_premium_applies_inside_a_zone_only():
    assert "location_premium" in amounts(quote(PricingSettings(), job(where=(-33.8750, 151.2070)), [zone_rule()]))
    assert "location_premium" not in amounts(quote(PricingSettings(), job(where=PARRAMATTA_EDGE), [zone_rule()]))


@pytest.mark.parametrize(("demand", "surge"), [
    (Demand(0, 0), None), (Demand(4, 4), None), (Demand(3, 2), D("3.30")), (Demand(5, 2), D("8.25")),
    (Demand(9, 3), D("16.50")), (Demand(1, 0), D("16.50")),
])
def test_surge_takes_the_highest_threshold_reached(demand, surge):
    q = quote(PricingSettings(), job(), [surge_rule()], {10.0: demand})
    assert amounts(q).get("demand_surge") == surge


def test_scarce_technicians_rule_applies_at_or_below_its_limit():
    scarce = make_pricing_rule(rule_name="Few technicians", rule_type=RuleType.DISPATCHER_AVAILABILITY,
                               multiplier=1.1, time_conditions={},
                               demand_conditions={"radius_km": 5, "max_available_dispatchers": 2})
    assert demand_radii_km([scarce], job()) == {5.0}
    assert amounts(quote(PricingSettings(), job(), [scarce], {5.0: Demand(0, 2)})) == {
        "dispatcher_availability": D("3.30")}
    assert amounts(quote(PricingSettings(), job(), [scarce], {5.0: Demand(0, 3)})) == {}


def test_a_fixed_amount_rule_adds_its_amount_and_says_so():
    fee = peak_rule(multiplier=None, fixed_amount=D("5.00"), rule_name="Evening call-out")
    both = peak_rule(multiplier=1.1, fixed_amount=D("2.50"), rule_name="Evening")
    assert [(line.label, line.amount) for line in quote(PricingSettings(), job(TUESDAY_5_30_PM), [fee]).lines] == [
        ("Evening call-out (+5.00)", D("5.00"))]
    assert [(line.label, line.amount) for line in quote(PricingSettings(), job(TUESDAY_5_30_PM), [both]).lines] == [
        ("Evening (10% +2.50)", D("5.80"))]


# --- selection ---------------------------------------------------------------------------------------------


def test_inactive_rules_and_service_type_rules_never_apply():
    rules = [peak_rule(is_active=False),
             make_pricing_rule(rule_type=RuleType.SERVICE_TYPE, multiplier=2.0, time_conditions={})]
    assert quote(PricingSettings(), job(TUESDAY_5_30_PM), rules).lines == ()


def test_of_two_matching_rules_of_one_type_the_higher_priority_applies():
    low = peak_rule(id="rule-a", multiplier=1.5, priority=1)
    high = peak_rule(id="rule-b", multiplier=1.1, priority=9)
    assert quote(PricingSettings(), job(TUESDAY_5_30_PM), [low, high]).applied_rules == ("rule-b",)
    tie = peak_rule(id="rule-c", multiplier=1.4, priority=9)
    assert quote(PricingSettings(), job(TUESDAY_5_30_PM), [tie, high]).applied_rules == ("rule-b",)


def test_a_higher_priority_rule_that_does_not_match_leaves_room_for_one_that_does():
    morning = peak_rule(id="rule-morning", time_conditions={"start": "07:00", "end": "09:00"}, priority=99)
    assert quote(PricingSettings(), job(TUESDAY_5_30_PM), [morning, peak_rule()]).applied_rules != ()


def test_lines_follow_rule_priority_after_urgency():
    q = quote(PricingSettings(), job(TUESDAY_5_30_PM, SYDNEY_CBD, urgent=True),
              [peak_rule(priority=50), zone_rule(priority=5)])
    assert [line.code for line in q.lines] == ["urgency", "time_of_day", "location_premium"]


@pytest.mark.parametrize("broken", [
    peak_rule(time_conditions={"start": "5pm", "end": "19:00"}),
    peak_rule(time_conditions={"start": "17:00", "end": "19:00", "timezone": "Mars/Olympus"}),
    make_pricing_rule(rule_type=RuleType.DAY_OF_WEEK, multiplier=1.1, time_conditions={"days": ["sat"]}),
    zone_rule(demand_conditions={"zones": [{"lat": "x", "lng": 151.2, "radius_km": 2}]}),
    zone_rule(demand_conditions={}),
    surge_rule(demand_conditions={"thresholds": []}),
    surge_rule(demand_conditions={"metric": "vibes", "thresholds": [{"min_ratio": 1, "multiplier": 2}]}),
    peak_rule(multiplier=None),
])
def test_a_malformed_rule_is_skipped_and_reported_not_fatal(broken):
    q = quote(PricingSettings(), job(TUESDAY_5_30_PM, SYDNEY_CBD), [broken, zone_rule(id="rule-good")],
              {10.0: Demand(10, 1)})
    assert q.ignored_rules == (broken.id,)
    assert q.applied_rules == ("rule-good",)


# --- scheduled jobs ----------------------------------------------------------------------------------------


def test_scheduled_jobs_save_fifteen_percent_of_base_and_premiums_and_skip_unscheduled_rules():
    rules = [zone_rule(), peak_rule(applies_to_scheduled=False), surge_rule()]
    q = quote(PricingSettings(), job(TUESDAY_5_30_PM, SYDNEY_CBD, scheduled=True), rules)
    assert [(line.code, line.label, line.amount) for line in q.lines] == [
        ("location_premium", "Location Premium (30%)", D("9.90")),
        ("scheduled_discount", "Scheduled discount (15%)", D("-6.44")),  # 15% of 42.90 = 6.435 -> 6.44
    ]
    assert q.subtotal == D("36.46")


def test_a_scheduled_job_alone_costs_85_percent_of_base():
    assert quote(PricingSettings(), job(scheduled=True), []).subtotal == D("28.05")


# --- the cap and rewards -----------------------------------------------------------------------------------


def test_the_cap_limits_the_subtotal_with_a_visible_line():
    greedy = [peak_rule(multiplier=3.0), zone_rule(multiplier=2.0)]
    q = quote(PricingSettings(max_multiplier=D("2.5")), job(TUESDAY_5_30_PM, SYDNEY_CBD, urgent=True), greedy)
    assert q.subtotal == D("82.50") and q.lines[-1].code == "price_cap"
    assert q.lines[-1].amount == D("82.50") - (D("33.00") + D("16.50") + D("66.00") + D("33.00"))


def test_discounting_rules_cannot_push_the_price_below_zero():
    giveaway = [peak_rule(multiplier=0.1), zone_rule(multiplier=0.1)]
    q = quote(PricingSettings(), job(TUESDAY_5_30_PM, SYDNEY_CBD), giveaway)
    assert q.subtotal == D("0.00") and q.lines[-1].code == "price_floor"


@pytest.mark.parametrize(("reward", "off"), [
    (RewardDiscount(RewardType.PERCENTAGE_DISCOUNT, percentage=D("20")), D("13.20")),
    (RewardDiscount(RewardType.PERCENTAGE_DISCOUNT, percentage=D("12.5")), D("8.25")),
    (RewardDiscount(RewardType.FIXED_DISCOUNT, amount=D("5.00")), D("5.00")),
    (RewardDiscount(RewardType.FIXED_DISCOUNT, amount=D("500.00")), D("66.00")),
    (RewardDiscount(RewardType.FREE_SERVICE), D("33.00")),
    (RewardDiscount(RewardType.PRIORITY_BOOKING), D("0.00")),
    (RewardDiscount(RewardType.SPECIAL_PERK), D("0.00")),
])
def test_rewards_come_off_the_subtotal_and_never_below_zero(reward, off):
    q = quote(PricingSettings(), job(TUESDAY_5_30_PM, SYDNEY_CBD, urgent=True), [zone_rule(), peak_rule()],
              reward=reward)
    assert q.subtotal == D("66.00") and q.reward_discount == off and q.final_price == D("66.00") - off


def test_a_free_service_on_a_cheap_scheduled_job_makes_it_free_not_negative():
    q = quote(PricingSettings(), job(scheduled=True), [], reward=RewardDiscount(RewardType.FREE_SERVICE))
    assert (q.subtotal, q.reward_discount, q.final_price) == (D("28.05"), D("28.05"), D("0.00"))


@pytest.mark.parametrize("bad", [
    {"base_price": D("0")}, {"base_price": D("33.001")}, {"urgency_multiplier": D("0.9")},
    {"scheduled_multiplier": D("1.1")}, {"scheduled_multiplier": D("0")}, {"max_multiplier": D("0.5")},
])
def test_settings_refuse_values_that_make_no_sense(bad):
    with pytest.raises(ValueError):  # noqa: PT011 (each case has its own message)
        PricingSettings(**bad)


# --- properties --------------------------------------------------------------------------------------------

MULTIPLIERS = st.decimals(min_value=D("0.5"), max_value=D("3"), places=2).map(float)
TIMES = st.times().map(lambda t: f"{t:%H:%M}")


@st.composite
def rules_strategy(draw: st.DrawFn) -> list[PricingRule]:
    rules = []
    for index in range(draw(st.integers(0, 8))):
        rule_type = draw(st.sampled_from(list(RuleType)))
        conditions: dict[str, dict[str, object]] = {"time_conditions": {}, "demand_conditions": {}}
        if rule_type is RuleType.TIME_OF_DAY:
            conditions["time_conditions"] = {"start": draw(TIMES), "end": draw(TIMES)}
        elif rule_type is RuleType.DAY_OF_WEEK:
            conditions["time_conditions"] = {"days": draw(st.lists(st.sampled_from(
                ["monday", "tuesday", "saturday", "sunday"]), min_size=1, unique=True))}
        elif rule_type is RuleType.LOCATION_PREMIUM:
            conditions["demand_conditions"] = {"zones": [{"name": "z", "lat": -33.87, "lng": 151.21,
                                                          "radius_km": draw(st.sampled_from([0.5, 5.0, 50.0]))}]}
        elif rule_type is RuleType.DEMAND_SURGE:
            conditions["demand_conditions"] = {"radius_km": draw(st.sampled_from([5.0, 10.0])), "thresholds": [
                {"min_ratio": draw(st.sampled_from([0.5, 1.0, 2.0])), "multiplier": draw(MULTIPLIERS)}]}
        elif rule_type is RuleType.DISPATCHER_AVAILABILITY:
            conditions["demand_conditions"] = {"radius_km": 5.0, "max_available_dispatchers": draw(st.integers(0, 3))}
        has_fixed = draw(st.booleans())
        rules.append(make_pricing_rule(
            id=f"rule-{index:02d}", rule_type=rule_type, rule_name=f"Rule {index}",
            multiplier=draw(st.one_of(st.none(), MULTIPLIERS)) if has_fixed else draw(MULTIPLIERS),
            fixed_amount=draw(st.decimals(min_value=0, max_value=50, places=2)) if has_fixed else None,
            priority=draw(st.integers(0, 3)), is_active=draw(st.booleans()),
            applies_to_scheduled=draw(st.booleans()), **conditions))
    return rules


JOBS = st.builds(
    Job, lat=st.floats(-33.95, -33.80), lng=st.floats(151.10, 151.30), is_urgent=st.booleans(),
    is_scheduled=st.booleans(),
    at=st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2027, 1, 1), timezones=st.just(dt.UTC)),
    zone=st.sampled_from([SYDNEY, ZoneInfo("Australia/Brisbane"), ZoneInfo("UTC")]),
)
SETTINGS = st.builds(PricingSettings, base_price=st.decimals(min_value=1, max_value=200, places=2),
                     urgency_multiplier=st.decimals(min_value=1, max_value=3, places=2),
                     scheduled_multiplier=st.decimals(min_value=D("0.05"), max_value=1, places=2),
                     max_multiplier=st.decimals(min_value=1, max_value=5, places=2))
REWARDS = st.one_of(st.none(), st.builds(
    RewardDiscount, reward_type=st.sampled_from(list(RewardType)),
    percentage=st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=1)),
    amount=st.one_of(st.none(), st.decimals(min_value=0, max_value=500, places=2))))
DEMANDS = st.builds(Demand, open_requests=st.integers(0, 50), available_dispatchers=st.integers(0, 20))


@settings(max_examples=300, deadline=None)
@given(case=st.tuples(SETTINGS, JOBS, rules_strategy(), REWARDS, DEMANDS), shuffler=st.randoms())
def test_any_price_is_within_zero_and_the_cap_adds_up_and_ignores_rule_order(case, shuffler):
    settings_, job_, rules, reward, demand = case
    counts = dict.fromkeys(demand_radii_km(rules, job_), demand)

    q = quote(settings_, job_, rules, counts, reward)

    assert D("0.00") <= q.final_price <= q.subtotal <= settings_.max_price
    assert q.subtotal == q.base_price + sum((line.amount for line in q.lines), D("0.00"))
    assert q.final_price == q.subtotal - q.reward_discount and q.reward_discount >= 0
    assert all(line.amount == line.amount.quantize(D("0.01")) for line in q.lines)
    shuffled = list(rules)
    shuffler.shuffle(shuffled)
    assert quote(settings_, job_, shuffled, counts, reward) == q
