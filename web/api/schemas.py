"""Marshmallow schemas of the API's requests and responses (they generate the OpenAPI document)."""

from __future__ import annotations

import marshmallow as ma

from engine.models import instance as instance_status
from web.api.common import JsonObject, PageArgs, Text, page_schema

F = ma.fields
STATUSES = list(instance_status.STATUSES)


# --- deployments and processes -----------------------------------------------------------------------------


class DeploymentFileSchema(ma.Schema):
    name = F.String(required=True)
    kind = F.String(required=True, metadata={"description": "bpmn, dmn or form"})
    sha256 = F.String(required=True)


class VersionRefSchema(ma.Schema):
    process = F.String(required=True)
    version = F.Integer(required=True)
    name = F.String(allow_none=True)


class DeploymentSchema(ma.Schema):
    id = F.Integer(required=True)
    created_at = F.DateTime(required=True)
    deployed_by = F.String(allow_none=True)
    note = F.String(allow_none=True)
    bundle_hash = F.String(required=True)


class DeploymentDetailSchema(DeploymentSchema):
    files = F.List(F.Nested(DeploymentFileSchema), required=True)
    versions = F.List(F.Nested(VersionRefSchema), required=True)


DeploymentPageSchema = page_schema(DeploymentSchema, "DeploymentPage")


class DeployedProcessSchema(ma.Schema):
    key = F.String(required=True)
    version = F.Integer(required=True)
    created = F.Boolean(
        required=True, metadata={"description": "false: the same content was deployed before"}
    )


class DeployResultSchema(ma.Schema):
    deployment = F.Integer(required=True)
    unchanged = F.Boolean(required=True)
    processes = F.List(F.Nested(DeployedProcessSchema), required=True)
    new_versions = F.List(
        F.String(), required=True, metadata={"description": "processes that got a new version"}
    )
    unchanged_processes = F.List(
        F.String(),
        required=True,
        metadata={
            "description": "processes whose own files (diagram, called diagrams, DMN, forms) did not change"
        },
    )


class DeployFormSchema(ma.Schema):
    """Documentation of the multipart body (the view reads it itself, to keep every file's name)."""

    files = F.List(
        F.Raw(metadata={"type": "string", "format": "binary"}),
        required=True,
        metadata={"description": ".bpmn, .dmn and .form.json files (repeat the field)"},
    )
    note = F.String(metadata={"description": "what changed"})


class ProcessSchema(ma.Schema):
    key = F.String(required=True)
    name = F.String(allow_none=True)
    latest_version = F.Integer(required=True)
    versions = F.Integer(required=True, metadata={"description": "number of versions"})


class VersionSchema(ma.Schema):
    process = F.String(required=True)
    version = F.Integer(required=True)
    name = F.String(allow_none=True)
    deployment = F.Integer(required=True)
    bpmn_file = F.String(required=True)
    content_hash = F.String(required=True)
    created_at = F.DateTime(required=True)


ProcessPageSchema = page_schema(ProcessSchema, "ProcessPage")
VersionPageSchema = page_schema(VersionSchema, "VersionPage")


# --- instances ---------------------------------------------------------------------------------------------


class InstanceSchema(ma.Schema):
    id = F.Integer(required=True)
    process = F.String(required=True)
    version = F.Integer(required=True)
    business_key = F.String(allow_none=True)
    title = F.String(allow_none=True)
    jurisdiction = F.String(allow_none=True)
    status = F.String(required=True, validate=ma.validate.OneOf(STATUSES))
    stage = F.String(allow_none=True, metadata={"description": "names of the open tasks"})
    lock_version = F.Integer(required=True)
    started_by = F.String(allow_none=True)
    started_at = F.DateTime(required=True)
    updated_at = F.DateTime(required=True)
    ended_at = F.DateTime(allow_none=True)


class InstanceErrorSchema(ma.Schema):
    message = F.String(allow_none=True)
    task = F.String(allow_none=True)


class ReadyTaskSchema(ma.Schema):
    id = F.String(required=True)
    task = F.String(allow_none=True)
    name = F.String(allow_none=True)
    lane = F.String(allow_none=True)


class TimerSchema(ma.Schema):
    task = F.String(allow_none=True)
    name = F.String(allow_none=True)
    due_at = F.String(required=True)


class InstanceDetailSchema(InstanceSchema):
    error = F.Nested(InstanceErrorSchema, allow_none=True)
    ready_tasks = F.List(F.Nested(ReadyTaskSchema), required=True)
    timers = F.List(F.Nested(TimerSchema), required=True)
    data = F.Dict(required=True)


InstancePageSchema = page_schema(InstanceSchema, "InstancePage")


class InstanceQuerySchema(PageArgs):
    jurisdiction = Text(validate=ma.validate.Length(max=32))
    process = Text(validate=ma.validate.Length(max=128))
    version = F.Integer(validate=ma.validate.Range(min=1, max=2_147_483_647))
    status = F.String(validate=ma.validate.OneOf(STATUSES))
    stage = Text(
        validate=ma.validate.Length(max=255),
        metadata={"description": "name or id of an open task (instances waiting there)"},
    )
    business_key = Text(validate=ma.validate.Length(max=128))
    before = F.Integer(
        validate=ma.validate.Range(min=1, max=2_147_483_647),
        metadata={
            "description": "keyset paging: only instances with a smaller id (pass the last id of the previous "
            "page; the cost stays that of a first page however deep the list is read)"
        },
    )


class StartSchema(ma.Schema):
    process = Text(required=True, validate=ma.validate.Length(min=1, max=128))
    version = F.Integer(validate=ma.validate.Range(min=1, max=2_147_483_647))
    business_key = Text(validate=ma.validate.Length(min=1, max=128))
    data = JsonObject(
        metadata={"description": "initial data; `jurisdiction` (≤ 32 characters) and `title` are indexed"}
    )

    @ma.validates_schema
    def _jurisdiction(self, data: dict, **_kwargs: object) -> None:
        value = (data.get("data") or {}).get("jurisdiction")
        if value is not None and (not isinstance(value, str) or not 0 < len(value) <= 32):
            raise ma.ValidationError(
                "jurisdiction 必须是 1–32 个字符的文本。/ jurisdiction must be text of 1–32 characters.",
                "data",
            )


class TerminateSchema(ma.Schema):
    reason = Text(validate=ma.validate.Length(max=2000))


class RetrySchema(ma.Schema):
    data = JsonObject(metadata={"description": "corrected data merged into the failed step"})


class EventSchema(ma.Schema):
    id = F.Integer(required=True)
    kind = F.String(required=True)
    at = F.String(required=True)
    actor = F.String(allow_none=True)
    task = F.String(allow_none=True)
    task_name = F.String(allow_none=True)
    data = F.Raw(allow_none=True)
    message = F.String(allow_none=True)


EventPageSchema = page_schema(EventSchema, "EventPage")


# --- tasks -------------------------------------------------------------------------------------------------


class TaskSchema(ma.Schema):
    id = F.String(required=True)
    instance = F.Integer(required=True)
    process = F.String(required=True)
    task = F.String(required=True)
    name = F.String(allow_none=True)
    lane = F.String(allow_none=True)
    form = F.String(allow_none=True)
    status = F.String(required=True)
    created_at = F.DateTime(required=True)
    due_at = F.DateTime(allow_none=True)
    remind_at = F.DateTime(
        allow_none=True,
        metadata={"description": "from when the task is due soon (its deadline table's lead time)"},
    )
    assignee = F.String(allow_none=True)
    business_key = F.String(allow_none=True)
    jurisdiction = F.String(allow_none=True)


class TaskDetailSchema(TaskSchema):
    instructions = F.String(allow_none=True)
    lock_version = F.Integer(
        required=True, metadata={"description": "the instance's, for optimistic locking"}
    )
    form_definition = F.Dict(allow_none=True, metadata={"description": "the form (forms/FORMAT.md)"})
    data = F.Dict(required=True, metadata={"description": "the instance's current data"})


TaskPageSchema = page_schema(TaskSchema, "TaskPage")


class TaskQuerySchema(PageArgs):
    instance = F.Integer(validate=ma.validate.Range(min=1, max=2_147_483_647))
    jurisdiction = Text(validate=ma.validate.Length(max=32))
    process = Text(validate=ma.validate.Length(max=128))
    mine = F.Boolean(load_default=False, metadata={"description": "only tasks I have claimed"})


class CompleteSchema(ma.Schema):
    data = JsonObject(load_default=dict, metadata={"description": "the form's fields"})
    lock_version = F.Integer(
        validate=ma.validate.Range(min=0, max=2_147_483_647),
        metadata={"description": "refuse (409) if the instance changed since"},
    )


class CompletionSchema(ma.Schema):
    task = F.String(required=True)
    instance = F.Integer(required=True)
    instance_status = F.String(required=True)
    next_tasks = F.List(F.Nested(TaskSchema), required=True)


# --- messages ----------------------------------------------------------------------------------------------


class MessageSchema(ma.Schema):
    name = Text(required=True, validate=ma.validate.Length(min=1, max=255))
    correlation = JsonObject(
        required=True,
        validate=ma.validate.Length(min=1),
        metadata={"description": 'e.g. {"business_key": "JB-2026-001"}'},
    )
    payload = JsonObject(load_default=dict)


class DeliveredSchema(ma.Schema):
    instance = F.Integer(required=True)


# --- public ------------------------------------------------------------------------------------------------


class PublicQuerySchema(PageArgs):
    jurisdiction = Text(validate=ma.validate.Length(max=32))


class NoticeSchema(ma.Schema):
    instance = F.Integer(required=True, attribute="instance_id")
    business_key = F.String(required=True)
    jurisdiction = F.String(allow_none=True)
    title = F.String(required=True)
    body = F.String(allow_none=True)
    start = F.DateTime(allow_none=True)
    end = F.DateTime(required=True, metadata={"description": "the exact end of the publicity window"})
    open = F.Boolean(required=True, metadata={"description": "objections are still taken"})


class ChallengeSchema(ma.Schema):
    business_key = F.String(required=True)
    jurisdiction = F.String(allow_none=True)
    title = F.String(required=True)
    summary = F.String(allow_none=True)
    category = F.String(allow_none=True)
    window_start = F.DateTime(allow_none=True)
    window_end = F.DateTime(required=True)
    open = F.Boolean(required=True)


NoticePageSchema = page_schema(NoticeSchema, "NoticePage")
ChallengePageSchema = page_schema(ChallengeSchema, "ChallengePage")


# --- me ----------------------------------------------------------------------------------------------------


class GrantSchema(ma.Schema):
    role = F.String(required=True)
    jurisdiction = F.String(allow_none=True)


class MeSchema(ma.Schema):
    username = F.String(required=True)
    display_name = F.String(allow_none=True)
    roles = F.List(F.Nested(GrantSchema), required=True)
