"""The form pinned to a task: looked up in the deployment of the instance's process version."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import NotFound, ValidationFailed
from engine.models.deployment import DeploymentFile
from engine.pickers import PickerScope
from engine.version_row import Version
from forms.definition import FormDefinition
from forms.errors import FormInvalid
from forms.schema import validate_submission

#: parsed forms kept at most (least recently used dropped first): every form of a few deployed versions
FORMS_CACHE_SIZE = 256
_FORMS: OrderedDict[tuple[int, str, str], FormDefinition] = OrderedDict()
#: the form files of a version's deployment by name, read in one query the first time any of its forms is
#: needed; the versions kept at most (least recently used dropped first)
FILES_CACHE_SIZE = 16
_FILES: OrderedDict[tuple[int, str], dict[str, bytes]] = OrderedDict()


def form_for(session: Session, pv: Version, form_key: str, jurisdiction: str | None = None) -> FormDefinition:
    """The form pinned in the process version's deployment, as a case of ``jurisdiction`` sees it (fields of
    other jurisdictions left out, FORMAT.md). A version's content hash covers its forms, so its form files are
    read from the database once and each parsed form is cached per (version, hash, key) while among the most
    recently used."""
    cache_key = (pv.id, pv.content_hash, form_key)
    if cache_key in _FORMS:
        _FORMS.move_to_end(cache_key)
    else:
        suffix = f"{form_key}.form.json"
        files = _form_files(session, pv)
        content = next(
            (c for name, c in files.items() if name == suffix or name.endswith("/" + suffix)), None
        )
        if content is None:
            raise NotFound(
                f"流程版本 {pv.process_key} v{pv.version} 中没有表单 {form_key}。",
                f"Form {form_key} is not part of {pv.process_key} v{pv.version}.",
            )
        _FORMS[cache_key] = FormDefinition.load(content.decode("utf-8"), filename=suffix)
        if len(_FORMS) > FORMS_CACHE_SIZE:
            _FORMS.popitem(last=False)
    return _FORMS[cache_key].for_jurisdiction(jurisdiction)


def _form_files(session: Session, pv: Version) -> dict[str, bytes]:
    key = (pv.id, pv.content_hash)
    if key in _FILES:
        _FILES.move_to_end(key)
    else:
        rows = session.execute(
            select(DeploymentFile.name, DeploymentFile.content).where(
                DeploymentFile.deployment_id == pv.deployment_id, DeploymentFile.kind == "form"
            )
        ).all()
        files = _FILES[key] = {name: bytes(content) for name, content in rows}
        if len(_FILES) > FILES_CACHE_SIZE:
            _FILES.popitem(last=False)
        return files
    return _FILES[key]


def validate_task_data(defn: FormDefinition, data: Any, picks: PickerScope | None = None) -> dict[str, Any]:
    """Server-side validation of a submission against the task's form (and, given the case's ``picks``, that
    its pickers name records the case offers); refusals carry field errors."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationFailed("表单数据必须是 JSON 对象。", "Form data must be a JSON object.")
    # a field the final choice hides (``shown_when``: a race-only field when one team is chosen) is not stored,
    # whatever a draft saved under the other choice still holds
    defn, hidden = defn.as_chosen(data)
    data = {k: v for k, v in data.items() if k not in hidden}
    try:
        cleaned = validate_submission(defn, data)
        if picks is not None:
            picks.check(defn, cleaned)
        # a field of other jurisdictions only, or hidden by the choice, is not given here (the scripts name it
        # everywhere)
        return {**dict.fromkeys(defn.left_out), **cleaned}
    except FormInvalid as exc:
        zh = exc.errors_by_lang.get("zh", {})
        en = exc.errors_by_lang.get("en", {})
        first_zh = "; ".join(f"{k}: {'，'.join(v)}" for k, v in list(zh.items())[:3])
        first_en = "; ".join(f"{k}: {', '.join(v)}" for k, v in list(en.items())[:3])
        raise ValidationFailed(
            f"表单有误，未保存：{first_zh}",
            f"The form has errors and nothing was saved: {first_en}",
            details={"fields": zh, "fields_en": en},
        ) from None
