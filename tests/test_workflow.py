"""The GitHub Pages workflow (.github/workflows/pages.yml) does what the README promises.

Read as YAML (PyYAML reads the key `on:` as the boolean True, YAML 1.1), then
checked against GitHub's Pages conventions: official actions at current
majors, Pages permissions and concurrency, the build command of the README
with the address that configure-pages reports, the README's test command
before anything is published, and the `output` folder as the artifact.
"""

from __future__ import annotations

import re

import pytest
import yaml

from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
README = ROOT / "README.md"

# The README's quick-start commands, as the lead wrote them; README.md wins when it has them.
# Both install the versions pinned in constraints.txt.
INSTALL_AND_BUILD = "python -m pip install -e . -c constraints.txt && python build.py"
INSTALL_AND_TEST = 'python -m pip install -e ".[test]" -c constraints.txt && python -m pytest'
CI_RUN = ROOT / ".ci" / "run"
BASE_URL_OPTION = '--base-url "${{ steps.pages.outputs.base_url }}/"'

# action -> lowest major accepted (the workflow's comment explains the choice)
MINIMUM_MAJOR = {
    "actions/checkout": 4,
    "actions/setup-python": 5,
    "actions/configure-pages": 5,
    "actions/upload-pages-artifact": 3,
    "actions/deploy-pages": 4,
}


@pytest.fixture(scope="module")
def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "the workflow must be a YAML mapping"
    if True in data:  # `on:` read as a YAML 1.1 boolean
        data["on"] = data.pop(True)
    return data


@pytest.fixture(scope="module")
def readme_commands() -> tuple[str, str]:
    """(install and build, install and test) from README.md's quick start, or the agreed constants."""
    if README.exists():
        text = README.read_text(encoding="utf-8")
        section = re.search(r"^## Quick start\n(.*?)(?=^## |\Z)", text, re.S | re.M)
        block = re.search(r"```(?:sh|bash|console)\n(.*?)```", section.group(1), re.S) if section else None
        if block:
            lines = [line.strip() for line in block.group(1).splitlines() if line.strip()]
            build = [line for line in lines if "build.py" in line]
            test = [line for line in lines if "pytest" in line]
            if build and test:
                return build[0], test[0]
    return INSTALL_AND_BUILD, INSTALL_AND_TEST


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def uses(step: dict) -> str:
    return step.get("uses", "").split("@")[0]


def step_index(job: dict, predicate) -> int:
    for i, step in enumerate(steps(job)):
        if predicate(step):
            return i
    raise AssertionError("no such step")


def jobs_with(workflow: dict, predicate) -> list[str]:
    return [name for name, job in workflow["jobs"].items() if any(predicate(s) for s in steps(job))]


def runs(text: str):
    return lambda step: text in step.get("run", "")


def test_workflow_is_valid_yaml_and_runs_on_push_to_main_and_by_hand(workflow):
    triggers = workflow["on"]
    assert isinstance(triggers, dict), triggers
    assert "main" in triggers["push"]["branches"]
    assert "workflow_dispatch" in triggers
    assert "pull_request_target" not in triggers  # never publish code from a fork's pull request
    for name, job in workflow["jobs"].items():
        assert job.get("runs-on"), f"job {name} has no runs-on"
        assert steps(job), f"job {name} has no steps"


def test_the_readme_commands_are_the_agreed_ones(readme_commands):
    """If this fails, README and workflow have drifted apart: update both together."""
    assert readme_commands == (INSTALL_AND_BUILD, INSTALL_AND_TEST)


def test_uses_the_official_pages_actions_at_current_majors(workflow):
    found = {}
    for job in workflow["jobs"].values():
        for step in steps(job):
            if "uses" not in step:
                continue
            action, _, ref = step["uses"].partition("@")
            assert re.fullmatch(r"v\d+(\.\d+){0,2}|[0-9a-f]{40}", ref), f"{step['uses']} is not pinned to a release"
            if ref.startswith("v"):
                found.setdefault(action, set()).add(int(ref[1:].split(".")[0]))
    for action, minimum in MINIMUM_MAJOR.items():
        assert action in found, f"the workflow does not use {action}"
        assert min(found[action]) >= minimum, f"{action}@v{min(found[action])} is older than v{minimum}"


def test_permissions_and_concurrency_follow_the_pages_convention(workflow):
    permissions = dict(workflow.get("permissions") or {})
    deploy_job = workflow["jobs"][jobs_with(workflow, lambda s: uses(s) == "actions/deploy-pages")[0]]
    permissions.update(deploy_job.get("permissions") or {})
    assert permissions.get("pages") == "write"
    assert permissions.get("id-token") == "write"
    assert workflow.get("permissions", {}).get("contents") in ("read", None)  # never write to the repository
    assert workflow["concurrency"]["group"] == "pages"
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_builds_with_the_readme_command_and_the_pages_address(workflow, readme_commands):
    install_and_build, _ = readme_commands
    (name,) = jobs_with(workflow, runs(install_and_build))
    job = workflow["jobs"][name]
    build = steps(job)[step_index(job, runs(install_and_build))]
    assert build["run"].strip() == f"{install_and_build} {BASE_URL_OPTION}"
    configure = step_index(job, lambda s: uses(s) == "actions/configure-pages")
    assert steps(job)[configure].get("id") == "pages"  # the id the build command reads
    assert configure < step_index(job, runs(install_and_build))

    python = steps(job)[step_index(job, lambda s: uses(s) == "actions/setup-python")]
    assert str(python["with"]["python-version"]) == "3.11"
    assert python["with"]["cache"] == "pip"
    assert uses(steps(job)[0]) == "actions/checkout"


def test_uploads_the_output_folder_after_building(workflow, readme_commands):
    install_and_build, _ = readme_commands
    (name,) = jobs_with(workflow, lambda s: uses(s) == "actions/upload-pages-artifact")
    job = workflow["jobs"][name]
    upload = step_index(job, lambda s: uses(s) == "actions/upload-pages-artifact")
    assert steps(job)[upload]["with"]["path"].strip("./") == "output"
    assert step_index(job, runs(install_and_build)) < upload


def test_runs_the_readme_tests_with_their_tools_before_deploying(workflow, readme_commands):
    _, install_and_test = readme_commands
    (name,) = jobs_with(workflow, runs(install_and_test))
    job = workflow["jobs"][name]
    test = step_index(job, runs(install_and_test))
    assert steps(job)[test]["run"].strip() == install_and_test
    assert step_index(job, runs("apt-get install -y chromium default-jre-headless")) < test
    assert step_index(job, runs("npm ci")) < test
    assert step_index(job, lambda s: uses(s) == "actions/setup-python") < test

    (deploy_name,) = jobs_with(workflow, lambda s: uses(s) == "actions/deploy-pages")
    needs = workflow["jobs"][deploy_name].get("needs", [])
    needs = [needs] if isinstance(needs, str) else needs
    (upload_job,) = jobs_with(workflow, lambda s: uses(s) == "actions/upload-pages-artifact")
    assert upload_job in needs
    assert name in needs or name == upload_job  # a failing test never publishes


def test_deploy_job_uses_the_github_pages_environment(workflow):
    (name,) = jobs_with(workflow, lambda s: uses(s) == "actions/deploy-pages")
    job = workflow["jobs"][name]
    deploy = steps(job)[step_index(job, lambda s: uses(s) == "actions/deploy-pages")]
    assert job["environment"]["name"] == "github-pages"
    assert job["environment"]["url"] == "${{ steps.%s.outputs.page_url }}" % deploy["id"]


def test_workflow_explains_the_action_versions_and_the_dotfile_rule(workflow):
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "Node 24" in text
    assert ".nojekyll" in text and "Jekyll" in text


def test_ci_runs_the_readme_commands_then_the_upstream_markdown_tests(readme_commands):
    """.ci/run runs the two README commands verbatim (a failure in either stops it), then Python-Markdown's suite."""
    lines = [line.strip() for line in CI_RUN.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.strip().startswith("#")]
    commands = [line for line in lines if "build.py" in line or "pytest" in line or "upstream" in line]
    assert commands == [f"{readme_commands[0]} || exit", f"{readme_commands[1]} || exit",
                        "python scripts/markdown_upstream_tests.py"]
    assert all("-c constraints.txt" in command for command in readme_commands)
