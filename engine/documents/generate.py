"""Generate a document of an instance, keep it, attach it; list the documents an instance has.

Only a bureau or an administrator of the instance's jurisdiction generates documents (the same rule as
controlling an instance); everyone who reads the instance sees the attached versions, as the access policy
shows attachments.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.fields import FieldViewer
from engine.access.policy import data_view
from engine.clock import get_clock
from engine.documents.formatting import beijing
from engine.documents.kinds import KINDS, Kind
from engine.documents.pdf import render_pdf
from engine.errors import NotFound, ValidationFailed
from engine.instances import current_data
from engine.models.event import InstanceEvent
from engine.models.instance import ProcessInstance
from engine.runtime import load_workflow
from engine.upload_store import store_bytes
from engine.users import INSTANCE_CONTROL_ROLES, get_user, require_role

EVENT = "document_generated"


@dataclass(frozen=True)
class Document:
    kind: str
    title: str
    title_en: str
    version: int
    at: datetime
    actor: str | None
    file: dict[str, Any]


def case_data(session: Session, instance: ProcessInstance) -> dict[str, Any]:
    return current_data(load_workflow(session, instance))


def available_kinds(instance: ProcessInstance, data: dict[str, Any]) -> list[Kind]:
    """The kinds whose content the case already holds."""
    return [k for k in KINDS.values() if k.available(instance, data)]


def documents(session: Session, instance_id: int) -> list[Document]:
    """Every generated version, newest first."""
    rows = session.scalars(
        select(InstanceEvent)
        .where(InstanceEvent.instance_id == instance_id, InstanceEvent.kind == EVENT)
        .order_by(InstanceEvent.id.desc())
    )
    found = []
    for row in rows:
        data = json.loads(row.data_json or "{}").get("document") or {}
        kind = KINDS.get(str(data.get("kind")))
        if kind is None or not isinstance(data.get("file"), dict):
            continue
        found.append(
            Document(
                kind.key, kind.title_zh, kind.title_en, int(data["version"]), row.at, row.actor, data["file"]
            )
        )
    return found


def generate(
    session: Session, instance_id: int, kind_key: str, *, actor: str | None, folder: Path
) -> Document:
    """Draw the document from the case data now, keep it as a new version and attach it to the instance."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(f"流程实例 {instance_id} 不存在。", f"Process instance {instance_id} does not exist.")
    user = get_user(session, actor)
    require_role(user, INSTANCE_CONTROL_ROLES, instance.jurisdiction, "生成文书", "generate documents")
    kind = KINDS.get(kind_key)
    if kind is None:
        raise NotFound(f"没有名为 {kind_key} 的文书。", f"There is no document called {kind_key}.")
    data = case_data(session, instance)
    if not kind.available(instance, data):
        raise ValidationFailed(
            f"本案卷尚不能生成《{kind.title_zh}》：所需的环节还没有完成。",
            f"The {kind.title_en} cannot be drawn yet: the step that provides its content is not done.",
        )
    now = get_clock(session).now()
    version = 1 + sum(1 for d in documents(session, instance.id) if d.kind == kind.key)
    shown = data_view(data, FieldViewer(kind.audience))
    context = kind.context(session, instance, shown) | {
        "title": kind.title_zh,
        "generated": beijing(now, with_time=False),
        "version": version,
    }
    content = render_pdf(f"{kind.key}.html", context)
    name = f"{kind.title_zh}-{instance.business_key or instance.id}-v{version}.pdf"
    meta = store_bytes(folder, content, name, "application/pdf")
    event = InstanceEvent(
        instance_id=instance.id,
        kind=EVENT,
        at=now,
        actor=actor,
        task_name=kind.title_zh,
        data_json=json.dumps({"document": {"kind": kind.key, "version": version, "file": meta}}),
    )
    session.add(event)
    session.commit()
    return Document(kind.key, kind.title_zh, kind.title_en, version, now, actor, meta)
