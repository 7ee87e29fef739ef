"""deploy/: Kubernetes manifests valid against Kubernetes' schemas, one pod per shard, and
every sheets-sync command line in cron, systemd and Kubernetes one the real CLI accepts."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path, PurePosixPath
from typing import Any

import click
import kubernetes_validate
import pytest
import yaml

from sheets_sync.cli import cli
from sheets_sync.cli.sync import sync_cmd
from sheets_sync.config import parse_config
from sheets_sync.shards import ENV_INDEX, Shard

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
MANIFESTS = sorted((DEPLOY / "kubernetes").glob("*.yaml"))
#: The Kubernetes release whose schemas the manifests must satisfy (strictly: no unknown key).
KUBERNETES_VERSION = "1.37"
#: Google's per-user quota of Sheets API requests a minute, of each kind (read, write).
PER_USER_QUOTA = 60


def documents(path: Path) -> list[dict[str, Any]]:
    """The YAML documents of a file (empty ones left out)."""
    with path.open(encoding="utf-8") as f:
        return [doc for doc in yaml.safe_load_all(f) if doc]


def resources(kind: str) -> list[dict[str, Any]]:
    return [doc for path in MANIFESTS for doc in documents(path) if doc["kind"] == kind]


def pod_spec(resource: dict[str, Any]) -> dict[str, Any]:
    """The pod template's spec of a CronJob, Job or workload."""
    spec = resource["spec"]
    if resource["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    pod: dict[str, Any] = spec["template"]["spec"]
    return pod


def argv(container: dict[str, Any]) -> list[str]:
    return [*container.get("command", []), *container.get("args", [])]


def is_sheets_sync(word: str) -> bool:
    return PurePosixPath(word).name == "sheets-sync"


# -- the manifests -------------------------------------------------------------------------


def test_the_manifests_are_there() -> None:
    assert {p.name for p in MANIFESTS} >= {"cronjob.yaml", "configmap.yaml"}
    assert {doc["kind"] for p in MANIFESTS for doc in documents(p)} >= {"CronJob", "ConfigMap"}


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_every_manifest_is_valid_kubernetes(path: Path) -> None:
    found = documents(path)
    assert found, f"{path.name} holds no resource"
    for doc in found:
        try:  # strict: a key the schema does not know (a typo, a misplaced field) fails too
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            where = ".".join(str(part) for part in exc.path)
            pytest.fail(f"{path.name}: {doc['kind']} at {where}: {exc.message}")


def cronjob() -> dict[str, Any]:
    (found,) = resources("CronJob")
    return found


def sync_container() -> dict[str, Any]:
    (container,) = [c for c in pod_spec(cronjob())["containers"] if is_sheets_sync(argv(c)[0])]
    return container


def shard_count() -> int:
    """COUNT of the CronJob's ``--shard auto/COUNT``."""
    words = argv(sync_container())
    match = re.fullmatch(r"auto/(\d+)", words[words.index("--shard") + 1])
    assert match, "the CronJob's sync takes --shard auto/COUNT"
    return int(match[1])


def test_the_cronjob_runs_every_shard_once_and_never_two_runs_at_once() -> None:
    spec = cronjob()["spec"]
    job = spec["jobTemplate"]["spec"]
    assert spec["concurrencyPolicy"] == "Forbid"
    assert job["completionMode"] == "Indexed"
    count = shard_count()
    assert count > 1
    assert job["completions"] == job["parallelism"] == count
    assert "--all" in argv(sync_container())


def test_the_configmap_is_the_config_the_cronjob_reads_paced_for_its_shards() -> None:
    words = argv(sync_container())
    config_file = PurePosixPath(words[words.index("--config") + 1])
    pod = pod_spec(cronjob())
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m for m in sync_container()["volumeMounts"]}
    mount = mounts[str(config_file.parent)]
    (configmap,) = [c for c in resources("ConfigMap")
                    if c["metadata"]["name"] == volumes[mount["name"]]["configMap"]["name"]]
    text = configmap["data"][config_file.name]

    config = parse_config(tomllib.loads(text), Path(config_file))
    assert config.workbooks
    assert len({wb.name for wb in config.workbooks}) == len(config.workbooks)
    # every shard acts as the same account: together they stay within its per-user quota
    assert 0 < config.google.requests_per_minute * shard_count() <= PER_USER_QUOTA
    # the key comes from the Secret, mounted read-only
    assert config.google.credentials is not None
    secret = mounts[config.google.credentials.parent.as_posix()]
    assert secret["readOnly"] is True
    assert "secretName" in volumes[secret["name"]]["secret"]
    # the lock folder is a volume of the pod, not the read-only root file system
    env = {e["name"]: e["value"] for e in sync_container()["env"]}
    state = mounts[env["SHEETS_SYNC_STATE_DIR"]]
    assert not state.get("readOnly", False)


# -- the command lines ---------------------------------------------------------------------


def after_program(words: list[str]) -> list[list[str]]:
    """The arguments of each sheets-sync in a shell command, up to the next operator."""
    found = []
    for i, word in enumerate(words):
        if is_sheets_sync(word):
            args = []
            for arg in words[i + 1:]:
                if set(arg) <= set("();<>|&"):
                    break
                args.append(arg)
            found.append(args)
    return found


def kubernetes_commands() -> list[tuple[str, list[str]]]:
    return [
        (f"{path.name}:{container['name']}", argv(container)[1:])
        for path in MANIFESTS
        for doc in documents(path)
        if doc["kind"] in ("CronJob", "Job", "Deployment")
        for container in pod_spec(doc)["containers"]
        if is_sheets_sync(argv(container)[0])
    ]


def cron_commands() -> list[tuple[str, list[str]]]:
    found = []
    for path in sorted((DEPLOY / "cron").iterdir()):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#") or re.match(r"\w+=", line):
                continue  # blank, comment, or a variable for the lines below
            command = line.split(None, 5)[5]  # after minute, hour, day, month, weekday
            words = list(shlex.shlex(command, posix=True, punctuation_chars=True))
            found += [(f"{path.name}:{number}", args) for args in after_program(words)]
    return found


def systemd_commands() -> list[tuple[str, list[str]]]:
    found = []
    for path in sorted((DEPLOY / "systemd").glob("*.service")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("ExecStart="):
                words = shlex.split(line.removeprefix("ExecStart="))
                assert is_sheets_sync(words[0]), line
                found.append((f"{path.name}:{number}", words[1:]))
    return found


COMMANDS = [*kubernetes_commands(), *cron_commands(), *systemd_commands()]


def invocation(args: list[str]) -> click.Context:
    """What the real command line makes of ``sheets-sync ARGS``, without running it: an
    unknown command or option, or a value it refuses, raises as it would."""
    parent = click.Context(cli, info_name="sheets-sync")
    name, command, rest = cli.resolve_command(parent, list(args))
    assert name is not None and command is not None
    return command.make_context(name, rest, parent=parent)


def test_every_deploy_file_runs_sheets_sync() -> None:
    files = {where.partition(":")[0] for where, _ in COMMANDS}
    assert files == {"cronjob.yaml", "sheets-sync.cron", "sheets-sync.service"}


@pytest.mark.parametrize(("where", "args"), COMMANDS, ids=[where for where, _ in COMMANDS])
def test_the_command_line_is_one_sheets_sync_accepts(
    where: str, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_INDEX, "0")  # as an Indexed Job sets it in its first pod
    ctx = invocation(args)
    assert ctx.command is sync_cmd, where
    assert ctx.params["every"] is True, where
    assert ctx.params["config"], where
    if where.startswith("cronjob.yaml"):
        assert ctx.params["shard"] == Shard(0, shard_count())


def test_the_check_refuses_what_the_command_line_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_INDEX, raising=False)
    with pytest.raises(click.NoSuchOption):
        invocation(["sync", "--all", "--shards", "0/4"])
    with pytest.raises(click.BadParameter, match="JOB_COMPLETION_INDEX, which is not set"):
        invocation(["sync", "--all", "--shard", "auto/4"])
    with pytest.raises(click.UsageError):
        invocation(["synch", "--all"])
