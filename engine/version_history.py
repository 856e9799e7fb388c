"""What changed between versions: deployments made after a modeler page's base (so a deploy from an older base
cannot silently overwrite them), and the differences between two versions of one process (files, policy
values) for the diff page and the migration preview."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.diagram_names import english_name
from engine.errors import Conflict, NotFound
from engine.models.deployment import Deployment, DeploymentFile, ProcessVersion
from engine.policy_table import declared, policy_values


class StaleBase(Conflict):
    """The bundle was edited from a deployment older than versions deployed since; ``details`` name them."""

    code = "stale_base"


@dataclass
class ChangesSince:
    base: int
    #: {key, name (the process's Chinese name), version, deployment, deployed_by}
    versions: list[dict[str, Any]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"base": self.base, "versions": self.versions, "files": self.files}


def _file_hashes(session: Session, deployment_ids: list[int]) -> dict[int, dict[str, str]]:
    rows = session.execute(
        select(DeploymentFile.deployment_id, DeploymentFile.name, DeploymentFile.sha256).where(
            DeploymentFile.deployment_id.in_(deployment_ids)
        )
    )
    found: dict[int, dict[str, str]] = {d: {} for d in deployment_ids}
    for dep_id, name, sha in rows:
        found[dep_id][name] = sha
    return found


def changes_since(session: Session, base: int, processes: set[str], names: set[str]) -> ChangesSince:
    """Versions of ``processes`` deployed after deployment ``base``, and which of the files ``names`` those
    later deployments changed (compared with the base)."""
    changes = ChangesSince(base)
    later = list(session.scalars(select(Deployment.id).where(Deployment.id > base).order_by(Deployment.id)))
    if not later:
        return changes
    newer = session.execute(
        select(
            ProcessVersion.process_key,
            ProcessVersion.name,
            ProcessVersion.version,
            Deployment.id,
            Deployment.deployed_by,
        )
        .join(Deployment, ProcessVersion.deployment_id == Deployment.id)
        .where(ProcessVersion.deployment_id > base, ProcessVersion.process_key.in_(sorted(processes)))
        .order_by(ProcessVersion.process_key, ProcessVersion.version)
    )
    changes.versions = [
        {"key": key, "name": name or key, "version": version, "deployment": dep, "deployed_by": by or ""}
        for key, name, version, dep, by in newer
    ]
    hashes = _file_hashes(session, [base, *later])
    latest = dict(hashes[base])
    for dep in later:
        latest.update(hashes[dep])
    changes.files = sorted(n for n in names if n in latest and latest[n] != hashes[base].get(n))
    return changes


def stale_refusal(changes: ChangesSince) -> StaleBase:
    # the processes by name, as the owner knows them (the key is a variable name)
    listed_zh = "、".join(f"{v['name']} v{v['version']}" for v in changes.versions)
    listed_en = ", ".join(f"{english_name(v['name'])} v{v['version']}" for v in changes.versions)
    files = ", ".join(changes.files) or "-"
    return StaleBase(
        f"此页面打开的是部署 #{changes.base}，之后已有新版本：{listed_zh}（其后改动的文件：{files}）。"
        "继续部署会用本页的内容覆盖它们；请确认后再部署，或重新打开最新版本再修改。",
        f"This page was opened from deployment #{changes.base}; newer versions were deployed since: {listed_en} "
        f"(files changed since: {files}). Deploying would overwrite them with this page's content; confirm, "
        "or open the newest version and edit that.",
        details=changes.as_json(),
    )


# --- differences between two versions of a process ------------------------------------------------------------


def version_of(session: Session, key: str, version: int) -> ProcessVersion:
    found = session.scalar(
        select(ProcessVersion).where(ProcessVersion.process_key == key, ProcessVersion.version == version)
    )
    if found is None:
        raise NotFound(f"流程 {key} 没有版本 v{version}。", f"Process {key} has no version v{version}.")
    return found


def _files(session: Session, deployment_id: int) -> dict[str, DeploymentFile]:
    rows = session.scalars(select(DeploymentFile).where(DeploymentFile.deployment_id == deployment_id))
    return {f.name: f for f in rows}


def _used_files(pv: ProcessVersion, files: dict[str, DeploymentFile]) -> dict[str, DeploymentFile]:
    """The files of the version's deployment this process depends on (recorded at deploy time when known)."""
    used = pv.used_files.split("\n") if pv.used_files else list(files)
    return {name: files[name] for name in used if name in files}


@dataclass
class PolicyChange:
    key: str
    zh: str
    en: str
    old: str | None
    new: str | None


@dataclass
class VersionDiff:
    key: str
    old: ProcessVersion
    new: ProcessVersion
    added_files: list[str] = field(default_factory=list)
    removed_files: list[str] = field(default_factory=list)
    changed_files: list[str] = field(default_factory=list)
    policy: list[PolicyChange] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "process": self.key,
            "old": self.old.version,
            "new": self.new.version,
            "added_files": self.added_files,
            "removed_files": self.removed_files,
            "changed_files": self.changed_files,
            "policy": [vars(p) for p in self.policy],
        }


def policy_changes(old: dict[str, str], new: dict[str, str]) -> list[PolicyChange]:
    """Parameters whose value differs between two policy tables (as written), in declaration order."""
    params = declared()
    order = [k for k in params if k in old or k in new] + sorted((set(old) | set(new)) - set(params))
    changes = []
    for key in order:
        if old.get(key) != new.get(key):
            p = params.get(key)
            changes.append(
                PolicyChange(key, p.zh if p else key, p.en if p else key, old.get(key), new.get(key))
            )
    return changes


def diff_versions(session: Session, old: ProcessVersion, new: ProcessVersion) -> VersionDiff:
    """Files added, removed and changed between two versions of one process, and the policy values that
    differ in the decision tables it uses."""
    before = _used_files(old, _files(session, old.deployment_id))
    after = _used_files(new, _files(session, new.deployment_id))
    diff = VersionDiff(new.process_key, old, new)
    diff.added_files = sorted(set(after) - set(before))
    diff.removed_files = sorted(set(before) - set(after))
    diff.changed_files = sorted(n for n in set(before) & set(after) if before[n].sha256 != after[n].sha256)
    old_values: dict[str, str] = {}
    new_values: dict[str, str] = {}
    for f in before.values():
        if f.kind == "dmn":
            old_values.update(policy_values(f.content))
    for f in after.values():
        if f.kind == "dmn":
            new_values.update(policy_values(f.content))
    diff.policy = policy_changes(old_values, new_values)
    return diff


def bpmn_text(session: Session, pv: ProcessVersion) -> bytes:
    found = session.scalar(
        select(DeploymentFile).where(
            DeploymentFile.deployment_id == pv.deployment_id, DeploymentFile.name == pv.bpmn_file
        )
    )
    if found is None:
        raise NotFound(f"找不到 {pv.bpmn_file}。", f"{pv.bpmn_file} is missing.")
    return found.content
