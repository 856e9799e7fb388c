"""Generate the diagrams, decision tables and forms of bpmn/ (run: python bpmn/_build/build.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import annual  # noqa: E402
import challenge  # noqa: E402
import pilot  # noqa: E402
import shared  # noqa: E402

ROOT = HERE.parent


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_forms(folder: Path, forms: dict) -> None:
    for fid, form in forms.items():
        write(folder / f"{fid}.form.json", json.dumps(form, ensure_ascii=False, indent=1) + "\n")


def main() -> None:
    for maker in (
        shared.expert_review,
        shared.expert_scoring,
        shared.race_team,
        shared.extension,
        shared.termination,
        shared.acceptance,
    ):
        proc, forms = maker()
        write(ROOT / "shared" / f"{proc.pid}.bpmn", proc.xml())
        write_forms(ROOT / "shared" / "forms", forms)
    write_forms(ROOT / "shared" / "forms", challenge.common_forms())
    built = {j: challenge.build(j) for j in challenge.JURISDICTIONS}
    users: dict[str, list[str]] = {}
    for j, (_proc, forms, _tables) in built.items():
        for fid in forms:
            users.setdefault(fid, []).append(j)
    for j, (proc, forms, tables) in built.items():
        write(ROOT / j / f"{proc.pid}.bpmn", proc.xml())
        write_forms(ROOT / j / "forms", {k: v for k, v in forms.items() if len(users[k]) == 1})
        write_forms(ROOT / "shared" / "forms", {k: v for k, v in forms.items() if len(users[k]) > 1})
        for name, text in tables.items():
            write(ROOT / j / name, text)
    for edition, files in challenge.editions().items():
        for name, text in files.items():
            write(ROOT / "urumqi" / "editions" / edition / name, text)
    annual.write_files(ROOT, write, write_forms)
    pilot.write_files(ROOT, write, write_forms)


if __name__ == "__main__":
    main()
