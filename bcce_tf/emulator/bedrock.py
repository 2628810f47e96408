"""Amazon Bedrock's model catalogue and model access, which moto 5.2 lacks (it emulates custom
models and invocation logging only).

- bedrock  ListFoundationModels            (readiness: which Claude models a region offers)
- bedrock  GetFoundationModelAvailability  (readiness: whether the account may use each of them)

The catalogue is a fixed sample of real Anthropic model ids (Bedrock user guide, "Supported
foundation models"), offered in every emulated region. Every model starts available to the
account: agreement AVAILABLE, AUTHORIZED, entitlement and region AVAILABLE. A harness that runs the
server in process changes that per account and region with `set_availability`, to emulate a model
whose agreement was not accepted yet or that a region does not offer.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote, urlparse

OPERATIONS: dict[str, tuple[str, ...]] = {
    "bedrock": ("ListFoundationModels", "GetFoundationModelAvailability"),
}

# (model id, model name)
ANTHROPIC_MODELS: tuple[tuple[str, str], ...] = (
    ("anthropic.claude-3-5-haiku-20241022-v1:0", "Claude 3.5 Haiku"),
    ("anthropic.claude-3-7-sonnet-20250219-v1:0", "Claude 3.7 Sonnet"),
    ("anthropic.claude-sonnet-4-20250514-v1:0", "Claude Sonnet 4"),
    ("anthropic.claude-opus-4-1-20250805-v1:0", "Claude Opus 4.1"),
    ("anthropic.claude-sonnet-4-5-20250929-v1:0", "Claude Sonnet 4.5"),
    ("anthropic.claude-haiku-4-5-20251001-v1:0", "Claude Haiku 4.5"),
)
ModelNotFound: Any = None  # the error class, defined when installed (it subclasses moto's)
AVAILABLE = {"agreement": "AVAILABLE", "authorization": "AUTHORIZED", "entitlement": "AVAILABLE", "region": "AVAILABLE"}


def _availability(backend: Any) -> dict[str, dict[str, str]]:
    # Kept on the backend instance, so moto's reset (which re-creates backends) clears it too.
    store = backend.__dict__.get("_bcce_model_availability")
    if store is None:
        store = backend.__dict__["_bcce_model_availability"] = {}
    return store


def set_availability(account_id: str, region_name: str, model_id: str, /, **answer: str) -> None:
    """Change what GetFoundationModelAvailability answers for one model in one account and region
    (keyword arguments: the keys of AVAILABLE)."""
    from moto.bedrock.models import bedrock_backends

    unknown = set(answer) - set(AVAILABLE)
    if unknown:
        raise ValueError(f"unknown availability fields: {sorted(unknown)}")
    _availability(bedrock_backends[account_id][region_name])[model_id] = {**AVAILABLE, **answer}


def _summary(region: str, model_id: str, name: str, partition: str) -> dict[str, Any]:
    return {
        "modelArn": f"arn:{partition}:bedrock:{region}::foundation-model/{model_id}",
        "modelId": model_id,
        "modelName": name,
        "providerName": "Anthropic",
        "inputModalities": ["TEXT", "IMAGE"],
        "outputModalities": ["TEXT"],
        "responseStreamingSupported": True,
        "customizationsSupported": [],
        "inferenceTypesSupported": ["INFERENCE_PROFILE"],
        "modelLifecycle": {"status": "ACTIVE"},
    }


def install() -> None:
    from moto.bedrock.responses import BedrockResponse
    from moto.core.exceptions import JsonRESTError

    global ModelNotFound

    class ModelNotFound(JsonRESTError):  # botocore's model: ResourceNotFoundException, HTTP 404
        code = 404

        def __init__(self, message: str) -> None:
            super().__init__("ResourceNotFoundException", message)

    from moto.utilities.utils import get_partition

    def list_foundation_models(self: BedrockResponse) -> str:
        provider = self._get_param("byProvider") or self.querystring.get("byProvider", [None])[0]
        models = ANTHROPIC_MODELS if provider in (None, "") or str(provider).lower() == "anthropic" else ()
        partition = get_partition(self.region)
        return json.dumps({"modelSummaries": [_summary(self.region, m, n, partition) for m, n in models]})

    def get_foundation_model_availability(self: BedrockResponse) -> Any:
        model_id = unquote(urlparse(self.uri).path.rsplit("/", 1)[-1])
        if model_id not in {m for m, _ in ANTHROPIC_MODELS}:
            raise ModelNotFound(f"The model {model_id} does not exist.")
        answer = _availability(self.bedrock_backend).get(model_id, AVAILABLE)
        return json.dumps({
            "modelId": model_id,
            "agreementAvailability": {"status": answer["agreement"]},
            "authorizationStatus": answer["authorization"],
            "entitlementAvailability": answer["entitlement"],
            "regionAvailability": answer["region"],
        })

    BedrockResponse.list_foundation_models = list_foundation_models  # type: ignore[attr-defined]
    BedrockResponse.get_foundation_model_availability = get_foundation_model_availability  # type: ignore[attr-defined]
