"""Technology contract registration (技术合同登记) in Urumqi: once the project is approved and the task book
signed, the project unit registers the technology contract in time (002 五(二)6: 科技项目立项完成的，需及时进行
技术合同登记), and the bureau fixes the fiscal support from the registered technology contract before paying
(000 §12(6): 市科技局拟定技术合同的发榜方、揭榜方市级财政补助资金金额，并拨付支持资金). The first tranche
therefore waits for the registration.

What is recorded: the registration number, the registration date and the registration certificate (upload).
Pure functions on the task data; ``today`` is the engine clock's date (Asia/Shanghai).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from engine.domain.date_checks import as_date
from engine.domain.problems import Hint, Problem

SOURCE = "002 五(二)6"


def registration_problems(d: Mapping[str, Any], today: date) -> list[Problem]:
    """002 五(二)6: the registration is dated on or after the task book (立项) and not in the future."""
    out: list[Problem] = []
    registered = as_date(d.get("contract_reg_date"))
    opened = as_date(d.get("opened_on"))
    if registered is not None and registered > today:
        out.append(
            Problem(
                "contract_reg_date",
                f"登记日期 {registered.isoformat()} 晚于今天（{today.isoformat()}），请填写已完成登记的日期。",
                f"The registration date {registered.isoformat()} is after today ({today.isoformat()}); give "
                "the date the contract was registered.",
                SOURCE,
            )
        )
    if registered is not None and opened is not None and registered < opened:
        out.append(
            Problem(
                "contract_reg_date",
                f"登记日期 {registered.isoformat()} 早于立项（任务书签订）日期 {opened.isoformat()}："
                "技术合同应在立项完成后登记。",
                f"The registration date {registered.isoformat()} is before the project was opened "
                f"({opened.isoformat()}): the contract is registered after the task book.",
                SOURCE,
            )
        )
    if not str(d.get("contract_reg_number") or "").strip():
        out.append(
            Problem(
                "contract_reg_number",
                "请填写技术合同登记编号。",
                "Enter the registration number of the technology contract.",
                SOURCE,
            )
        )
    return out


def registration_hints(d: Mapping[str, Any], today: date) -> list[Hint]:
    opened = as_date(d.get("opened_on"))
    since = f"（立项日期 {opened.isoformat()}）" if opened else ""
    since_en = f" (opened {opened.isoformat()})" if opened else ""
    # the date's bounds before typing, as registration_problems checks them after submit
    earliest = f"不早于立项日期（{opened.isoformat()}），" if opened else ""
    earliest_en = f"Not before the project was opened ({opened.isoformat()}) and n" if opened else "N"
    return [
        Hint(
            "contract_reg_number",
            f"立项完成后须及时进行技术合同登记{since}；登记完成后才拨付首笔财政资金。",
            f"Register the technology contract promptly after the project is opened{since_en}; the first "
            "fiscal tranche is paid after the registration.",
            SOURCE,
        ),
        Hint(
            "contract_reg_date",
            f"{earliest}不晚于今天（{today.isoformat()}）：填写已完成登记的日期。",
            f"{earliest_en}ot after today ({today.isoformat()}): the date the contract was registered.",
            SOURCE,
        ),
    ]
