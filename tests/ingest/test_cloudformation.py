"""CloudFormation templates as planned changes: YAML short tags and JSON, intrinsic functions, conditions,
parameters, pseudo parameters, unknowns, generated names, locations, and the inputs refused with one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustgraph.errors import IngestError
from trustgraph.ingest.cfn_intrinsics import NO_VALUE, Resolver, StackContext, Unresolved
from trustgraph.ingest.cfn_template import load_template, parse_document, yaml_positions
from trustgraph.ingest.cloudformation import load_cloudformation, read_parameters, stack_name_from_file
from trustgraph.ingest.load import load_estate
from trustgraph.ingest.overlay import (
    Attach,
    Overlay,
    PutInlinePolicy,
    PutManagedPolicy,
    PutRole,
    apply_overlay,
)
from trustgraph.ingest.policy_json import policy_to_json
from trustgraph.ingest.unknowns import is_marker

DATA = Path(__file__).resolve().parents[1] / "data" / "cloudformation"
ACCOUNT = "111122223333"


def _roles(overlay: Overlay) -> dict[str, PutRole]:
    return {c.name: c for c in overlay.changes if isinstance(c, PutRole)}


def _resolver(body: dict[str, Any], **context: Any) -> Resolver:
    def refs(logical_id: str, attribute: str | None, pointer: str) -> object:
        return f"{logical_id}.{attribute}" if attribute else f"ref:{logical_id}"

    return Resolver("t.yaml", body, StackContext(account=ACCOUNT, **context), refs)


@pytest.fixture(scope="module")
def short_tags() -> Overlay:
    return load_cloudformation(str(DATA / "short-tags.yaml"), account=ACCOUNT)


# -- reading -------------------------------------------------------------------------------------------------------
def test_short_tags_become_the_long_form() -> None:
    body, fmt, _ = parse_document(
        "A: !Ref X\nB: !GetAtt R.Arn\nC: !GetAtt [R, Arn]\nD: !Sub [\"${a}\", {a: b}]\nE: !If [C, 1, 2]\n"
        "F: !GetAtt Stack.Outputs.Name\nG: !Condition C\nH: !Base64 x\n", "t.yaml")
    assert fmt == "yaml"
    assert body == {"A": {"Ref": "X"}, "B": {"Fn::GetAtt": ["R", "Arn"]}, "C": {"Fn::GetAtt": ["R", "Arn"]},
                    "D": {"Fn::Sub": ["${a}", {"a": "b"}]}, "E": {"Fn::If": ["C", 1, 2]},
                    "F": {"Fn::GetAtt": ["Stack", "Outputs.Name"]}, "G": {"Condition": "C"},
                    "H": {"Fn::Base64": "x"}}


def test_a_date_like_scalar_stays_text_as_in_cloudformation() -> None:
    body, _, _ = parse_document("Version: 2012-10-17\nN: 5\nB: true\n", "t.yaml")
    assert body == {"Version": "2012-10-17", "N": 5, "B": True}


def test_yaml_positions_point_at_keys_and_short_forms() -> None:
    template = load_template(DATA / "short-tags.yaml")
    text = (DATA / "short-tags.yaml").read_text(encoding="utf-8").splitlines()
    line = template.line("/Resources/DeployRole/Properties/RoleName")
    assert line is not None and text[line - 1].strip().startswith("RoleName: !Sub")
    line = template.line("/Resources/DeployRole/Properties/AssumeRolePolicyDocument/Statement/1/Fn::If/1")
    assert line is not None and text[line - 1].strip() == "- Effect: Allow"
    assert yaml_positions((DATA / "short-tags.yaml").read_text(encoding="utf-8")) == dict(template.positions)


def test_json_templates_are_read_as_json() -> None:
    template = load_template(DATA / "conditions.json")
    assert template.format == "json" and template.positions == {}
    assert template.body["Resources"]["VendorRole"]["Type"] == "AWS::IAM::Role"


# -- intrinsic functions -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    ({"Fn::Join": ["-", ["a", {"Ref": "P"}, "c"]]}, "a-pv-c"),
    ({"Fn::Sub": "x-${P}-${AWS::AccountId}-${!Literal}"}, f"x-pv-{ACCOUNT}-${{Literal}}"),
    ({"Fn::Sub": ["${a}/${R.Arn}", {"a": {"Ref": "P"}}]}, "pv/R.Arn"),
    ({"Fn::Select": ["1", {"Fn::Split": [",", "a,b,c"]}]}, "b"),
    ({"Fn::FindInMap": ["M", {"Ref": "P"}, "k"]}, "v1"),
    ({"Fn::Base64": "hi"}, "aGk="),
    ({"Fn::GetAtt": ["R", "Arn"]}, "R.Arn"),
    ({"Ref": "R"}, "ref:R"),
    ({"Ref": "AWS::Partition"}, "aws"),
    ({"Ref": "AWS::URLSuffix"}, "amazonaws.com"),
    ({"Ref": "AWS::StackName"}, "stack"),
    ({"Ref": "L"}, ["x", "y"]),
    ({"Fn::If": ["Yes", "a", "b"]}, "a"),
    ({"Fn::If": ["No", "a", "b"]}, "b"),
    ([1, {"Ref": "AWS::NoValue"}, 2], [1, 2]),
    ({"k": {"Ref": "AWS::NoValue"}, "j": 1}, {"j": 1}),
])
def test_intrinsic_functions(value: object, expected: object) -> None:
    body = {"Parameters": {"P": {"Type": "String", "Default": "pv"},
                           "L": {"Type": "CommaDelimitedList", "Default": "x, y"}},
            "Mappings": {"M": {"pv": {"k": "v1"}}},
            "Conditions": {"Yes": {"Fn::Equals": [{"Ref": "P"}, "pv"]}, "No": {"Fn::Not": [{"Condition": "Yes"}]}},
            "Resources": {"R": {"Type": "AWS::IAM::Role"}}}
    assert _resolver(body).resolve(value, "/x") == expected


def test_no_value_as_a_whole_property() -> None:
    assert _resolver({}).resolve({"Ref": "AWS::NoValue"}, "/x") is NO_VALUE


@pytest.mark.parametrize(("value", "why"), [
    ({"Fn::ImportValue": "shared"}, "Fn::ImportValue"),
    ({"Fn::GetAZs": ""}, "Fn::GetAZs"),
    ({"Ref": "AWS::Region"}, "AWS::Region"),
    ({"Ref": "NoDefault"}, "no default, no value given"),
    ({"Ref": "Ssm"}, "SSM parameter"),
    ({"Fn::Sub": "arn:aws:iam::${NoDefault}:root"}, "no default"),
    ({"Fn::Join": ["", ["a", {"Fn::ImportValue": "x"}]]}, "Fn::ImportValue"),
    ({"Fn::If": ["Unknown", "a", "b"]}, "Fn::If on condition `Unknown`"),
    ("{{resolve:ssm:/path}}", "dynamic reference"),
])
def test_what_the_template_does_not_decide_stays_unknown(value: object, why: str) -> None:
    body = {"Parameters": {"NoDefault": {"Type": "String"},
                           "Ssm": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/p"}},
            "Conditions": {"Unknown": {"Fn::Equals": [{"Ref": "NoDefault"}, "x"]}}}
    found = _resolver(body).resolve(value, "/Resources/X/Properties/Y")
    assert isinstance(found, Unresolved) and why in found.why
    assert found.pointer.startswith("/Resources/X/Properties/Y")


def test_an_if_on_an_unknown_condition_whose_branches_agree_is_known() -> None:
    body = {"Parameters": {"P": {"Type": "String"}}, "Conditions": {"C": {"Fn::Equals": [{"Ref": "P"}, "x"]}}}
    assert _resolver(body).resolve({"Fn::If": ["C", "same", "same"]}, "/x") == "same"


def test_three_valued_conditions() -> None:
    body = {"Parameters": {"P": {"Type": "String"}},
            "Conditions": {"U": {"Fn::Equals": [{"Ref": "P"}, "x"]}, "F": {"Fn::Equals": ["a", "b"]},
                           "AndF": {"Fn::And": [{"Condition": "U"}, {"Condition": "F"}]},
                           "OrT": {"Fn::Or": [{"Condition": "U"}, {"Fn::Not": [{"Condition": "F"}]}]},
                           "AndU": {"Fn::And": [{"Condition": "U"}, {"Fn::Not": [{"Condition": "F"}]}]}}}
    r = _resolver(body)
    assert r.condition("AndF", "/") is False and r.condition("OrT", "/") is True
    assert isinstance(r.condition("AndU", "/"), Unresolved)


def test_origin_follows_if_branches_and_removed_items() -> None:
    body = {"Conditions": {"No": {"Fn::Equals": ["a", "b"]}}}
    r = _resolver(body)
    value = [{"Fn::If": ["No", "x", {"Ref": "AWS::NoValue"}]}, {"Fn::If": ["No", "y", "z"]}]
    assert r.resolve(value, "/L") == ["z"]
    assert r.origin("/L/0") == "/L/1/Fn::If/2"
    assert r.origin("/L/0/deeper") == "/L/1/Fn::If/2/deeper"


@pytest.mark.parametrize(("body", "value", "message"), [
    ({}, {"Ref": "Nothing"}, "neither a parameter nor a resource"),
    ({}, {"Fn::Select": [2, ["a"]]}, "out of range"),
    ({"Mappings": {"M": {"a": {"b": "c"}}}}, {"Fn::FindInMap": ["M", "a", "x"]}, "has no key `x`"),
    ({}, {"Fn::If": ["Missing", 1, 2]}, "not declared"),
    ({"Conditions": {"A": {"Condition": "B"}, "B": {"Condition": "A"}}}, {"Fn::If": ["A", 1, 2]}, "cycle"),
    ({}, {"Fn::Length": [1]}, "needs a transform"),
    ({}, {"Fn::Nope": 1}, "unknown intrinsic function"),
    ({}, {"Ref": "AWS::Nope"}, "unknown pseudo parameter"),
])
def test_what_cloudformation_refuses_is_an_error_at_its_pointer(body: dict[str, Any], value: object,
                                                                 message: str) -> None:
    with pytest.raises(IngestError, match=message) as info:
        _resolver(body).resolve(value, "/Resources/R/Properties/P")
    assert info.value.source == "t.yaml" and info.value.pointer.startswith(("/Resources/R/Properties/P",
                                                                            "/Conditions"))


# -- the template as changes ---------------------------------------------------------------------------------------
def test_short_tags_template_changes(short_tags: Overlay) -> None:
    roles = _roles(short_tags)
    assert set(roles) == {"short-tags-BuildRole-3954B6264A75", "dev-deploy", "partner-read"}  # ProdRole: Env is dev
    build = roles["short-tags-BuildRole-3954B6264A75"]
    assert build.path == "/ci/"
    assert policy_to_json(build.trust_policy)["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": ["codebuild.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}]
    deploy = policy_to_json(roles["dev-deploy"].trust_policy)["Statement"]
    # !GetAtt BuildRole.Arn is the ARN of the role above (path and generated name): the same graph node
    assert deploy[0]["Principal"] == {"AWS": [f"arn:aws:iam::{ACCOUNT}:role/ci/short-tags-BuildRole-3954B6264A75"]}
    # IsProd is false: the !If statement is removed; the mapping gave the vendor account, Select/Split the id
    assert deploy[1]["Principal"] == {"AWS": ["arn:aws:iam::999988887777:root"]}
    assert deploy[1]["Condition"] == {"StringEquals": {"sts:ExternalId": ["vendor-secret-1234"]}}
    assert roles["dev-deploy"].tags == (("team", "cGxhdGZvcm0="),)
    (inline,) = [c for c in short_tags.changes if isinstance(c, PutInlinePolicy)]
    assert inline.owner.name == "dev-deploy" and inline.policy_name == "deploy"
    statements = policy_to_json(inline.document)["Statement"]
    assert statements[0]["Resource"] == [f"arn:aws:iam::{ACCOUNT}:role/partner-read"]


def test_unknowns_are_kept_as_markers_with_template_locations(short_tags: Overlay) -> None:
    partner = _roles(short_tags)["partner-read"].trust_policy.statements[0]
    markers = [c for c in partner.conditions if is_marker(c)]
    assert len(markers) == 1
    assert markers[0].location.file.endswith("short-tags.yaml")
    assert markers[0].location.pointer.startswith("/Resources/PartnerRole/Properties/AssumeRolePolicyDocument")
    whys = " | ".join(u.what for u in short_tags.unknowns)
    assert "parameter `ExternalId` (no default, no value given)" in whys
    assert "Fn::ImportValue" in whys and "Fn::GetAZs" in whys


def test_statement_locations_are_what_the_author_wrote(short_tags: Overlay) -> None:
    deploy = _roles(short_tags)["dev-deploy"].trust_policy
    base = "/Resources/DeployRole/Properties/AssumeRolePolicyDocument/Statement"
    # statement 1 of the resolved document is statement 2 of the template (the !If before it was removed)
    assert [s.location.pointer for s in deploy.statements] == [f"{base}/0", f"{base}/2"]
    # the condition's value was produced by !Select: its location is that function
    assert deploy.statements[1].conditions[0].location.pointer == (
        f"{base}/2/Condition/StringEquals/sts:ExternalId/Fn::Select")


def test_other_types_and_generated_names_are_noted(short_tags: Overlay) -> None:
    notes = " | ".join(short_tags.notes)
    assert "3 resource(s) of types that grant no IAM access by themselves were not analysed: AWS::S3::Bucket (1), " \
           "AWS::SNS::Topic (1), AWS::SQS::Queue (1)" in notes
    assert "RoleName is not given; CloudFormation generates it" in notes
    assert "AWS::StackName taken as `short-tags`" in notes


def test_stack_name_decides_generated_names() -> None:
    overlay = load_cloudformation(str(DATA / "short-tags.yaml"), account=ACCOUNT, stack_name="pipeline")
    assert any(n.startswith("pipeline-BuildRole-") for n in _roles(overlay))
    assert not any("AWS::StackName taken as" in n for n in overlay.notes)


def test_a_generated_name_already_in_old_is_that_role() -> None:
    old = load_estate([DATA / "old"])
    snap = old.accounts[0]
    existing = snap.roles[0]
    from dataclasses import replace

    from trustgraph.model.estate import Estate

    renamed = replace(existing, name="pipeline-BuildRole-ABCDEFGHIJ12",
                      arn=f"arn:aws:iam::{ACCOUNT}:role/ci/pipeline-BuildRole-ABCDEFGHIJ12")
    old = Estate(accounts=(replace(snap, roles=(renamed, *snap.roles[1:])),))
    overlay = load_cloudformation(str(DATA / "short-tags.yaml"), account=ACCOUNT, stack_name="pipeline", old=old)
    assert "pipeline-BuildRole-ABCDEFGHIJ12" in _roles(overlay)


def test_json_template_with_parameters_file() -> None:
    test = _roles(load_cloudformation(str(DATA / "conditions.json"), account=ACCOUNT))
    assert set(test) == {"vendor-test"}
    assert "Condition" not in policy_to_json(test["vendor-test"].trust_policy)["Statement"][0]
    for name in ("parameters-live.json", "parameters-map.json"):
        overlay = load_cloudformation(str(DATA / "conditions.json"), account=ACCOUNT,
                                      parameters_file=str(DATA / name))
        live = _roles(overlay)["vendor-live"]
        assert policy_to_json(live.trust_policy)["Statement"][0]["Condition"] == {
            "StringEquals": {"sts:ExternalId": ["live-secret-0001"]}}
        put = [c for c in overlay.changes if isinstance(c, PutManagedPolicy)]
        assert [p.arn for p in put] == [f"arn:aws:iam::{ACCOUNT}:policy/vendor-read"]
        attach = [c for c in overlay.changes if isinstance(c, Attach)]
        assert [(a.owner.name, a.policy) for a in attach] == [("vendor-live", put[0].arn)]


def test_parameters_file_shapes(tmp_path: Path) -> None:
    f = tmp_path / "p.json"
    f.write_text('[{"ParameterKey": "A", "ParameterValue": "1"}, {"ParameterKey": "B", "UsePreviousValue": true}]')
    assert read_parameters(str(f)) == ({"A": "1", "B": None}, {"A": "/0", "B": "/1"})
    f.write_text('{"Parameters": {"A": "x"}, "Tags": {}}')
    assert read_parameters(str(f))[0] == {"A": "x"}
    f.write_text("A: 5\n")
    assert read_parameters(str(f))[0] == {"A": "5"}
    f.write_text('[{"ParameterValue": "x"}]')
    with pytest.raises(IngestError, match=r"#/0: expected"):
        read_parameters(str(f))


def test_applied_to_old_gives_new_with_the_role() -> None:
    old = load_estate([DATA / "old"])
    new = apply_overlay(old, load_cloudformation(str(DATA / "outside-root.yaml"), account=ACCOUNT))
    role = new.role_by_arn[f"arn:aws:iam::{ACCOUNT}:role/PartnerRole"]
    assert role.trust_policy.statements[0].principals is not None
    assert role.trust_policy.statements[0].principals[0].text == "arn:aws:iam::444455556666:root"
    assert role.managed_policy_arns == ("arn:aws:iam::aws:policy/ReadOnlyAccess",)
    assert role.location.file.endswith("outside-root.yaml") and role.location.pointer == "/Resources/PartnerRole"


def test_stack_name_from_file() -> None:
    assert [stack_name_from_file(p) for p in ("a/iam_roles.template.yaml", "9lives.json", "x.YML")] == [
        "iam-roles", "stack-9lives", "x"]


# -- refused --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "pointer", "message"), [
    ("transform.yaml", "/Transform", "declares the transform `AWS::Serverless-2016-10-31`: pass the processed "
                                     "template"),
    ("invalid/syntax.yaml", "", "invalid YAML at line 6 column 1"),
    ("invalid/syntax.json", "", "invalid JSON at line 1"),
    ("invalid/duplicate-key.yaml", "/Resources/R/Type", "duplicate key `Type` (first at line 3)"),
    ("invalid/unknown-tag.yaml", "/Resources/R/Properties/RoleName", "unknown tag `!Reff`"),
    ("invalid/alias.yaml", "/Resources/R/Properties/Path", "CloudFormation does not support aliases"),
    ("invalid/ref-to-nothing.yaml", "/Resources/R/Properties/RoleName/Ref", "Ref to `Missing`"),
    ("invalid/select-out-of-range.yaml", "/Resources/R/Properties/RoleName/Fn::Select/0", "out of range"),
    ("invalid/bad-policy.yaml", "/Resources/R/Properties/AssumeRolePolicyDocument/Statement/0/Effect",
     'expected "Allow" or "Deny"'),
    ("invalid/not-a-template.yaml", "", "expected a template object"),
])
def test_refused_with_file_and_pointer(name: str, pointer: str, message: str) -> None:
    with pytest.raises(IngestError) as info:
        load_cloudformation(str(DATA / name), account=ACCOUNT)
    assert info.value.source == str(DATA / name)
    assert info.value.pointer == pointer
    assert message in info.value.message
    assert "\n" not in str(info.value)


def test_fn_transform_anywhere_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "include.yaml"
    f.write_text("Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n      X:\n        Fn::Transform:\n"
                 "          Name: AWS::Include\n          Parameters: {Location: s3://b/k}\n")
    with pytest.raises(IngestError, match="Fn::Transform: pass the processed template") as info:
        load_cloudformation(str(f), account=ACCOUNT)
    assert info.value.pointer == "/Resources/R/Properties/X/Fn::Transform"


@pytest.mark.parametrize(("resource", "message"), [
    ({"Type": "AWS::IAM::Role", "Properties": {"Path": {"Fn::Sub": "/${R.Arn}/"},
                                               "AssumeRolePolicyDocument": {}}}, "the path of `R` depends on itself"),
    ({"Type": "AWS::IAM::Role", "Properties": {"RoleName": {"Fn::GetAtt": ["R", "Arn"]},
                                               "AssumeRolePolicyDocument": {}}}, "the name of `R` depends on itself"),
    ({"Type": "AWS::IAM::OIDCProvider", "Properties": {"Url": {"Ref": "R"}, "ClientIdList": ["sts.amazonaws.com"]}},
     "the provider URL of `R` depends on itself"),
])
def test_a_name_made_of_itself_is_refused(tmp_path: Path, resource: dict[str, Any], message: str) -> None:
    """CloudFormation refuses a circular dependency; a property the resource's own ARN is made of that refers to
    that ARN is one error at the resource, not a recursion without end."""
    f = tmp_path / "t.json"
    f.write_text(json.dumps({"Resources": {"R": resource}}), encoding="utf-8")
    with pytest.raises(IngestError, match=message) as info:
        load_cloudformation(str(f), account=ACCOUNT)
    assert info.value.pointer == "/Resources/R"


@pytest.mark.parametrize(("name", "pointer", "message"), [
    ("parameters-undeclared.json", "/0", "parameter `Nope` is not declared"),
    ("parameters-not-allowed.json", "/Stage", "not one of its AllowedValues"),
])
def test_bad_parameters_name_the_parameters_file(name: str, pointer: str, message: str) -> None:
    with pytest.raises(IngestError, match=message) as info:
        load_cloudformation(str(DATA / "conditions.json"), account=ACCOUNT, parameters_file=str(DATA / name))
    assert info.value.source == str(DATA / name) and info.value.pointer == pointer


# -- nothing crashes ------------------------------------------------------------------------------------------------
_NAMES = st.sampled_from(["Env", "R", "Role", "C", "M", "AWS::NoValue", "AWS::Region", "AWS::AccountId", "x"])
_leaves = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=6), _NAMES,
                    st.sampled_from(["${Env}", "${R.Arn}", "${!x}", "a,b", "{{resolve:ssm:x}}", "sts:AssumeRole",
                                     "Allow", "*"]))


def _intrinsics(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    functions = st.sampled_from(["Ref", "Condition", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::If", "Fn::Select",
                                 "Fn::Split", "Fn::FindInMap", "Fn::Base64", "Fn::Equals", "Fn::And", "Fn::Or",
                                 "Fn::Not", "Fn::ImportValue", "Fn::GetAZs", "Fn::Nope"])
    return st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(["Effect", "Principal", "Action", "Statement", "AWS", "x"]), children,
                        max_size=3),
        st.builds(lambda f, a: {f: a}, functions, st.one_of(children, st.lists(children, min_size=1, max_size=3))),
    )


_values = st.recursive(_leaves, _intrinsics, max_leaves=12)


@given(name=_values, trust=_values, condition=_values, extra=_values)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_template_loads_or_is_one_ingest_error(tmp_path_factory: pytest.TempPathFactory, name: object,
                                                    trust: object, condition: object, extra: object) -> None:
    body = {"Parameters": {"Env": {"Type": "String", "Default": "dev"}},
            "Mappings": {"M": {"dev": {"k": "v"}}},
            "Conditions": {"C": condition},
            "Resources": {
                "R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": name, "AssumeRolePolicyDocument": trust,
                                                               "Policies": extra, "Path": name}},
                "P": {"Type": "AWS::IAM::Policy", "Condition": "C",
                      "Properties": {"PolicyName": name, "Roles": extra, "PolicyDocument": trust}}}}
    f = tmp_path_factory.mktemp("fuzz") / "t.json"
    f.write_text(json.dumps(body), encoding="utf-8")
    try:
        overlay = load_cloudformation(str(f), account=ACCOUNT)
    except IngestError as exc:
        assert "\n" not in str(exc)
        return
    apply_overlay(load_estate([DATA / "old"]), overlay)


def test_report_positions_read_yaml_templates(short_tags: Overlay) -> None:
    from trustgraph.report.positions import statement_positions

    deploy = _roles(short_tags)["dev-deploy"].trust_policy
    positions = statement_positions([s.location for s in deploy.statements])
    text = (DATA / "short-tags.yaml").read_text(encoding="utf-8").splitlines()
    lines = [text[positions[s.location].line - 1].strip() for s in deploy.statements]
    assert lines == ["- Effect: Allow", "- Effect: Allow"]
    assert [positions[s.location].line for s in deploy.statements] == [44, 54]


def test_a_new_path_replaces_the_role(tmp_path: Path) -> None:
    old = load_estate([DATA / "old"])
    text = (DATA / "description-only.yaml").read_text(encoding="utf-8")
    moved = tmp_path / "moved.yaml"
    moved.write_text(text.replace("      RoleName: AuditRoleWithExternalId\n",
                                  "      RoleName: AuditRoleWithExternalId\n      Path: /audit/\n"), encoding="utf-8")
    same = _roles(load_cloudformation(str(DATA / "description-only.yaml"), account=ACCOUNT, old=old))
    assert same["AuditRoleWithExternalId"].replace is False
    new = apply_overlay(old, load_cloudformation(str(moved), account=ACCOUNT, old=old))
    role = new.role_by_arn[f"arn:aws:iam::{ACCOUNT}:role/audit/AuditRoleWithExternalId"]
    assert role.role_id != old.role_by_arn[f"arn:aws:iam::{ACCOUNT}:role/AuditRoleWithExternalId"].role_id
