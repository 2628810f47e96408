"""Parse the "Lock Info:" block Terraform prints when the state lock is held."""

from __future__ import annotations

import re

from bcce_tf.resilience.failure import LockInfo

_FIELD = re.compile(r"^\s*(ID|Path|Operation|Who|Version|Created|Info):[ \t]*(.*?)\s*$")


def parse_lock_info(text: str) -> LockInfo | None:
    """The lock holder from the first "Lock Info:" block in `text` (gutters already removed).

    None when there is no block or it carries no ID: without an ID there is nothing to wait
    for or to force-unlock.
    """
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == "Lock Info:"), None)
    if start is None:
        return None
    fields: dict[str, str] = {}
    for line in lines[start + 1 :]:
        match = _FIELD.match(line)
        if match is None:
            break
        fields.setdefault(match.group(1), match.group(2))
    if not fields.get("ID"):
        return None
    return LockInfo(
        id=fields["ID"],
        who=fields.get("Who", ""),
        created=fields.get("Created", ""),
        operation=fields.get("Operation", ""),
        path=fields.get("Path", ""),
    )
