"""A job and an inventory update as AWX runs them: ansible-runner with the iwinv API credential's environment.

AWX renders the credential type's injectors (extensions/awx/iwinv_credential_type.yml) with the credential's
inputs into the job's environment, installs the project's collections, and starts ansible-runner in a private
data directory that holds the project. These tests do the same against the emulator, with the demo playbook
and inventory source of playbooks/, and check the effect in the emulator, not only the job's status.
Run by `bash tests/run.sh runner` (the Python that has ansible-runner; ansible-core from .venv on PATH).
"""

import json
import os
import pathlib
import secrets
import shutil
import subprocess

import ansible_runner
import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from fixture import EmulatorProcess

ROOT = pathlib.Path(__file__).resolve().parents[2]
CREDENTIAL_TYPE = ROOT / "extensions" / "awx" / "iwinv_credential_type.yml"
ACCESS_KEY = "awx-access"
WEB_SERVERS = {"web-1", "web-2"}


def injected_environment(inputs):
    """The environment AWX gives a job: the credential type's env injectors rendered with the inputs."""
    credential_type = yaml.safe_load(CREDENTIAL_TYPE.read_text(encoding="utf-8"))
    known = {field["id"] for field in credential_type["inputs"]["fields"]}
    assert set(inputs) <= known, "inputs the credential type does not declare: %s" % sorted(set(inputs) - known)
    templates = ImmutableSandboxedEnvironment()
    return {name: templates.from_string(template).render(**inputs)
            for name, template in credential_type["injectors"]["env"].items()}


@pytest.fixture(scope="module")
def secret_key():
    return "awx-secret-" + secrets.token_hex(8)


@pytest.fixture(scope="module")
def api(secret_key):  # pylint: disable=redefined-outer-name
    process = EmulatorProcess(access_key=ACCESS_KEY, secret_key=secret_key)
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def collections(tmp_path_factory):
    """The collection as a project update installs it: the built artifact, installed (not this checkout)."""
    where = tmp_path_factory.mktemp("collections")
    subprocess.run(["ansible-galaxy", "collection", "build", "--output-path", str(where), str(ROOT)],
                   check=True, capture_output=True)
    artifact = next(where.glob("iwinv-cloud-*.tar.gz"))
    # Only that path: a collection installed in ~/.ansible would count as "already installed".
    subprocess.run(["ansible-galaxy", "collection", "install", "--offline", "-p", str(where), str(artifact)],
                   check=True, capture_output=True, env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(where)))
    return where


@pytest.fixture(scope="module")
def job_dir(tmp_path_factory, api, secret_key, collections):  # pylint: disable=redefined-outer-name
    """A private data directory like the one AWX prepares: the project, and the credential's environment."""
    private = tmp_path_factory.mktemp("private_data_dir")
    shutil.copytree(ROOT / "playbooks", private / "project", ignore=shutil.ignore_patterns("*.sh"))
    env = injected_environment({"access_key": ACCESS_KEY, "secret_key": secret_key, "api_url": api.url,
                                "rate_limit": "600"})
    env["ANSIBLE_COLLECTIONS_PATH"] = str(collections)
    (private / "env").mkdir()
    (private / "env" / "envvars").write_text(yaml.safe_dump(env), encoding="utf-8")
    return private


def run_job(private, playbook):
    result = ansible_runner.run(private_data_dir=str(private), playbook=playbook, quiet=True)
    assert (result.status, result.rc) == ("successful", 0), result.stdout.read()
    return result


def secret_leaks(private, secret):
    """Files of the job's artifacts (stdout, job events, status) that hold the secret key.

    Left out: artifacts/<job>/command, ansible-runner's own record of the environment it was given (like
    env/envvars, its input); AWX deletes the private data directory after the job.
    """
    return [str(path) for path in (private / "artifacts").rglob("*")
            if path.is_file() and path.name != "command" and secret in path.read_text(encoding="utf-8", errors="replace")]


def test_the_injectors_set_the_variables_the_collection_reads():
    env = injected_environment({"access_key": "a", "secret_key": "s"})
    assert env == {"IWINV_ACCESS_KEY": "a", "IWINV_SECRET_KEY": "s", "IWINV_API_URL": "https://api-kr.iwinv.kr",
                   "IWINV_RATE_LIMIT": "60"}


def test_a_job_runs_the_demo_with_the_credential_only(job_dir, api, secret_key):  # pylint: disable=redefined-outer-name
    run_job(job_dir, "demo.yml")
    state = api.state()
    assert {row["name"] for row in state["instances"].values()} == WEB_SERVERS
    assert len(state["volumes"]) == 2 and len(state["firewalls"]) == 1
    second = run_job(job_dir, "demo.yml")
    assert second.stats["changed"] == {}, "a second job changed something: %s" % second.stats["changed"]
    assert not secret_leaks(job_dir, secret_key)


def test_an_inventory_update_lists_the_instances(job_dir, api, secret_key):  # pylint: disable=redefined-outer-name
    envvars = yaml.safe_load((job_dir / "env" / "envvars").read_text(encoding="utf-8"))
    out, err = ansible_runner.get_inventory(
        action="list", inventories=[str(job_dir / "project" / "inventory" / "iwinv.yml")], response_format="json",
        private_data_dir=str(job_dir), envvars=envvars, quiet=True)
    assert isinstance(out, dict), err
    hosts = set(out["iwinv_zone_kr1_z08"]["hosts"])
    assert hosts == WEB_SERVERS
    for host in hosts:
        host_vars = out["_meta"]["hostvars"][host]
        assert host_vars["ansible_host"] == host_vars["iwinv_public_ipv4"] or host_vars["iwinv_private_ipv4"]
    assert secret_key not in json.dumps(out) + str(err)


def test_a_job_tears_it_down(job_dir, api, secret_key):  # pylint: disable=redefined-outer-name
    run_job(job_dir, "teardown.yml")
    state = api.state()
    assert not state["instances"] and not state["volumes"] and not state["firewalls"]
    assert not secret_leaks(job_dir, secret_key)
