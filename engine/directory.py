"""The directory of organisations and people, administered in the browser (``web/views/admin_directory.py``).

An organisation created here is identified by its 统一社会信用代码 (unified social credit code), checked with
``stdnum.cn.uscc`` and stored in its compact upper-case form as ``Organisation.code`` and ``Organisation.uscc``;
its ``region`` is the GB/T 2260 code of its registered address (by default that of its registration authority,
characters 3–8 of the code), which the locality rules compare with the policy's ``local_regions``
(``engine.domain.unit_checks``). The code never changes afterwards (projects, affiliations and credit records refer to it). A person belongs to one organisation and
may be linked to one user account (``Person.username``: the account acts for that organisation). Who may
change what is ``engine.access.administration``'s answer; every change is audited in its own transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from engine import audit
from engine.access.administration import directory_scope, require_directory
from engine.db import begin_write, contains_text
from engine.errors import NotFound
from engine.field_errors import FieldErrors
from engine.labels import JURISDICTION_NAMES
from engine.models.deployment import ProcessVersion
from engine.models.domain import GOVERNMENT, Organisation, Person
from engine.models.user import User

#: Kinds of organisation and their names.
ORGANISATION_KINDS: dict[str, tuple[str, str]] = {
    "enterprise": ("企业", "Enterprise"),
    "university": ("高等院校", "University"),
    "institute": ("科研院所", "Research institute"),
    # the bureau and the counties' offices: their staff are picked where the bureau sends someone
    # (``bureau_staff`` pickers, e.g. Zhangye's 驻企特派员, 004 五(一)); never a party to a case
    GOVERNMENT: ("党政机关", "Government office"),
    "other": ("其他", "Other"),
}
NAME_MAX = 255
PERSON_NAME_MAX = 128
REGION = re.compile(r"^\d{6}$")
PERSON_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
#: Rows a directory list shows at most (search to narrow it).
LIST_LIMIT = 200


def check_uscc(value: str, errors: FieldErrors) -> str:
    """The compact code, or '' with the reason added to ``errors`` under ``code``."""
    compact = uscc.compact(value or "")
    if not compact:
        errors.add("code", "请填写统一社会信用代码。", "Enter the unified social credit code.")
        return ""
    try:
        return str(uscc.validate(compact))
    except InvalidLength:
        errors.add(
            "code",
            f"统一社会信用代码应为 18 位，您填写了 {len(compact)} 位。",
            f"A unified social credit code has 18 characters; this one has {len(compact)}.",
        )
    except InvalidChecksum:
        errors.add(
            "code",
            "统一社会信用代码校验位不正确，请核对营业执照上的代码。",
            "The check character of the unified social credit code is wrong; copy it from the business licence.",
        )
    except (InvalidFormat, InvalidComponent, ValidationError):
        errors.add(
            "code",
            "统一社会信用代码格式不正确：只能包含数字和除 I、O、Z、S、V 以外的大写字母。",
            "The unified social credit code is malformed: digits and capitals other than I, O, Z, S, V only.",
        )
    return ""


def check_region(value: str, code: str, errors: FieldErrors) -> str:
    """The 6-digit GB/T 2260 code of the registered address; blank: the registration authority's region in the
    unified social credit code ``code`` (characters 3–8)."""
    region = (value or "").strip() or (code[2:8] if code else "")
    if not region:
        return ""  # a unit without a code and a region is never a local legal person (unit_checks)
    if not REGION.match(region) or region.startswith("00"):
        errors.add(
            "region",
            "注册地行政区划代码应为 6 位数字（GB/T 2260），如乌鲁木齐市天山区 650102。",
            "The region of the registered address is a 6-digit GB/T 2260 code, e.g. 650102.",
        )
        return ""
    return region


def _check_name(value: str, limit: int, errors: FieldErrors) -> str:
    name = (value or "").strip()
    if not name:
        errors.add("name", "请填写名称。", "Enter the name.")
    elif len(name) > limit:
        errors.add("name", f"名称不能超过 {limit} 个字符。", f"The name must be at most {limit} characters.")
    return name


def _check_kind(kind: str, errors: FieldErrors) -> None:
    if kind not in ORGANISATION_KINDS:
        errors.add("kind", "请选择单位类型。", "Choose the kind of organisation.")


def known_jurisdictions(session: Session) -> list[str]:
    """Jurisdictions with a name, with a deployed challenge process, or holding organisations."""
    keys = session.scalars(select(ProcessVersion.process_key).distinct())
    deployed = {k.removesuffix("_challenge") for k in keys if k.endswith("_challenge")}
    held = session.scalars(select(Organisation.jurisdiction).distinct())
    return sorted(set(JURISDICTION_NAMES) | deployed | {j for j in held if j})


def jurisdiction_choices(session: Session, user: Any) -> list[str]:
    """The jurisdictions the user may put an organisation in."""
    scope = directory_scope(user)
    return known_jurisdictions(session) if scope is None else sorted(scope)


def _check_jurisdiction(session: Session, user: Any, jurisdiction: str | None, errors: FieldErrors) -> None:
    if jurisdiction not in jurisdiction_choices(session, user):
        errors.add("jurisdiction", "请选择您管理的辖区。", "Choose a jurisdiction you administer.")


def create_organisation(
    session: Session,
    user: Any,
    *,
    code: str,
    name: str,
    jurisdiction: str | None,
    kind: str,
    region: str = "",
    actor: str,
) -> Organisation:
    """Create an organisation identified by its unified social credit code. Commits."""
    errors = FieldErrors()
    compact = check_uscc(code, errors)
    region = check_region(region, compact, errors) if compact or region.strip() else ""
    region = region or None
    name = _check_name(name, NAME_MAX, errors)
    _check_kind(kind, errors)
    _check_jurisdiction(session, user, jurisdiction, errors)
    begin_write(session)
    if compact:
        existing = session.scalar(
            select(Organisation)
            .where(or_(Organisation.code == compact, Organisation.uscc == compact))
            .limit(1)
        )
        if existing is not None:
            errors.add(
                "code",
                f"统一社会信用代码 {compact} 已登记为“{existing.name}”，同一单位不能重复登记。",
                f"The unified social credit code {compact} is already registered to “{existing.name}”; "
                "an organisation cannot be registered twice.",
            )
    errors.raise_any()
    require_directory(user, jurisdiction)
    org = Organisation(
        code=compact, uscc=compact, name=name, jurisdiction=jurisdiction, kind=kind, region=region
    )
    session.add(org)
    audit.record(
        session,
        "organisation_created",
        actor=actor,
        subject=compact,
        detail={"name": name, "jurisdiction": jurisdiction, "kind": kind, "region": region},
    )
    session.commit()
    return org


def get_organisation(session: Session, user: Any, org_id: int) -> Organisation:
    """The organisation, if the user administers its jurisdiction (Forbidden otherwise)."""
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(f"单位 {org_id} 不存在。", f"Organisation {org_id} does not exist.")
    require_directory(user, org.jurisdiction)
    return org


def update_organisation(
    session: Session,
    user: Any,
    org_id: int,
    *,
    name: str,
    jurisdiction: str | None,
    kind: str,
    region: str = "",
    actor: str,
) -> Organisation:
    """Change an organisation's name, jurisdiction, kind or registered region (its code stays). Commits."""
    begin_write(session)
    org = get_organisation(session, user, org_id)
    errors = FieldErrors()
    name = _check_name(name, NAME_MAX, errors)
    _check_kind(kind, errors)
    _check_jurisdiction(session, user, jurisdiction, errors)
    region = check_region(region, org.uscc or "", errors) or None
    errors.raise_any()
    before = {"name": org.name, "jurisdiction": org.jurisdiction, "kind": org.kind, "region": org.region}
    after = {"name": name, "jurisdiction": jurisdiction, "kind": kind, "region": region}
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        org.name, org.jurisdiction, org.kind, org.region = name, jurisdiction, kind, region
        audit.record(session, "organisation_updated", actor=actor, subject=org.code, detail=changed)
    session.commit()
    return org


def _scoped(query: Any, column: Any, user: Any) -> Any:
    scope = directory_scope(user)
    return query if scope is None else query.where(column.in_(sorted(scope)))


def search_organisations(session: Session, user: Any, text: str = "") -> list[Organisation]:
    """Organisations of the user's jurisdictions whose name or code contains ``text``."""
    query = _scoped(select(Organisation), Organisation.jurisdiction, user)
    if text.strip():
        query = query.where(
            or_(
                contains_text(Organisation.name, text.strip()), contains_text(Organisation.code, text.strip())
            )
        )
    return list(session.scalars(query.order_by(Organisation.name, Organisation.code).limit(LIST_LIMIT)))


def organisation_choices(session: Session, user: Any) -> list[Organisation]:
    """Every organisation the user administers (the choices of a person's organisation)."""
    query = _scoped(select(Organisation), Organisation.jurisdiction, user)
    return list(session.scalars(query.order_by(Organisation.name, Organisation.code)))


def _check_person_links(
    session: Session, user: Any, organisation: str, username: str, person_id: int | None, errors: FieldErrors
) -> Organisation | None:
    org = (
        session.scalar(select(Organisation).where(Organisation.code == organisation))
        if organisation
        else None
    )
    if org is None:
        errors.add("organisation", "请选择所属单位。", "Choose the person's organisation.")
    elif directory_scope(user) is not None and org.jurisdiction not in (directory_scope(user) or ()):
        errors.add("organisation", "请选择您管理的辖区内的单位。", "Choose an organisation you administer.")
    if username:
        account = session.scalar(select(User).where(User.username == username))
        if account is None:
            errors.add(
                "username",
                f"账号 {username} 不存在，请先由系统管理员创建账号。",
                f"There is no account {username}; ask an administrator to create it first.",
            )
        else:
            other = session.scalar(
                select(Person).where(Person.username == username, Person.id != (person_id or 0))
            )
            if other is not None:
                errors.add(
                    "username",
                    f"账号 {username} 已关联人员“{other.name}”，一个账号只能关联一名人员。",
                    f"The account {username} is already linked to “{other.name}”; an account links to one person.",
                )
    return org


def create_person(
    session: Session, user: Any, *, code: str, name: str, organisation: str, username: str, actor: str
) -> Person:
    """Create a person of an organisation, optionally linked to an account. Commits."""
    errors = FieldErrors()
    code = (code or "").strip()
    username = (username or "").strip()
    if not PERSON_CODE.match(code):
        errors.add(
            "code",
            "人员编号须为 1–64 位字母、数字、连字符或下划线。",
            "A person's code is 1–64 letters, digits, hyphens or underscores.",
        )
    name = _check_name(name, PERSON_NAME_MAX, errors)
    begin_write(session)
    if code and session.scalar(select(Person).where(Person.code == code)) is not None:
        errors.add("code", f"人员编号 {code} 已被使用。", f"The person code {code} is already in use.")
    org = _check_person_links(session, user, organisation, username, None, errors)
    errors.raise_any()
    assert org is not None
    require_directory(user, org.jurisdiction)
    person = Person(code=code, name=name, organisation=org.code, username=username or None)
    session.add(person)
    audit.record(
        session,
        "person_created",
        actor=actor,
        subject=code,
        detail={"name": name, "organisation": org.code, "username": username or None},
    )
    session.commit()
    return person


def get_person(session: Session, user: Any, person_id: int) -> Person:
    """The person, if the user administers the jurisdiction of its organisation (Forbidden otherwise)."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"人员 {person_id} 不存在。", f"Person {person_id} does not exist.")
    org = session.scalar(select(Organisation).where(Organisation.code == person.organisation))
    require_directory(user, org.jurisdiction if org is not None else None)
    return person


def update_person(
    session: Session, user: Any, person_id: int, *, name: str, organisation: str, username: str, actor: str
) -> Person:
    """Change a person's name, organisation or linked account (its code stays). Commits."""
    begin_write(session)
    person = get_person(session, user, person_id)
    errors = FieldErrors()
    username = (username or "").strip()
    name = _check_name(name, PERSON_NAME_MAX, errors)
    org = _check_person_links(session, user, organisation, username, person.id, errors)
    errors.raise_any()
    assert org is not None
    before = {"name": person.name, "organisation": person.organisation, "username": person.username}
    after = {"name": name, "organisation": org.code, "username": username or None}
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        person.name, person.organisation, person.username = name, org.code, username or None
        audit.record(session, "person_updated", actor=actor, subject=person.code, detail=changed)
    session.commit()
    return person


def search_people(session: Session, user: Any, text: str = "") -> list[tuple[Person, Organisation | None]]:
    """People of organisations the user administers whose name, code or account contains ``text``."""
    query = select(Person, Organisation).outerjoin(Organisation, Organisation.code == Person.organisation)
    query = _scoped(query, Organisation.jurisdiction, user)
    if text.strip():
        query = query.where(
            or_(*(contains_text(c, text.strip()) for c in (Person.name, Person.code, Person.username)))
        )
    rows = session.execute(query.order_by(Person.name, Person.code).limit(LIST_LIMIT))
    return [(p, o) for p, o in rows]


def organisation_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """The names of the organisations with these codes (one query); a code without a row is left out."""
    return _names(session, Organisation, codes)


def person_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """The names of the people with these codes (one query); a code without a row is left out."""
    return _names(session, Person, codes)


def _names(
    session: Session, model: type[Organisation] | type[Person], codes: Iterable[str]
) -> dict[str, str]:
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    rows = session.execute(select(model.code, model.name).where(model.code.in_(wanted)))
    return {code: name for code, name in rows}


def account_names(session: Session, usernames: Iterable[str]) -> dict[str, str]:
    """What to call the holders of these accounts: the linked person's name, else the account's display name."""
    wanted = sorted({u for u in usernames if u})
    if not wanted:
        return {}
    found = {
        u: d
        for u, d in session.execute(select(User.username, User.display_name).where(User.username.in_(wanted)))
        if d
    }
    found.update(
        {
            u: n
            for u, n in session.execute(
                select(Person.username, Person.name).where(Person.username.in_(wanted))
            )
            if u
        }
    )
    return found
