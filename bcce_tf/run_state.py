"""What one CLI run knows about itself while it runs, as typed fields.

The root callback creates it once per invocation (`bcce_tf.cli.common.run_state(ctx)` finds it);
commands, the readiness gate and the runtime builder fill it in, and the run record and the
metrics publisher read it when the run ends. It also answers as a mapping (`state["stack"]`,
`state.get("attempts", {})`, `state.setdefault("transitions", [])`) so code that reads it by
name keeps working: a field that is None counts as absent, and a name that is not a field is kept
beside the fields.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(eq=False)
class RunState(MutableMapping[str, Any]):
    correlation_id: str | None = None
    options: Any = None  # the run's GlobalOptions
    operation: str | None = None  # what the run record calls the run, when not its command
    stack: str | None = None
    regions: list[str] | None = None
    config: Any = None  # the validated Config the run works on
    attempts: dict[str, int] | None = None  # attempts per retried operation
    transitions: list[dict[str, str]] | None = None  # circuit breaker transitions
    resilience: Any = None  # the run's Resilience (retry policy and breakers)
    progress: Any = None  # the run's Progress display
    readiness: Any = None  # the readiness Report of the run's gate
    readiness_score: int | None = None
    drifted_resources: int | None = None  # what bcce drift found, for the run record and its metric
    forced: dict[str, Any] | None = None  # what --force overrode
    announced: bool | None = None  # "bcce run <id>" was logged
    extra: dict[str, Any] = field(default_factory=dict)  # any other name

    def _is_field(self, name: str) -> bool:
        return name in _FIELDS

    def __getitem__(self, name: str) -> Any:
        if self._is_field(name):
            value = getattr(self, name)
            if value is None:
                raise KeyError(name)
            return value
        return self.extra[name]

    def __setitem__(self, name: str, value: Any) -> None:
        if self._is_field(name):
            setattr(self, name, value)
        else:
            self.extra[name] = value

    def __delitem__(self, name: str) -> None:
        if self._is_field(name):
            if getattr(self, name) is None:
                raise KeyError(name)
            setattr(self, name, None)
        else:
            del self.extra[name]

    def __iter__(self) -> Iterator[str]:
        yield from (name for name in _FIELDS if getattr(self, name) is not None)
        yield from list(self.extra)

    def __len__(self) -> int:
        return sum(1 for _ in self)


_FIELDS = frozenset(f.name for f in fields(RunState)) - {"extra"}
