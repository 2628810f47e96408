"""Read numeric settings given by flags, config or environment, with clear errors."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from bcce_tf.errors import UsageError


@dataclass(frozen=True)
class NumberSetting:
    field: str  # the dataclass field (and keyword override) it fills
    env_var: str | None  # None: only a flag or config value sets it
    whole: bool  # int when True, float otherwise
    minimum: float
    meaning: str  # "attempts", "seconds", ...

    def allowed(self) -> str:
        number = "a whole number" if self.whole else "a number"
        bound = f"{self.minimum:g}" if not self.whole else f"{int(self.minimum)}"
        return f"{number} of {self.meaning}, at least {bound}"


def resolve_settings(
    settings: tuple[NumberSetting, ...],
    environ: Mapping[str, str],
    overrides: Mapping[str, object | None],
) -> dict[str, int | float]:
    """Values for the fields that were given: an override (not None) wins over the environment."""
    known = {setting.field for setting in settings}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise TypeError(f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    values: dict[str, int | float] = {}
    for setting in settings:
        override = overrides.get(setting.field)
        if override is not None:
            values[setting.field] = parse_number(override, setting, source=setting.field)
        elif setting.env_var and environ.get(setting.env_var, "").strip():
            values[setting.field] = parse_number(environ[setting.env_var], setting, source=setting.env_var)
    return values


def check_settings(settings: tuple[NumberSetting, ...], values: object) -> None:
    """Raise UsageError when a field of `values` (a dataclass) breaks its rule."""
    for setting in settings:
        parse_number(getattr(values, setting.field), setting, source=setting.field)


def parse_number(raw: object, setting: NumberSetting, *, source: str) -> int | float:
    value = _to_number(raw, whole=setting.whole)
    if value is None or value < setting.minimum:
        raise UsageError(f"{source}={raw!r} is not valid: expected {setting.allowed()}")
    return value


def _to_number(raw: object, *, whole: bool) -> int | float | None:
    if isinstance(raw, bool):
        return None
    try:
        value = float(str(raw).strip())
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    if whole:
        return int(value) if value.is_integer() else None
    return value
