"""Inputs of the guardrails component: the stack's Bedrock guardrail (provider generation 5 only).

hashicorp/aws 3.x has no Bedrock resources: with provider.generation 3 the component is not
enabled (Config.enabled_components) and render warns that no guardrail is deployed.
"""

from __future__ import annotations

from typing import Any

from bcce_tf.config import Config

SERVICES: tuple[str, ...] = ("bedrock", "kms")


def tfvars(config: Config, region: str) -> dict[str, Any]:
    g = config.guardrail
    return {
        "guardrails_content_filter_strength": g.content_filter_strength,
        "guardrails_denied_topics": [
            {"name": t.name, "definition": t.definition, "examples": list(t.examples)} for t in g.denied_topics
        ],
        "guardrails_blocked_words": list(g.blocked_words),
        "guardrails_pii_action": g.pii_action,
        "guardrails_blocked_message": g.blocked_message,
    }
