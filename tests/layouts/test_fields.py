"""The shared percentage field: bounds, commit on Enter, the label before the box."""

from layouts.fields import percent_field


def test_percent_field_is_bounded_0_to_100_by_default() -> None:
    label = percent_field("Stronghold from %", "s")
    text, box = label.children
    assert text == "Stronghold from % "
    assert (box.id, box.type, box.min, box.max, box.step, box.debounce) == (
        "s", "number", 0, 100, "any", True,
    )  # fmt: skip


def test_percent_field_without_upper_bound_keeps_its_value() -> None:
    box = percent_field("Flag attainment below %", "t", value=80.0, upper=None).children[1]
    assert (box.value, box.min, box.max) == (80.0, 0, None)
