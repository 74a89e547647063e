"""``mockserver diff`` from the command line: exit codes, formats, the ignore file, ``git:`` sources
(VINR's own history), and the changelog page."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
from click.testing import CliRunner, Result

from mockserver.cli import main
from mockserver.diff import CHECKS, changelog_html, changelog_markdown, diff

from .corpus import BASE, CASES, pair

ROOT = Path(__file__).resolve().parents[2]
#: The commit that first added VINR's contract (then at openapi/vinr.yaml), and one after the
#: spec moved into its plug-in package (mockserver/apis/vinr/openapi.yaml).
FIRST_VINR = "3bcc0eb"
PACKAGED_VINR = "a06a0c0"
CASE = {case.check: case for case in CASES}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["diff", *args])


def write(tmp: Path, name: str, document: dict[str, object]) -> str:
    path = tmp / name
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return str(path)


def docs(tmp: Path, check: str) -> tuple[str, str]:
    old, new = pair(CASE[check])
    return write(tmp, "old.yaml", old), write(tmp, "new.yaml", new)


def test_exit_status_follows_fail_on(tmp_path: Path) -> None:
    old, new = docs(tmp_path, "response-enum-value-added")  # WARN
    assert run(old, new).exit_code == 0
    assert run(old, new, "--fail-on", "WARN").exit_code == 1
    old, new = docs(tmp_path, "path-removed")  # ERR
    result = run(old, new)
    assert result.exit_code == 1
    assert "ERR   path-removed" in result.output
    assert result.output.rstrip().endswith("1 change: 1 ERR, 0 WARN, 0 INFO")
    assert run(old, old).exit_code == 0


def test_unreadable_documents_exit_2(tmp_path: Path) -> None:
    result = run(str(tmp_path / "missing.yaml"), str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2 and "cannot read" in result.output
    swagger = write(tmp_path, "swagger.yaml", {"swagger": "2.0", "info": {}, "paths": {}})
    result = run(swagger, swagger)
    assert result.exit_code == 2 and "only OpenAPI 3.x documents are supported" in result.output
    result = run("git:no-such-rev:openapi.yaml", swagger)
    assert result.exit_code == 2 and "git:no-such-rev:openapi.yaml" in result.output
    assert run("git:nopath", swagger).exit_code == 2
    usage = run(swagger)
    assert usage.exit_code == 2 and "give OLD and NEW" in usage.output


def test_json_output(tmp_path: Path) -> None:
    old, new = docs(tmp_path, "new-required-request-property")
    result = run(old, new, "--format", "json")
    assert result.exit_code == 1
    changes = json.loads(result.output)["changes"]
    assert changes == [
        {
            "id": "new-required-request-property",
            "level": "ERR",
            "operation": "POST /items",
            "location": "request body application/json: size",
            "message": "new required property",
        }
    ]


def test_markdown_and_junit_outputs(tmp_path: Path) -> None:
    old, new = docs(tmp_path, "response-enum-value-added")
    markdown = run(old, new, "--format", "markdown").output
    assert "## Possibly breaking changes (WARN)" in markdown
    assert "| GET /items | response 200 application/json: [].status | enum value 'auto' added | response-enum-value-added |" in markdown
    report = tmp_path / "diff.xml"
    result = run(old, new, "--format", "junit", "--fail-on", "WARN", "-o", str(report))
    # Item is read by three operations: each is told
    assert result.exit_code == 1 and "3 changes: 0 ERR, 3 WARN" in result.output
    suites = ElementTree.parse(report).getroot()
    assert suites.get("failures") == "3"
    names = {c.get("name") for c in suites.iter("testcase")}
    assert names == {"GET /items", "POST /items", "GET /items/{id}"}


def test_ignore_file_accepts_changes_with_a_reason(tmp_path: Path) -> None:
    old, new = docs(tmp_path, "response-enum-value-added")
    ignore = tmp_path / "accepted.yaml"
    ignore.write_text(yaml.safe_dump([
        {"id": "response-enum-value-added", "operation": "listItems", "reason": "clients take status as open"},
        {"id": "response-enum-value-added", "operation": "POST /items", "reason": "same"},
        {"id": "response-enum-value-added", "operation": "getItem", "reason": "same",
         "location": "response 200 application/json: status"},
    ]))
    result = run(old, new, "--fail-on", "WARN", "--ignore", str(ignore), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["changes"] == []
    assert {a["reason"] for a in data["accepted"]} == {"clients take status as open", "same"}
    ignore.write_text(yaml.safe_dump([{"id": "response-enum-value-added", "operation": "*"}]))
    result = run(old, new, "--ignore", str(ignore))
    assert result.exit_code == 2 and "missing reason" in result.output
    ignore.write_text(yaml.safe_dump([{"id": "no-such-check", "operation": "*", "reason": "x"}]))
    result = run(old, new, "--ignore", str(ignore))
    assert result.exit_code == 2 and "no check named 'no-such-check'" in result.output


def test_list_checks_names_every_check_with_its_level() -> None:
    result = CliRunner().invoke(main, ["diff", "--list-checks"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == len(CHECKS)
    by_id = {line.split()[0]: line.split()[1] for line in lines}
    assert by_id["path-removed"] == "ERR"
    assert by_id["response-enum-value-added"] == "WARN"
    assert by_id["example-removed"] == "INFO"


def _have(revision: str) -> bool:
    done = subprocess.run(["git", "cat-file", "-e", f"{revision}^{{commit}}"], cwd=ROOT, capture_output=True)
    return done.returncode == 0


@pytest.mark.skipif(
    not (_have(FIRST_VINR) and _have(PACKAGED_VINR)),
    reason="needs the repository's history (a full clone): VINR's first commits",
)
def test_vinr_history_from_git_revisions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two revisions of VINR's contract read with git:, from before and after it moved from
    openapi/vinr.yaml into its plug-in package: links were added, nothing was broken."""
    old = f"git:{FIRST_VINR}:openapi/vinr.yaml"
    new = f"git:{PACKAGED_VINR}:mockserver/apis/vinr/openapi.yaml"
    assert [c.id for c in diff(old, new, repo=ROOT)] == ["link-added"] * 3
    monkeypatch.chdir(ROOT)  # the command reads git: revisions from the current repository
    result = CliRunner().invoke(main, ["diff", old, new, "--format", "json", "--fail-on", "WARN"])
    assert result.exit_code == 0, result.output
    changes = json.loads(result.output)["changes"]
    assert sorted((c["id"], c["operation"], c["location"]) for c in changes) == [
        ("link-added", "POST /v1/campaigns", "response 200 link CreateCouponInCampaign"),
        ("link-added", "POST /v1/campaigns", "response 200 link CreateOfferInCampaign"),
        ("link-added", "POST /v1/coupons", "response 200 link RedeemCoupon"),
    ]
    # and backwards, the same links are removed: possibly breaking
    backwards = CliRunner().invoke(main, ["diff", new, old, "--fail-on", "WARN"])
    assert backwards.exit_code == 1
    assert backwards.output.count("WARN  link-removed") == 3


def test_a_breaking_edit_of_vinr_is_caught(tmp_path: Path) -> None:
    spec = yaml.safe_load((ROOT / "mockserver/apis/vinr/openapi.yaml").read_text())
    spec["components"]["schemas"]["Campaign"]["required"].remove("status")
    spec["components"]["schemas"]["Campaign"]["properties"]["status"]["enum"].append("paused")
    edited = write(tmp_path, "vinr.yaml", spec)
    result = run(str(ROOT / "mockserver/apis/vinr/openapi.yaml"), edited, "--format", "json")
    assert result.exit_code == 1
    found = {(c["id"], c["operation"]) for c in json.loads(result.output)["changes"]}
    assert ("response-property-became-optional", "GET /v1/campaigns/{id}") in found
    assert ("response-enum-value-added", "GET /v1/campaigns") in found


@pytest.mark.parametrize("render", [changelog_markdown, changelog_html])
def test_changelog_page(render: object) -> None:
    old, new = pair(CASE["path-removed"])
    new["info"]["version"] = "2"  # type: ignore[index]
    page = render(old, new)  # type: ignore[operator]
    if render is changelog_markdown:
        assert page.startswith("# Changelog\n\n## Corpus: 1 to 2\n")
        assert "### Breaking changes" in page
        assert "- **`GET /health`**" in page
        assert "path /health removed (health) (path-removed)" in page
        assert changelog_markdown(BASE, BASE).endswith("No change to the contract.\n")
    else:
        assert page.startswith('<section class="changelog">')
        assert '<h3 class="level-err">Breaking changes</h3>' in page
        assert "<code>GET /health</code>" in page
        assert page.rstrip().endswith("</section>")
