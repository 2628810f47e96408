"""The pure parts of the provider-schema check: version constraints, the generated-code reader, the
block walker."""

from __future__ import annotations

import pytest

from bcce_tf.schema.cdktf import assemble, schemas_of
from bcce_tf.schema.check import Tally, aws_constraints, check_block, check_file, check_module_call, variables
from bcce_tf.schema.written import parse
from bcce_tf.version_constraints import ConstraintError, newest_satisfying, satisfies


@pytest.mark.parametrize("version,constraint,expected", [
    ("3.39.0", "~> 3.39", True), ("3.99.1", "~> 3.39", True), ("4.0.0", "~> 3.39", False),
    ("3.39.5", "~> 3.39.0", True), ("3.40.0", "~> 3.39.0", False),
    ("6.25.0", ">= 5.49.0, < 7.0.0", True), ("7.0.0", ">= 5.49.0, < 7.0.0", False), ("5.48.9", ">= 5.49.0", False),
    ("6.25.0", "= 6.25.0", True), ("6.25.0", "6.25.0", True), ("6.25.0", "!= 6.25.0", False),
    ("6.0.0-beta1", ">= 5.0.0", False), ("6.0.0-beta1", "= 6.0.0-beta1", True), ("1.0.0", "", True),
])
def test_terraform_version_constraints(version, constraint, expected):
    assert satisfies(version, constraint) is expected


def test_newest_satisfying_and_bad_constraints():
    assert newest_satisfying(["6.25.0", "3.39.0"], [">= 3.39.0"]) == "6.25.0"
    assert newest_satisfying(["6.25.0", "3.39.0"], ["~> 3.39"]) == "3.39.0"
    assert newest_satisfying(["6.25.0", "3.39.0"], ["~> 4.0"]) is None
    with pytest.raises(ConstraintError, match="'=> 3' is not a version constraint"):
        satisfies("3.0.0", "=> 3")


# Shapes as @cdktf/provider-aws generates them (abridged from lib/s3-bucket-server-side-encryption-configuration).
JS = '''
function thingRuleDefaultToHclTerraform(struct) {
    const attrs = {
        sse_algorithm: {
            value: cdktf.stringToHclTerraform(struct.sseAlgorithm),
            isBlock: false,
            type: "simple",
            storageClassType: "string",
        },
    };
    return attrs;
}
function thingRuleToHclTerraform(struct) {
    const attrs = {
        bucket_key_enabled: {
            value: cdktf.booleanToHclTerraform(struct.bucketKeyEnabled),
            isBlock: false,
            type: "simple",
            storageClassType: "boolean",
        },
        apply_default: {
            value: thingRuleDefaultToHclTerraform(struct.applyDefault),
            isBlock: true,
            type: "list",
            storageClassType: "ThingRuleDefaultList",
        },
    };
    return attrs;
}
class ThingRuleOutputReference extends cdktf.ComplexObject {
    // apply_default - computed: false, optional: true, required: false
    get applyDefault() { return this._applyDefault; }
}
class Thing extends cdktf.TerraformResource {
    constructor(scope, id, config) {
        // rule - computed: false, optional: false, required: true
        this._rule = new ThingRuleList(this, "rule", true);
    }
    // arn - computed: true, optional: false, required: false
    get arn() { return this.getStringAttribute('arn'); }
    synthesizeHclAttributes() {
        const attrs = {
            bucket: {
                value: cdktf.stringToHclTerraform(this._bucket),
                isBlock: false,
                type: "simple",
                storageClassType: "string",
            },
            tags: {
                value: cdktf.hashMapperHcl(cdktf.stringToHclTerraform)(this._tags),
                isBlock: false,
                type: "map",
                storageClassType: "stringMap",
            },
            rule: {
                value: cdktf.listMapperHcl(thingRuleToHclTerraform, true)(this._rule.internalValue),
                isBlock: true,
                type: "set",
                storageClassType: "ThingRuleList",
            },
        };
        return attrs;
    }
}
exports.Thing = Thing;
Thing.tfResourceType = "aws_thing";
'''
DTS = '''
export interface ThingConfig extends cdktf.TerraformMetaArguments {
    readonly bucket: string;
    readonly tags?: { [key: string]: string };
    readonly rule: ThingRule[] | cdktf.IResolvable;
}
export interface ThingRule {
    readonly bucketKeyEnabled?: boolean | cdktf.IResolvable;
    readonly applyDefault?: ThingRuleDefault;
}
export interface ThingRuleDefault {
    readonly sseAlgorithm: string;
}
'''


@pytest.fixture(scope="module")
def provider():
    schema = assemble({"thing": schemas_of([JS], [DTS])}, "registry.terraform.io/hashicorp/aws", "0.0.1")
    return schema["provider_schemas"]["registry.terraform.io/hashicorp/aws"]


def test_generated_code_becomes_the_schema_terraform_prints(provider):
    block = provider["resource_schemas"]["aws_thing"]["block"]
    assert block["attributes"]["bucket"] == {"type": "string", "required": True}
    assert block["attributes"]["tags"] == {"type": ["map", "string"], "optional": True}
    assert block["attributes"]["arn"] == {"type": "dynamic", "computed": True}
    rule = block["block_types"]["rule"]
    assert rule["nesting_mode"] == "set" and rule["min_items"] == 1 and "max_items" not in rule
    default = rule["block"]["block_types"]["apply_default"]
    assert default["max_items"] == 1 and "min_items" not in default, "written directly, not through listMapperHcl: once"
    assert default["block"]["attributes"]["sse_algorithm"] == {"type": "string", "required": True}


def _problems(provider, hcl):
    return [f"{p.line}: {p.message}" for p in check_file(parse(hcl), "main.tf", provider, Tally())]


def test_a_valid_block_has_no_problem(provider):
    assert _problems(provider, '''resource "aws_thing" "t" {
  bucket   = "b"
  count    = 1
  rule {
    apply_default {
      sse_algorithm = "aws:kms"
    }
  }
  lifecycle {
    prevent_destroy = true
  }
}
resource "null_resource" "n" {
  anything = 1
}
''') == []


def test_each_kind_of_mistake_is_named_with_its_line(provider):
    problems = _problems(provider, '''resource "aws_thing" "t" {
  buckt = "b"
  arn   = "x"
  rule {
    apply_default {
      sse_algorithm = "AES256"
    }
    apply_default {
    }
  }
  dynamic "rules" {
    for_each = [1]
    content {}
  }
}
resource "aws_thingy" "u" {}
data "aws_thing" "d" {}
''')
    assert sorted(problems, key=lambda p: int(p.split(":")[0])) == [
        "1: aws_thing.t: missing required argument 'bucket'",
        "2: aws_thing.t: unknown argument 'buckt' (did you mean 'bucket'?)",
        "3: aws_thing.t: 'arn' is computed-only (set by the provider, it cannot be configured)",
        "8: aws_thing.t.rule: block 'apply_default' is allowed once, written again here",
        "8: aws_thing.t.rule.apply_default: missing required argument 'sse_algorithm'",
        "11: aws_thing.t: dynamic block of unknown block type 'rules' (did you mean 'rule'?)",
        "16: aws_thingy.u: unknown resource type 'aws_thingy' (did you mean 'aws_thing'?)",
        "17: data.aws_thing.d: unknown data source type 'aws_thing'",
    ]


def test_required_blocks_may_come_from_dynamic_blocks_and_blocks_are_not_arguments(provider):
    top = parse('''resource "aws_thing" "t" {
  bucket = "b"
  rule = {}
}
resource "aws_thing" "v" {
  bucket = "b"
  dynamic "rule" {
    for_each = var.rules
    content {
      bucket_key_enabled = true
    }
  }
}
''')
    block = provider["resource_schemas"]["aws_thing"]["block"]
    first = [p.message for p in check_block(top.blocks[0], block, "t", "main.tf")]
    assert first == ["t: 'rule' is a block: write rule { ... }, not rule = ...", "t: missing required block 'rule'"]
    assert check_block(top.blocks[1], block, "v", "main.tf") == []


def test_module_calls_against_the_modules_variables():
    module = parse('variable "name" {}\nvariable "tags" {\n  default = {}\n}\n')
    call = parse('module "m" {\n  source = "./m"\n  nmae   = "x"\n  count  = 1\n}\n').blocks[0]
    assert [f"{p.line}: {p.message}" for p in check_module_call(call, "main.tf", "m", variables([module]))] == [
        "3: module.m: unknown argument 'nmae': module m has no such variable (did you mean 'name'?)",
        "1: module.m: missing required variable 'name' of module m",
    ]


def test_constraints_are_read_from_required_providers():
    top = parse('terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
                '      version = "~> 3.39"\n    }\n    null = {\n      source = "hashicorp/null"\n      version = "2.1.2"\n    }\n  }\n}\n')
    assert aws_constraints([top]) == ["~> 3.39"]
