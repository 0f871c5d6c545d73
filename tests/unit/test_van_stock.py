"""Van stock arithmetic (issue 21): never below zero, the count always equals receipts minus uses, and the
reorder threshold tells once per crossing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curbside.domain.errors import InvalidInput, WrongState
from curbside.domain.van_stock import Stock, receive, use

EMPTY = Stock(quantity=0, minimum=2, received=0, used=0)


def test_a_use_takes_parts_out_and_reaching_the_minimum_is_a_crossing():
    stocked = receive(EMPTY, 4).after

    first = use(stocked, 1, "Brake pads")   # 4 -> 3: still above 2
    second = use(first.after, 1, "Brake pads")  # 3 -> 2: reaches it

    assert (first.after.quantity, first.reached_threshold) == (3, False)
    assert (second.after.quantity, second.reached_threshold) == (2, True)
    assert use(second.after, 1, "Brake pads").reached_threshold is False  # already at or below: told once


def test_a_van_cannot_give_more_than_it_holds_and_says_what_is_left():
    with pytest.raises(WrongState, match="Only 1 of Brake pads left in your van, and this job lists 2"):
        use(receive(EMPTY, 1).after, 2, "Brake pads")


def test_nothing_is_received_or_used_in_zero_or_negative_amounts():
    with pytest.raises(InvalidInput, match="quantity"):
        receive(EMPTY, 0)
    with pytest.raises(InvalidInput, match="quantity"):
        use(receive(EMPTY, 3).after, -1, "Brake pads")


def test_figures_that_do_not_add_up_are_not_a_stock():
    with pytest.raises(ValueError, match="received minus"):
        Stock(quantity=5, minimum=0, received=3, used=0)


moves = st.lists(st.tuples(st.sampled_from(["receive", "use"]), st.integers(min_value=-1, max_value=6)),
                 max_size=40)


@given(st.integers(min_value=0, max_value=5), moves)
def test_stock_is_always_receipts_minus_uses_and_each_crossing_is_told_once(minimum, steps):
    stock, received, used, told, crossings = Stock(0, minimum, 0, 0), 0, 0, 0, 0
    for kind, quantity in steps:
        try:
            change = receive(stock, quantity) if kind == "receive" else use(stock, quantity, "part")
        except (InvalidInput, WrongState):
            continue  # refused: nothing changes
        above_before = stock.quantity > minimum
        stock = change.after
        received += quantity if kind == "receive" else 0
        used += quantity if kind == "use" else 0
        told += change.reached_threshold
        crossings += above_before and stock.quantity <= minimum
        assert stock.quantity == received - used >= 0
    assert told == crossings
