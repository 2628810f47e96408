"""The IAM evaluator (tests/support/iam_eval.py) on its own, and on a policy of the developer policy's shape.

The policy Terraform actually renders is evaluated in tests/integration/test_access_policy_documents.py.
"""

from __future__ import annotations

import pytest

from tests.support.iam_eval import (
    PolicyError,
    Request,
    arn_match,
    authorizing_action,
    evaluate,
    is_allowed,
    wildcard_match,
)

ACCOUNT = "123456789012"
GUARDRAIL = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:guardrail/abc:2"
VPCE = "vpce-0a1b2c3d4e5f60718"
MODEL = "anthropic.claude-sonnet-4-20250514-v1:0"
INVOKE = ["bedrock:InvokeModelWithResponseStream", "bedrock:InvokeModel"]
REQUEST_CONDITIONS = {"StringEquals": {"bedrock:GuardrailIdentifier": [GUARDRAIL], "aws:SourceVpce": [VPCE]}}

# The shape of the bedrock-access policy (one region, guardrail and PrivateLink enforced).
DEVELOPER_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "InvokeClaudeInConfiguredRegions",
            "Effect": "Allow",
            "Action": INVOKE,
            "Resource": [
                "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-*",
                f"arn:aws:bedrock:us-east-1:{ACCOUNT}:inference-profile/*.anthropic.claude-*",
            ],
            "Condition": REQUEST_CONDITIONS,
        },
        {
            "Sid": "InvokeClaudeThroughInferenceProfiles",
            "Effect": "Allow",
            "Action": INVOKE,
            "Resource": "arn:aws:bedrock:*::foundation-model/anthropic.claude-*",
            "Condition": {
                "ArnLike": {"bedrock:InferenceProfileArn": [f"arn:aws:bedrock:us-east-1:{ACCOUNT}:inference-profile/*.anthropic.claude-*"]},
                **REQUEST_CONDITIONS,
            },
        },
        {"Sid": "ApplyTheStackGuardrail", "Effect": "Allow", "Action": "bedrock:ApplyGuardrail", "Resource": GUARDRAIL.rsplit(":", 1)[0]},
        {
            "Sid": "ListModelsInConfiguredRegions",
            "Effect": "Allow",
            "Action": ["bedrock:ListInferenceProfiles", "bedrock:ListFoundationModels"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-east-1"]}},
        },
    ],
}
GOOD = {"bedrock:GuardrailIdentifier": GUARDRAIL, "aws:SourceVpce": VPCE, "aws:RequestedRegion": "us-east-1"}


def fm(region: str, model: str = MODEL) -> str:
    return f"arn:aws:bedrock:{region}::foundation-model/{model}"


def profile(region: str = "us-east-1", account: str = ACCOUNT, model: str = MODEL, prefix: str = "us") -> str:
    return f"arn:aws:bedrock:{region}:{account}:inference-profile/{prefix}.{model}"


# --- the developer policy's shape ----------------------------------------------------------------


def test_allowed_model_in_allowed_region_is_allowed():
    result = evaluate(DEVELOPER_POLICY, Request("bedrock:InvokeModel", fm("us-east-1"), GOOD))
    assert result.decision == "allow"
    assert result.allowed_by == ("InvokeClaudeInConfiguredRegions",)
    assert is_allowed(DEVELOPER_POLICY, authorizing_action("bedrock:ConverseStream"), profile(), GOOD)


def test_another_vendors_model_is_denied():
    assert evaluate(DEVELOPER_POLICY, Request("bedrock:InvokeModel", fm("us-east-1", "meta.llama3-70b-instruct-v1:0"), GOOD)).decision == "implicit-deny"


def test_another_region_is_denied():
    assert not is_allowed(DEVELOPER_POLICY, "bedrock:InvokeModel", fm("eu-central-1"), GOOD)
    assert not is_allowed(DEVELOPER_POLICY, "bedrock:ListFoundationModels", "*", {**GOOD, "aws:RequestedRegion": "eu-central-1"})


def test_another_accounts_inference_profile_is_denied():
    assert not is_allowed(DEVELOPER_POLICY, "bedrock:InvokeModel", profile(account="210987654321"), GOOD)


def test_routed_model_needs_the_profile_it_came_through():
    assert is_allowed(DEVELOPER_POLICY, "bedrock:InvokeModel", fm("us-west-2"), {**GOOD, "bedrock:InferenceProfileArn": profile()})
    assert not is_allowed(DEVELOPER_POLICY, "bedrock:InvokeModel", fm("us-west-2"), GOOD)
    assert not is_allowed(DEVELOPER_POLICY, "bedrock:InvokeModel", fm("us-west-2"), {**GOOD, "bedrock:InferenceProfileArn": profile(account="210987654321")})


def test_without_the_guardrail_it_is_denied():
    without = {k: v for k, v in GOOD.items() if k != "bedrock:GuardrailIdentifier"}
    assert not is_allowed(DEVELOPER_POLICY, "bedrock:InvokeModel", fm("us-east-1"), without)
    assert not is_allowed(DEVELOPER_POLICY, "bedrock:InvokeModel", fm("us-east-1"), {**GOOD, "bedrock:GuardrailIdentifier": GUARDRAIL[:-1] + "1"})


def test_without_the_vpc_endpoint_it_is_denied():
    without = {k: v for k, v in GOOD.items() if k != "aws:SourceVpce"}
    assert not is_allowed(DEVELOPER_POLICY, "bedrock:InvokeModel", fm("us-east-1"), without)
    assert not is_allowed(DEVELOPER_POLICY, "bedrock:InvokeModel", fm("us-east-1"), {**GOOD, "aws:SourceVpce": "vpce-ffffffffffffffff0"})


# --- evaluator semantics --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("*", "", True),
        ("bedrock:Invoke*", "bedrock:InvokeModel", True),
        ("bedrock:Invoke*", "bedrock:invokemodel", False),
        ("s3:Get?bject", "s3:GetObject", True),
        ("s3:Get?bject", "s3:GetObbject", False),
        ("a.b", "aXb", False),
    ],
)
def test_wildcards(pattern, value, expected):
    assert wildcard_match(pattern, value) is expected


def test_actions_compare_case_insensitively_resources_do_not():
    policy = {"Statement": [{"Effect": "Allow", "Action": "S3:getobject", "Resource": "arn:aws:s3:::Bucket/*"}]}
    assert is_allowed(policy, "s3:GetObject", "arn:aws:s3:::Bucket/key")
    assert not is_allowed(policy, "s3:GetObject", "arn:aws:s3:::bucket/key")


def test_arn_like_matches_part_by_part():
    assert arn_match("arn:aws:bedrock:*::foundation-model/anthropic.*", "arn:aws:bedrock:::foundation-model/anthropic.claude-x:0")
    assert arn_match("arn:aws:bedrock:*::foundation-model/anthropic.*", "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-x:0")
    # A wildcard in the region part cannot swallow the account part.
    assert not arn_match("arn:aws:bedrock:*::foundation-model/*", f"arn:aws:bedrock:us-east-1:{ACCOUNT}:foundation-model/x")
    assert not arn_match("arn:aws:bedrock:*::foundation-model/*", "not-an-arn")


def test_explicit_deny_wins_and_default_is_deny():
    policy = {
        "Statement": [
            {"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"},
        ]
    }
    result = evaluate(policy, Request("s3:DeleteObject", "arn:aws:s3:::b/k"))
    assert (result.decision, result.denied_by) == ("explicit-deny", ("NoDelete",))
    assert evaluate({"Statement": []}, Request("s3:GetObject", "arn:aws:s3:::b/k")).decision == "implicit-deny"


def test_not_action_and_not_resource():
    policy = {
        "Statement": [
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::public/*"},
        ]
    }
    assert not is_allowed(policy, "iam:CreateUser", "*")
    assert is_allowed(policy, "s3:GetObject", "arn:aws:s3:::public/a")
    assert evaluate(policy, Request("s3:GetObject", "arn:aws:s3:::private/a")).decision == "explicit-deny"


def test_condition_operators():
    def allowed(condition, context):
        return is_allowed({"Statement": [{"Effect": "Allow", "Action": "x:Y", "Resource": "*", "Condition": condition}]}, "x:Y", "*", context)

    assert allowed({"StringEquals": {"k": ["a", "b"]}}, {"k": "b"})
    assert not allowed({"StringEquals": {"k": "a"}}, {"k": "A"})
    assert allowed({"StringEquals": {"K": "a"}}, {"k": "a"}), "condition keys compare case-insensitively"
    assert allowed({"StringLike": {"k": "a*"}}, {"k": "abc"})
    assert allowed({"StringNotEquals": {"k": "a"}}, {"k": "b"})
    assert allowed({"StringNotEquals": {"k": "a"}}, {}), "a negated operator passes on a missing key"
    assert not allowed({"StringEquals": {"k": "a"}}, {}), "a positive operator fails on a missing key"
    assert allowed({"StringEqualsIfExists": {"k": "a"}}, {})
    assert not allowed({"StringEqualsIfExists": {"k": "a"}}, {"k": "b"})
    assert allowed({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": True})
    assert not allowed({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "false"})
    assert allowed({"Null": {"k": "true"}}, {})
    assert not allowed({"Null": {"k": "true"}}, {"k": "x"})
    assert allowed({"Null": {"k": "false"}}, {"k": "x"})
    assert allowed({"ForAnyValue:StringLike": {"amr": "authenticated"}}, {"amr": ["unauthenticated", "authenticated"]})
    assert not allowed({"ForAnyValue:StringLike": {"amr": "authenticated"}}, {"amr": ["unauthenticated"]})
    assert allowed({"ForAllValues:StringEquals": {"t": ["a", "b"]}}, {"t": ["a"]})
    assert not allowed({"ForAllValues:StringEquals": {"t": ["a", "b"]}}, {"t": ["a", "c"]})
    assert not allowed({"StringEquals": {"k": "a"}}, {"k": ["a", "b"]}), "a single-valued operator on a multi-valued key"
    both = {"StringEquals": {"a": "1"}, "StringLike": {"b": "2*"}}
    assert allowed(both, {"a": "1", "b": "20"})
    assert not allowed(both, {"a": "1", "b": "30"}), "operators in one block must all match"


def test_unknown_operator_and_bad_statement_are_refused():
    with pytest.raises(PolicyError):
        is_allowed({"Statement": [{"Effect": "Allow", "Action": "x:Y", "Resource": "*", "Condition": {"NumericLessThan": {"k": "1"}}}]}, "x:Y", "*", {"k": "0"})
    with pytest.raises(PolicyError):
        is_allowed({"Statement": [{"Effect": "Maybe", "Action": "x:Y", "Resource": "*"}]}, "x:Y", "*")
    with pytest.raises(PolicyError):
        is_allowed({"Statement": [{"Effect": "Allow", "Resource": "*"}]}, "x:Y", "*")
