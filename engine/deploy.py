"""Deployments: validate a bundle completely, then store it as immutable numbered process versions.

A refused bundle stores nothing; the refusal names the file, line and element id of each problem.
The same bytes deployed again create no new version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.bundle import BundleFile, problem, refuse
from engine.db import begin_write
from engine.decision_uses import called_decisions
from engine.domain import checks
from engine.errors import Conflict
from engine.lint import LintProblem, form_key_of, lane_problems, lint_spec, need_form_of, start_form_of
from engine.models.deployment import Deployment, DeploymentFile, ProcessVersion
from engine.policy_table import check_parameter_tables
from engine.specs import clean_message, new_parser, serializer_version, spec_to_json
from engine.task_due import DeadlineTableError, check_table, is_deadline_table
from engine.version_history import changes_since, stale_refusal
from engine.xmlsafe import UnsafeXml, element_line, parse_xml
from forms.definition import FormDefinition
from forms.errors import FormDefinitionError


@dataclass
class ValidatedBundle:
    files: list[BundleFile]
    parser: SpiffBpmnParser
    trees: dict[str, etree._ElementTree]
    forms: dict[str, FormDefinition]
    specs: dict[str, tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]] = field(default_factory=dict)


@dataclass(frozen=True)
class DeployedProcess:
    key: str
    version: int
    created: bool


@dataclass(frozen=True)
class DeployResult:
    deployment_id: int
    processes: list[DeployedProcess]

    @property
    def unchanged(self) -> bool:
        return not any(p.created for p in self.processes)

    def as_json(self) -> dict[str, Any]:
        return {
            "deployment": self.deployment_id,
            "unchanged": self.unchanged,
            "processes": [{"key": p.key, "version": p.version, "created": p.created} for p in self.processes],
            "new_versions": [p.key for p in self.processes if p.created],
            "unchanged_processes": [p.key for p in self.processes if not p.created],
        }


def _spiff_problem(
    exc: SpiffWorkflowException, trees: dict[str, etree._ElementTree], default_file: str | None = None
) -> dict[str, object]:
    file = getattr(exc, "file_name", None) or default_file
    element = getattr(exc, "id", None) or None
    line = getattr(exc, "line_number", None) or None
    if not line and file in trees:
        line = element_line(trees[file], element)
    text = clean_message(" ".join([str(exc.args[0]) if exc.args else "", *getattr(exc, "notes", [])]))
    tag = getattr(exc, "tag", None)
    if tag and element:
        text = f"{text} ({tag})"
    return problem(file, text, f"流程图校验失败：{text}", line=int(line) if line else None, element=element)


def validate_bundle(files: list[BundleFile]) -> ValidatedBundle:
    """Run every check (XML safety, XSD, SpiffWorkflow semantics, forms, our lint) or raise DeploymentRefused."""
    if not files:
        raise refuse([problem(None, "the bundle is empty", "部署包为空")])
    parser = new_parser()
    bundle = ValidatedBundle(files=files, parser=parser, trees={}, forms={})
    problems: list[dict[str, object]] = []
    _load_forms(bundle, problems)
    for f in files:
        if f.kind not in ("bpmn", "dmn"):
            continue
        try:
            tree = parse_xml(f.content)
        except UnsafeXml as exc:
            problems.append(problem(f.name, str(exc), f"XML 不安全或格式错误：{exc}", line=exc.line))
            continue
        bundle.trees[f.name] = tree
        try:
            if f.kind == "bpmn":
                parser.add_bpmn_xml(tree, filename=f.name)
            else:
                parser.add_dmn_xml(tree.getroot(), filename=f.name)
                problems.extend(check_parameter_tables(f.name, tree))
        except SpiffWorkflowException as exc:
            problems.append(_spiff_problem(exc, bundle.trees, f.name))
            continue
        if f.kind == "dmn" and is_deadline_table(f.name):
            try:
                check_table(f.content)
            except DeadlineTableError as exc:
                line = element_line(tree, exc.element) if exc.element else None
                problems.append(
                    problem(f.name, exc.en, f"任务期限表有误：{exc.zh}", line=line, element=exc.element)
                )
    if problems:
        raise refuse(problems)
    _parse_specs(bundle, problems)
    if problems:
        raise refuse(problems)
    return bundle


def _load_forms(bundle: ValidatedBundle, problems: list[dict[str, object]]) -> None:
    for f in bundle.files:
        if f.kind != "form":
            continue
        try:
            defn = FormDefinition.load(f.content.decode("utf-8"), filename=f.name)
        except UnicodeDecodeError:
            problems.append(problem(f.name, "form file is not UTF-8 text", "表单文件不是 UTF-8 文本"))
            continue
        except FormDefinitionError as exc:
            problems.append(problem(f.name, exc.en, f"表单定义错误：{exc.zh}"))
            continue
        stem = f.name.rsplit("/", 1)[-1][: -len(".form.json")]
        missing = checks.unknown(defn.checks)
        if missing:
            problems.append(
                problem(
                    f.name,
                    f"checks: unknown check(s) {', '.join(missing)} (known: {', '.join(sorted(checks.CHECKS))})",
                    f"checks：未知的检查 {', '.join(missing)}（已有：{', '.join(sorted(checks.CHECKS))}）",
                )
            )
        if defn.id != stem:
            problems.append(
                problem(
                    f.name,
                    f"form id '{defn.id}' must match the file name '{stem}.form.json'",
                    f"表单 id '{defn.id}' 必须与文件名 '{stem}.form.json' 一致",
                )
            )
        elif defn.id in bundle.forms:
            problems.append(
                problem(f.name, f"form '{defn.id}' is defined twice", f"表单 '{defn.id}' 重复定义")
            )
        else:
            bundle.forms[defn.id] = defn


def _parse_specs(bundle: ValidatedBundle, problems: list[dict[str, object]]) -> None:
    parser = bundle.parser
    executable = parser.get_process_ids()
    if not executable:
        for name in bundle.trees:
            if name.lower().endswith(".bpmn"):
                ids = [pid for pid, pp in parser.process_parsers.items() if pp.filename == name]
                listed = ", ".join(ids) or "none"
                problems.append(
                    problem(
                        name,
                        f'no executable process: processes ({listed}) are not marked isExecutable="true"; '
                        "this diagram can be viewed but not deployed",
                        f'没有可执行流程：流程（{listed}）未标记 isExecutable="true"；此图可查看但不能部署',
                    )
                )
        if not problems:
            problems.append(problem(None, "the bundle contains no BPMN diagram", "部署包中没有 BPMN 流程图"))
        return
    for pid in executable:
        try:
            spec = parser.get_spec(pid)
            subprocess_specs = parser.get_subprocess_specs(pid)
        except SpiffWorkflowException as exc:
            problems.append(_spiff_problem(exc, bundle.trees, parser.process_parsers[pid].filename))
            continue
        except Exception as exc:  # SpiffWorkflow raises plain errors for some malformed models
            file = parser.process_parsers[pid].filename
            problems.append(
                problem(
                    file,
                    f"process {pid} cannot be parsed: {clean_message(str(exc))}",
                    f"流程 {pid} 无法解析：{clean_message(str(exc))}",
                    element=pid,
                )
            )
            continue
        bundle.specs[pid] = (spec, subprocess_specs)
        for each in [spec, *subprocess_specs.values()]:
            tree = bundle.trees.get(getattr(each, "file", None) or "")
            problems.extend(_as_problems(tree, lint_spec(each, set(bundle.forms), _property_reader(tree))))
    # a node drawn in one lane must not run in another (a subprocess's nodes run in its lane): every diagram
    # a deployed process is parsed from, checked once
    parsed = {
        getattr(each, "file", None)
        for spec, subprocess_specs in bundle.specs.values()
        for each in [spec, *subprocess_specs.values()]
    }
    for name in sorted(n for n in parsed if n is not None and n in bundle.trees):
        problems.extend(_as_problems(bundle.trees[name], lane_problems(bundle.trees[name], name)))
    # de-duplicate problems reported for shared subprocesses
    unique = {json.dumps(p, sort_keys=True, default=str): p for p in problems}
    problems[:] = list(unique.values())


def _as_problems(
    tree: etree._ElementTree | None, lint_problems: Iterable[LintProblem]
) -> list[dict[str, object]]:
    """Our lint's problems as deploy problems, each with the line of its element in ``tree`` (the diagram
    they were found in; None when the diagram is not in the bundle: no line)."""
    return [
        problem(
            lp.file,
            lp.message,
            lp.message_zh,
            element=lp.element,
            line=element_line(tree, lp.element) if tree is not None else None,
        )
        for lp in lint_problems
    ]


def _property_reader(tree: etree._ElementTree | None) -> Callable[[str], dict[str, str]]:
    def read(element_id: str) -> dict[str, str]:
        if tree is None:
            return {}
        found = tree.xpath(
            "//*[@id=$i]/*[local-name()='extensionElements']/*[local-name()='properties']/*[local-name()='property']",
            i=element_id,
        )
        return {el.get("name"): el.get("value") for el in found if el.get("name")}

    return read


def _decision_files(bundle: ValidatedBundle) -> dict[str, str]:
    """{decision id or decision table id: the DMN file defining it}."""
    found: dict[str, str] = {}
    for decision_id, dmn_parser in bundle.parser.dmn_parsers.items():
        found[decision_id] = dmn_parser.filename
        dmn_parser.parse()
        for table in dmn_parser.decision.decisionTables:
            found.setdefault(table.id, dmn_parser.filename)
    return found


def _uses(bundle: ValidatedBundle, pid: str, decisions: dict[str, str]) -> tuple[set[str], set[str]]:
    """The BPMN files and DMN files process ``pid`` uses: its diagram, called diagrams, and the files of the
    decisions they call (engine.decision_uses: a business rule task or diagram code calling it; a decision
    id named in documentation or other text is no use)."""
    parser = bundle.parser
    spec, subprocess_specs = bundle.specs[pid]
    bpmn = {parser.process_parsers[pid].filename}
    bpmn.update(
        parser.process_parsers[sub].filename for sub in subprocess_specs if sub in parser.process_parsers
    )
    called = called_decisions([spec, *subprocess_specs.values()], decisions)
    return bpmn, {decisions[decision_id] for decision_id in called}


def content_hashes(bundle: ValidatedBundle) -> dict[str, tuple[str, str, list[str]]]:
    """{process: (hash, its BPMN file, the files it depends on)} over each process's own closure: its
    diagram, called diagrams, the decisions and forms it uses. A DMN file no process is seen to use counts
    for every process (it may be looked up in a way not visible here), so a change of it is never lost."""
    decisions = _decision_files(bundle)
    uses = {pid: _uses(bundle, pid, decisions) for pid in sorted(bundle.specs)}
    used_dmn = set().union(*(dmn for _bpmn, dmn in uses.values())) if uses else set()
    unclaimed = {f.name for f in bundle.files if f.kind == "dmn"} - used_dmn
    by_name = {f.name: f for f in bundle.files}
    result: dict[str, tuple[str, str, list[str]]] = {}
    for pid, (bpmn, dmn) in uses.items():
        spec, subprocess_specs = bundle.specs[pid]
        form_keys: set[str] = set()
        for each in [spec, *subprocess_specs.values()]:
            for ts in each.task_specs.values():
                for key in (form_key_of(ts), start_form_of(ts), need_form_of(ts)):
                    if key:
                        form_keys.add(key)
        forms = {
            f.name
            for f in bundle.files
            if f.kind == "form" and f.name.rsplit("/", 1)[-1][: -len(".form.json")] in form_keys
        }
        names = sorted(n for n in bpmn | dmn | unclaimed | forms if n in by_name)
        digest = hashlib.sha256()
        for name in names:
            digest.update(name.encode() + b"\0" + by_name[name].sha256.encode() + b"\n")
        result[pid] = (digest.hexdigest(), bundle.parser.process_parsers[pid].filename, names)
    return result


def deploy_bundle(
    session: Session,
    files: list[BundleFile],
    *,
    deployed_by: str | None = None,
    note: str | None = None,
    base: int | None = None,
    confirm_stale: bool = False,
) -> DeployResult:
    """Validate and store. Commits on success; on refusal nothing is written.

    Only processes whose own closure (diagram, called diagrams, decisions and forms they use) changed get a
    new version. ``base``: the deployment the files were edited from; when a process that would get a new
    version has had versions deployed after it, the deploy is refused (StaleBase, naming them and the files
    changed since) unless ``confirm_stale``."""
    bundle = validate_bundle(files)
    begin_write(session)
    hashes = content_hashes(bundle)
    plan: list[tuple[str, ProcessVersion | None]] = []
    for pid, (content_hash, _file, _names) in hashes.items():
        latest = session.scalars(
            select(ProcessVersion)
            .where(ProcessVersion.process_key == pid)
            .order_by(ProcessVersion.version.desc())
            .limit(1)
        ).first()
        plan.append((pid, latest if latest is not None and latest.content_hash == content_hash else None))
    if base is not None and not confirm_stale:
        changes = changes_since(
            session, base, {pid for pid, existing in plan if existing is None}, {f.name for f in files}
        )
        if changes.versions:
            session.rollback()
            raise stale_refusal(changes)
    if all(existing is not None for _pid, existing in plan):
        versions = [existing for _pid, existing in plan if existing is not None]
        return DeployResult(
            deployment_id=max(v.deployment_id for v in versions),
            processes=[DeployedProcess(v.process_key, v.version, False) for v in versions],
        )
    bundle_hash = hashlib.sha256("".join(sorted(f.name + f.sha256 for f in files)).encode()).hexdigest()
    deployment = Deployment(deployed_by=deployed_by, note=note, bundle_hash=bundle_hash)
    session.add(deployment)
    for f in files:
        session.add(
            DeploymentFile(
                deployment=deployment, name=f.name, kind=f.kind or "", sha256=f.sha256, content=f.content
            )
        )
    results: list[DeployedProcess] = []
    for pid, existing in plan:
        if existing is not None:
            results.append(DeployedProcess(pid, existing.version, False))
            continue
        spec, subprocess_specs = bundle.specs[pid]
        current = session.scalar(
            select(func.max(ProcessVersion.version)).where(ProcessVersion.process_key == pid)
        )
        version = (current or 0) + 1
        content_hash, bpmn_file, names = hashes[pid]
        session.add(
            ProcessVersion(
                process_key=pid,
                version=version,
                name=spec.description or spec.name,
                deployment=deployment,
                bpmn_file=bpmn_file,
                content_hash=content_hash,
                used_files="\n".join(names),
                serializer_version=serializer_version(),
                spec_json=spec_to_json(spec, subprocess_specs),
            )
        )
        results.append(DeployedProcess(pid, version, True))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(
            "另一个部署同时进行，请重试。", "Another deployment happened at the same time; please retry."
        ) from None
    return DeployResult(deployment_id=deployment.id, processes=results)
