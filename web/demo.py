"""Demo data for `jiebang demo load`: users for every role in each jurisdiction, the diagrams in bpmn/, and a
few running instances. Idempotent: loading twice changes nothing. Existing accounts are never touched: only
missing demo users are created (with the published password)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from engine import instances, tasks
from engine.bundle import collect_paths
from engine.db import begin_write
from engine.deploy import deploy_bundle
from engine.labels import JURISDICTION_NAMES, jurisdiction_name
from engine.models.domain import GOVERNMENT, Affiliation, CreditRecord, Organisation, Person, Project
from engine.models.instance import ProcessInstance
from engine.models.user import User
from engine.users import add_user, set_display_name

ROOT = Path(__file__).resolve().parents[1]
JURISDICTIONS = ("urumqi", "dazu", "karamay", "zhangye")
ROLES = ("bureau", "issuer", "solver", "expert", "panel_chair", "approver", "third_party")
DEMO_PASSWORD = "demo12345"

#: Publicity windows by jurisdiction: 000 §12(5) 7 days; 001 八(五) and 003 §12(6) 5 working days; Zhangye
#: is unspecified in 004 三(五), so the demo uses a policy value of 5 working days.
DEMO_PUBLICITY = {
    "urumqi": (7, "days"),
    "dazu": (5, "working_days"),
    "karamay": (5, "working_days"),
    "zhangye": (5, "working_days"),
}


#: The registered region (GB/T 2260) of the demo units: each is a local legal person of its jurisdiction
#: (000 §9–10, 001 五(一)1, 002 二, 003 §8, 004 二): 乌鲁木齐市天山区, 重庆市大足区, 克拉玛依市克拉玛依区, 张掖市甘州区.
DEMO_REGIONS = {"urumqi": "650102", "dazu": "500111", "karamay": "650203", "zhangye": "620702"}


def demo_uscc(code: str, region: str) -> str:
    """A valid 统一社会信用代码 for the demo unit ``code`` (GB 32100-2015): 9 (market regulator) 1 (enterprise),
    the region, ``MA`` and seven digits from the code, and the check character computed by ``stdnum``."""
    from zlib import crc32

    from stdnum.cn import uscc

    body = f"91{region}MA{crc32(code.encode()) % 10_000_000:07d}"
    return body + uscc.calc_check_digit(body)


def give_demo_codes(session: Session) -> None:
    """Demo units without a USCC get one and their jurisdiction's region (so the locality rules pass)."""
    session.flush()
    for org in session.scalars(select(Organisation).where(Organisation.uscc.is_(None))):
        region = DEMO_REGIONS.get(org.jurisdiction or "")
        if region:
            org.uscc, org.region = demo_uscc(org.code, region), org.region or region


def load_organisations(session: Session) -> int:
    """Organisations with affiliations and credit records, people and past projects for every jurisdiction
    (idempotent). Codes: ``<J>-ISS`` the issuer, ``<J>-S1``…``<J>-S4`` clean solvers, ``<J>-AFF`` a solver
    affiliated with the issuer, ``<J>-BAD`` a solver with a serious dishonesty record in 2025, ``<J>-ACC`` a
    solver with a major safety accident in 2024, ``<J>-PUN`` a unit on a joint-punishment list until 2027,
    ``<J>-BUSY`` a unit with 4 ongoing city projects, ``<J>-LATE`` a unit with a project overdue for
    acceptance since 2024; people ``<J>-P1``…``<J>-P9``, ``<J>-PBUSY`` (3 ongoing projects) and ``<J>-PPUN``
    (misconduct penalty period until 2027)."""
    begin_write(session)  # reads what exists, then writes (engine.sqlite)
    from datetime import date

    if session.scalar(select(func.count()).select_from(Organisation)):
        return 0
    names = {code: zh for code, (zh, _en) in JURISDICTION_NAMES.items()}
    rows: list[Any] = []
    for j, city in names.items():
        J = j.upper()
        rows.append(Organisation(code=f"{J}-ISS", name=f"{city}硅业股份有限公司", jurisdiction=j))
        for i in range(1, 5):
            kind = ("university", "institute", "enterprise", "enterprise")[i - 1]
            rows.append(Organisation(code=f"{J}-S{i}", name=f"{city}揭榜单位{i}", jurisdiction=j, kind=kind))
        for suffix, label in (
            ("AFF", "关联子公司"),
            ("BAD", "失信企业"),
            ("ACC", "事故企业"),
            ("PUN", "惩戒企业"),
            ("BUSY", "在研较多的研究院"),
            ("LATE", "逾期未验收单位"),
        ):
            rows.append(Organisation(code=f"{J}-{suffix}", name=f"{city}{label}", jurisdiction=j))
        rows.append(Affiliation(party_a=f"{J}-ISS", party_b=f"{J}-AFF", kind="subsidiary", note="控股子公司"))
        rows.append(
            CreditRecord(
                subject=f"{J}-BAD", kind="serious_dishonesty", recorded_on=date(2025, 3, 1), source="信用中国"
            )
        )
        rows.append(
            CreditRecord(
                subject=f"{J}-ACC", kind="safety_accident", recorded_on=date(2024, 8, 1), source="应急管理局"
            )
        )
        rows.append(
            CreditRecord(
                subject=f"{J}-PUN",
                kind="joint_punishment",
                recorded_on=date(2024, 1, 1),
                penalty_until=date(2027, 12, 31),
                source="联合惩戒名单",
            )
        )
        rows.append(
            CreditRecord(
                subject=f"{J}-PPUN",
                kind="misconduct",
                recorded_on=date(2025, 1, 1),
                penalty_until=date(2027, 12, 31),
                source="科研失信记录",
            )
        )
        for i in range(1, 10):
            # P1 holds the solver account of S1 (solver_<j>): the portal's application names S1
            rows.append(
                Person(
                    code=f"{J}-P{i}",
                    name=f"{city}研究员{i}",
                    organisation=f"{J}-S{(i - 1) // 3 + 1}",
                    username=f"solver_{j}" if i == 1 else None,
                )
            )
        # the issuer's contact holds the issuer account: issuer tasks are for the issuer's people (candidateOrganisation),
        # and it posts needs for the issuer unit from the start form
        rows.append(
            Person(
                code=f"{J}-PISS", name=f"{city}发榜联络人", organisation=f"{J}-ISS", username=f"issuer_{j}"
            )
        )
        rows.append(Person(code=f"{J}-PBUSY", name=f"{city}忙碌研究员", organisation=f"{J}-S4"))
        rows.append(Person(code=f"{J}-PPUN", name=f"{city}失信研究员", organisation=f"{J}-S4"))
        for i in range(1, 5):
            rows.append(
                Project(
                    code=f"{J}-OLD-{i}",
                    jurisdiction=j,
                    title=f"在研项目{i}",
                    scheme="city_plan",
                    solver=f"{J}-BUSY",
                    members_json=f'["{J}-PBUSY"]' if i <= 3 else "[]",
                    period_end=date(2027, 12, 31),
                )
            )
        rows.append(
            Project(
                code=f"{J}-OLD-LATE",
                jurisdiction=j,
                title="逾期项目",
                scheme="city_plan",
                solver=f"{J}-LATE",
                period_end=date(2024, 12, 31),
            )
        )
    session.add_all(rows)
    load_offices(session)
    give_demo_codes(session)
    session.commit()
    return len(rows)


#: The government offices of each jurisdiction and their staff (``<J>-GOV`` its bureau, people ``<J>-G1``…):
#: the people a ``bureau_staff`` picker offers. Zhangye's 驻企特派员 is named by the county of the project
#: (004 五(一)), so Zhangye also has two counties' offices (``ZHANGYE-GZ`` 甘州区, ``ZHANGYE-LZ`` 临泽县).
DEMO_OFFICES: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "urumqi": (("URUMQI-GOV", "乌鲁木齐市科学技术局", ("刘建华", "热合曼·吐尔洪")),),
    "dazu": (("DAZU-GOV", "重庆市大足区科学技术局", ("张敏", "邹永红")),),
    "karamay": (("KARAMAY-GOV", "克拉玛依市科学技术局", ("高建国", "努尔兰·别克")),),
    "zhangye": (
        ("ZHANGYE-GOV", "张掖市科学技术局", ("钱永平", "王海军")),
        ("ZHANGYE-GZ", "张掖市甘州区科学技术局", ("陈立华", "李秀英")),
        ("ZHANGYE-LZ", "临泽县科学技术局", ("刘玉梅",)),
    ),
}


def load_offices(session: Session) -> int:
    """The demo government offices and their staff (``DEMO_OFFICES``), where missing (an office already
    registered is left as it is). Returns how many offices were added."""
    added = 0
    for j, offices in DEMO_OFFICES.items():
        number = 0
        for code, name, staff in offices:
            people = [(f"{j.upper()}-G{number + i}", who) for i, who in enumerate(staff, start=1)]
            number += len(staff)
            if session.scalar(
                select(func.count()).select_from(Organisation).where(Organisation.code == code)
            ):
                continue
            session.add(Organisation(code=code, name=name, jurisdiction=j, kind=GOVERNMENT))
            session.add_all(Person(code=pc, name=who, organisation=code) for pc, who in people)
            added += 1
    session.flush()
    return added


#: The demo expert pool: per jurisdiction four organisations of experts (a university, an institute, a
#: consultancy, and a company the issuer holds shares in) and twelve experts, one of them at the issuer and one
#: at the solver S1 (both left out of a draw for a case of theirs: 回避).
DEMO_EXPERT_ORGS: dict[str, tuple[str, str, str, str]] = {
    "urumqi": ("乌鲁木齐理工学院", "新疆材料研究院", "天山工程咨询有限公司", "乌鲁木齐新能源科技有限公司"),
    "dazu": ("重庆文理工程学院", "重庆材料研究院大足分院", "大足工程咨询有限公司", "大足新能源科技有限公司"),
    "karamay": (
        "克拉玛依石油工程学院",
        "克拉玛依化工研究院",
        "准噶尔工程咨询有限公司",
        "克拉玛依新能源科技有限公司",
    ),
    "zhangye": ("河西工程技术学院", "张掖农业科学研究院", "祁连工程咨询有限公司", "张掖新能源科技有限公司"),
}
DEMO_EXPERT_NAMES: dict[str, tuple[str, ...]] = {
    "urumqi": (
        "艾尔肯·买买提",
        "古丽娜尔·吐尔逊",
        "王建新",
        "李红梅",
        "张卫东",
        "刘振华",
        "马晓军",
        "阿不都热合曼·艾力",
        "陈志刚",
        "赵丽萍",
        "周海涛",
        "孙明哲",
    ),
    "dazu": (
        "陈光明",
        "刘晓燕",
        "黄志强",
        "杨帆",
        "何文斌",
        "罗丽君",
        "邓建国",
        "谭小红",
        "冉志勇",
        "蒋德华",
        "唐敏",
        "胡春林",
    ),
    "karamay": (
        "王振宇",
        "李静",
        "张国庆",
        "吴海燕",
        "郑伟",
        "冯晓东",
        "韩雪梅",
        "买买提·依明",
        "许志华",
        "朱建平",
        "沈丽",
        "高峰",
    ),
    "zhangye": (
        "张志远",
        "王秀兰",
        "李永红",
        "杜建军",
        "闫海波",
        "祁丽娟",
        "赵天明",
        "马玉兰",
        "魏国栋",
        "牛晓霞",
        "安振华",
        "常德胜",
    ),
}
DEMO_EXPERT_FIELDS = (
    "新材料",
    "硅基材料",
    "化工工艺",
    "智能制造",
    "电子信息",
    "能源环保",
    "技术经济",
    "机械工程",
)
DEMO_EXPERT_TITLES = ("教授", "研究员", "正高级工程师", "高级工程师", "副教授", "副研究员")


def load_experts(session: Session) -> int:
    """The demo expert pool (idempotent; needs ``load_organisations`` first). The first expert of each
    jurisdiction uses the account ``expert_<j>``; the others get accounts ``expert_<j>_NN`` with the demo
    password. Person codes ``<J>-E01``…``<J>-E12``."""
    begin_write(session)  # reads what exists, then writes (engine.sqlite)
    import json

    from engine.models.expert import Expert

    if session.scalar(select(func.count()).select_from(Expert)):
        return 0
    existing = set(session.scalars(select(User.username)))
    password = generate_password_hash(DEMO_PASSWORD)
    count = 0
    for j, (uni, inst, consult, company) in DEMO_EXPERT_ORGS.items():
        J = j.upper()
        orgs = [(f"{J}-EU", uni, "university"), (f"{J}-EI", inst, "institute")]
        orgs += [(f"{J}-EC", consult, "enterprise"), (f"{J}-EH", company, "enterprise")]
        for code, name, kind in orgs:
            session.add(Organisation(code=code, name=name, jurisdiction=j, kind=kind))
        session.add(Affiliation(party_a=f"{J}-ISS", party_b=f"{J}-EH", kind="equity", note="发榜方参股"))
        # organisations of the twelve: mostly the pool's own, one at the issuer, one at the solver S1
        where = [f"{J}-EU", f"{J}-EI", f"{J}-EC", f"{J}-EU", f"{J}-EI", f"{J}-ISS"]
        where += [f"{J}-EU", f"{J}-EH", f"{J}-EC", f"{J}-S1", f"{J}-EI", f"{J}-EU"]
        for i, (name, org) in enumerate(zip(DEMO_EXPERT_NAMES[j], where, strict=True), start=1):
            username = f"expert_{j}" if i == 1 else f"expert_{j}_{i:02d}"
            if username not in existing:
                add_user(
                    session,
                    username,
                    roles=["expert"],
                    jurisdiction=j,
                    display_name=name,
                    password_hash=password,
                )
            else:  # the demo account expert_<j> exists already: it is this expert, shown by name
                user = session.scalars(select(User).where(User.username == username)).one()
                if user.display_name in (None, "", username):
                    user.display_name = name
            code = f"{J}-E{i:02d}"
            session.add(Person(code=code, name=name, organisation=org, username=username))
            fields = [DEMO_EXPERT_FIELDS[i % 8], DEMO_EXPERT_FIELDS[(i * 3) % 8]]
            session.add(
                Expert(
                    person_code=code,
                    jurisdiction=j,
                    title=DEMO_EXPERT_TITLES[i % 6],
                    fields_json=json.dumps(list(dict.fromkeys(fields)), ensure_ascii=False),
                    available=i != 12,
                    unavailable_until=None,
                    note="出国访问，暂不参加评审" if i == 12 else None,
                )
            )
            count += 1
    give_demo_codes(session)
    session.commit()
    return count


def demo_accounts() -> list[tuple[str, str, str | None]]:
    """(user name, role, jurisdiction) of every demo account."""
    accounts: list[tuple[str, str, str | None]] = [
        (f"{role}_{jurisdiction}", role, jurisdiction) for jurisdiction in JURISDICTIONS for role in ROLES
    ]
    accounts.append(("recommender_urumqi", "recommender", "urumqi"))
    accounts += [
        ("admin", "admin", None),
        ("supervisor", "supervisor", None),
        ("owner", "process_owner", None),
    ]
    accounts += [(name, "solver", jurisdiction) for name, jurisdiction, _unit in RACE_SOLVERS]
    return accounts


#: More solver accounts, so that a bureau can run a 赛马 in the demo with three teams: Urumqi (000 §12(1), a race
#: when the need asks for it) and Karamay (003 §12(5): up to three solvers when the scores are close and the
#: routes differ). (user name, jurisdiction, unit number): each speaks for the first person of its unit
#: ``<J>-S<n>`` (``<J>-P4`` for S2, ``<J>-P7`` for S3), as ``solver_<j>`` speaks for ``<J>-P1`` of S1.
RACE_SOLVERS = (
    ("solver_urumqi_2", "urumqi", 2),
    ("solver_urumqi_3", "urumqi", 3),
    ("solver_karamay_2", "karamay", 2),
    ("solver_karamay_3", "karamay", 3),
)


def race_solver_person(jurisdiction: str, unit: int) -> str:
    """The person an extra solver account speaks for: the first of the unit's three researchers."""
    return f"{jurisdiction.upper()}-P{3 * (unit - 1) + 1}"


def link_race_solvers(session: Session) -> int:
    """Link each extra solver account to its person, where that person speaks for no account yet (an existing
    link, made by hand or by an earlier load, stays). Returns how many were linked."""
    begin_write(session)  # reads what exists, then writes (engine.sqlite)
    linked = 0
    for name, jurisdiction, unit in RACE_SOLVERS:
        person = session.scalar(select(Person).where(Person.code == race_solver_person(jurisdiction, unit)))
        taken = session.scalar(select(func.count()).select_from(Person).where(Person.username == name))
        if person is not None and person.username is None and not taken:
            person.username = name
            linked += 1
    session.commit()
    return linked


#: The place a demo account works in, as its unit's name begins.
DEMO_PLACES = {"urumqi": "乌鲁木齐市", "dazu": "大足区", "karamay": "克拉玛依市", "zhangye": "张掖市"}
#: The unit of each demo role (``{place}`` and ``{city}`` filled in): what a colleague would call the office.
DEMO_UNITS = {
    "bureau": "{place}科技局",
    "issuer": "{city}硅业股份有限公司",
    "solver": "{city}揭榜单位{unit}",
    "panel_chair": "{place}揭榜挂帅评审专家组",
    "approver": "{place}人民政府",
    "third_party": "{place}科技评估中心",
    "recommender": "{place}工业和信息化局",
    "admin": "系统管理员",
    "supervisor": "监督部门",
    "process_owner": "流程负责人",
}
#: The people behind the demo accounts, in the order of ``demo_accounts`` (experts use their pool name).
DEMO_PEOPLE = (
    "刘建华",
    "马晓燕",
    "阿依古丽",
    "孙立军",
    "何文斌",
    "古丽娜尔",
    "张敏",
    "周德明",
    "陈思远",
    "黄国庆",
    "冉小红",
    "邓志刚",
    "高建国",
    "吴海燕",
    "杨志强",
    "郑丽萍",
    "冯文涛",
    "许春梅",
    "钱永平",
    "朱慧芳",
    "蒋明辉",
    "曹晓东",
    "任玉梅",
    "彭立新",
    "沈佳怡",
    "韩立",
    "罗文静",
    "唐振宇",
    # the extra solver accounts (RACE_SOLVERS)
    "艾力江",
    "王春燕",
    "赵明远",
    "买买提",
)


def demo_display_names() -> dict[str, str]:
    """The display name of every demo account: its unit and the person (``大足区科技局 张敏``); an expert by
    the name the expert pool gives it."""
    people = iter(DEMO_PEOPLE)
    names: dict[str, str] = {}
    for username, role, jurisdiction in demo_accounts():
        if role == "expert" and jurisdiction is not None:
            names[username] = DEMO_EXPERT_NAMES[jurisdiction][0]
            continue
        city = JURISDICTION_NAMES[jurisdiction][0] if jurisdiction else ""
        place = DEMO_PLACES.get(jurisdiction or "", "")
        if role == "approver" and jurisdiction == "zhangye":  # 004 三(五): the talent-work group decides
            unit = "张掖市人才工作领导小组"
        else:
            number = {n: u for n, _j, u in RACE_SOLVERS}.get(username, 1)
            unit = DEMO_UNITS[role].format(place=place, city=city, unit=number)
        names[username] = f"{unit} {next(people)}"
    return names


def load_demo_users(session: Session) -> tuple[list[str], list[str]]:
    """Create the missing demo accounts with the published password and their display names. An account that
    exists already keeps its password, roles and state; it only gets its demo display name while it has none
    of its own (still its user name). Returns (created, kept)."""
    existing = {u.username: u for u in session.scalars(select(User))}
    display = demo_display_names()
    password: str | None = None
    created, kept = [], []
    for name, role, jurisdiction in demo_accounts():
        user = existing.get(name)
        if user is not None:
            kept.append(name)
            if user.display_name in (None, "", name):
                set_display_name(session, name, display[name])
            continue
        password = password or generate_password_hash(DEMO_PASSWORD)
        add_user(
            session,
            name,
            roles=[role],
            jurisdiction=jurisdiction,
            display_name=display[name],
            password_hash=password,
        )
        created.append(name)
    return created, kept


def load_demo(session: Session) -> dict[str, Any]:
    begin_write(session)  # reads what exists, then writes (engine.sqlite)
    created, kept = load_demo_users(session)
    deployed = deploy_bundle(
        session,
        collect_paths([ROOT / "bpmn", ROOT / "forms" / "definitions"]),
        deployed_by="owner",
        note="demo",
    )
    organisations = load_organisations(session)
    load_offices(session)  # a demo database from before gets them too
    give_demo_codes(session)
    session.commit()
    link_race_solvers(session)
    load_experts(session)
    started = 0
    if not session.scalar(select(func.count()).select_from(ProcessInstance)):
        for jurisdiction, (length, unit) in DEMO_PUBLICITY.items():
            inst = instances.start_instance(
                session,
                "publicity_demo",
                business_key=f"DEMO-{jurisdiction.upper()}-001",
                data={
                    "jurisdiction": jurisdiction,
                    "title": f"{jurisdiction_name(jurisdiction)}拟支持项目公示",
                    "publicity_length": length,
                    "publicity_unit": unit,
                    # what the notice publishes: the selected unit, the project, the money (000 §12(5))
                    "need_title": "高纯硅提纯关键技术",
                    "solvers": [f"{jurisdiction.upper()}-S1"],
                    "contract_fen": 300000000,
                    "fiscal_support_fen": 90000000,
                },
                actor=f"bureau_{jurisdiction}",
            )
            started += 1
            if jurisdiction in ("urumqi", "dazu"):
                (task,) = tasks.list_tasks(session, instance_id=inst.id)
                tasks.complete(
                    session,
                    task.id,
                    actor=f"bureau_{jurisdiction}",
                    data={
                        "notice_title": "2026 年度揭榜挂帅拟支持项目公示",
                        "notice_body": "拟支持项目如下……",
                        "subsidy": "1,000,000",
                    },
                )
        for jurisdiction in JURISDICTIONS:
            code = f"{jurisdiction.upper()}-2026-001"
            instances.start_instance(
                session,
                f"{jurisdiction}_challenge",
                business_key=code,
                data={
                    "jurisdiction": jurisdiction,
                    "title": "高纯硅提纯关键技术",
                    "issuer_code": f"{jurisdiction.upper()}-ISS",
                    "project_code": code,
                    "notice_call_closes": "2026-12-31T18:00:00+08:00",
                },
                actor=f"bureau_{jurisdiction}",
            )
            started += 1
        started += _open_for_applications(session)
    return {
        "organisations": organisations,
        "users_created": created,
        "users_kept": len(kept),
        "password": DEMO_PASSWORD,
        "deployment": deployed.as_json(),
        "started": started,
    }


def _open_for_applications(session: Session) -> int:
    """A Dazu challenge published with an online window of 30 days from now, so that the portal lists it and
    ``solver_dazu`` (linked to DAZU-S1) can apply (000 §12(3))."""
    from datetime import timedelta

    from engine.clock import SHANGHAI, get_clock

    today = get_clock(session).now().astimezone(SHANGHAI).date()
    code = "DAZU-2026-002"
    inst = instances.start_instance(
        session,
        "dazu_challenge",
        business_key=code,
        data={
            "jurisdiction": "dazu",
            "title": "智能装备数字孪生运维平台",
            "issuer_code": "DAZU-ISS",
            "project_code": code,
            "notice_call_closes": (today + timedelta(days=60)).isoformat() + "T18:00:00+08:00",
        },
        actor="bureau_dazu",
    )
    steps: list[tuple[str, str, dict[str, Any]]] = [
        (
            "post_need",
            "issuer_dazu",
            {
                "need_title": "智能装备数字孪生运维平台",
                "category": "breakthrough",
                "problem": "设备故障预测准确率低",
                "indicators": "故障预测准确率 ≥ 95%",
                "deadline": (today + timedelta(days=730)).isoformat(),
                "ip_terms": "双方共有",
                "need_total_fen": "3,000,000",
                "scope": "public",
                "issuer_end_user": True,
                "pledge_unit": True,
                "pledge_leader": True,
            },
        ),
        # 001 八(二): the need-selection panel (five demo experts; expert_dazu records its opinion)
        (
            "form_need_panel",
            "bureau_dazu",
            {
                "experts": [
                    {
                        "name": "expert_dazu" if i == 1 else f"expert_dazu_{i:02d}",
                        "display_name": DEMO_EXPERT_NAMES["dazu"][i - 1],
                        "recommended_by": "bureau",
                        "chair": i == 1,
                    }
                    for i in range(1, 6)
                ]
            },
        ),
        (
            "need_review",
            "expert_dazu",
            {"importance": 90, "feasibility": 85, "difficulty": 70, "need_listed_decision": "list"},
        ),
        ("municipal_check", "bureau_dazu", {"taken_municipal": "no"}),
        ("list_review", "approver_dazu", {"list_review": "approve", "list_review_opinion": "同意发布"}),
        (
            "publish_list",
            "bureau_dazu",
            {
                "list_published_on": today.isoformat(),
                "applications_close_on": (today + timedelta(days=30)).isoformat(),
            },
        ),
    ]
    for spec, actor, data in steps:
        (task,) = [t for t in tasks.list_tasks(session, instance_id=inst.id) if t.task_spec == spec]
        tasks.complete(session, task.id, actor=actor, data=data)
    return 1
