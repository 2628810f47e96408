"""The run state: typed fields, and the same values when read by name."""

from __future__ import annotations

import pytest

from bcce_tf.run_state import RunState


def test_a_field_set_by_name_is_the_typed_field_and_back():
    state = RunState()
    state["stack"] = "bcce"
    state.regions = ["us-east-1"]
    assert state.stack == "bcce" and state["regions"] == ["us-east-1"]
    assert dict(state) == {"stack": "bcce", "regions": ["us-east-1"]}


def test_an_unset_field_is_absent_for_get_setdefault_and_in():
    state = RunState()
    assert "attempts" not in state and state.get("attempts", {}) == {}
    attempts = state.setdefault("attempts", {})
    attempts["terraform-plan"] = 2
    assert state.attempts == {"terraform-plan": 2}
    assert state.setdefault("attempts", {}) is attempts
    with pytest.raises(KeyError):
        state["forced"]
    with pytest.raises(KeyError):
        del state["forced"]


def test_a_name_that_is_no_field_is_kept_beside_the_fields():
    state = RunState(correlation_id="0123456789abcdef")
    state["publish_target"] = "cloudwatch"
    assert state["publish_target"] == "cloudwatch" and state.extra == {"publish_target": "cloudwatch"}
    assert list(state) == ["correlation_id", "publish_target"] and len(state) == 2
    del state["publish_target"], state["correlation_id"]
    assert dict(state) == {} and state.correlation_id is None
