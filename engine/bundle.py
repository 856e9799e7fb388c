"""A deployment bundle: named BPMN, DMN and form files collected from paths or received in memory."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from engine.errors import DeploymentRefused

MAX_FILE_BYTES = 5 * 1024 * 1024
KINDS = {".bpmn": "bpmn", ".dmn": "dmn", ".form.json": "form"}


@dataclass(frozen=True)
class BundleFile:
    name: str
    content: bytes

    @property
    def kind(self) -> str | None:
        return kind_of(self.name)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def kind_of(name: str) -> str | None:
    lowered = name.lower()
    for suffix, kind in KINDS.items():
        if lowered.endswith(suffix):
            return kind
    return None


def problem(
    file: str | None, message_en: str, message_zh: str, *, line: int | None = None, element: str | None = None
) -> dict[str, object]:
    return {"file": file, "line": line, "element": element, "message": message_en, "message_zh": message_zh}


def refuse(problems: list[dict[str, object]]) -> DeploymentRefused:
    first = problems[0]
    where = " ".join(
        part
        for part in (
            str(first["file"]) if first.get("file") else "",
            f"line {first['line']}" if first.get("line") else "",
            f"element {first['element']}" if first.get("element") else "",
        )
        if part
    )
    more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
    zh_more = f"（另有 {len(problems) - 1} 处问题）" if len(problems) > 1 else ""
    return DeploymentRefused(
        f"部署被拒绝，未保存任何内容：{where}：{first['message_zh']}{zh_more}",
        f"Deployment refused, nothing was stored: {where}: {first['message']}{more}",
        details={"problems": problems},
    )


def collect_paths(paths: list[str | Path]) -> list[BundleFile]:
    """Read files and folders (recursively) into a bundle. A folder contributes its .bpmn, .dmn and
    .form.json files named relative to the folder's parent; a file given directly is named by its base name."""
    files: dict[str, BundleFile] = {}
    problems: list[dict[str, object]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and kind_of(p.name))
            entries = [(p, p.relative_to(path.parent).as_posix()) for p in found]
            if not found:
                problems.append(
                    problem(
                        str(path),
                        "folder contains no .bpmn, .dmn or .form.json file",
                        "文件夹中没有 .bpmn、.dmn 或 .form.json 文件",
                    )
                )
        elif path.is_file():
            if not kind_of(path.name):
                problems.append(
                    problem(
                        str(path),
                        "unsupported file type: use .bpmn, .dmn or .form.json",
                        "不支持的文件类型：只接受 .bpmn、.dmn 或 .form.json",
                    )
                )
                continue
            entries = [(path, path.name)]
        else:
            problems.append(problem(str(path), "no such file or folder", "文件或文件夹不存在"))
            continue
        for file_path, name in entries:
            if file_path.stat().st_size > MAX_FILE_BYTES:
                problems.append(
                    problem(
                        name,
                        f"file is larger than {MAX_FILE_BYTES // 1024 // 1024} MiB",
                        f"文件超过 {MAX_FILE_BYTES // 1024 // 1024} MiB",
                    )
                )
                continue
            if name in files:
                problems.append(
                    problem(name, "two files in the bundle have the same name", "部署包中有两个同名文件")
                )
                continue
            files[name] = BundleFile(name, file_path.read_bytes())
    if problems:
        raise refuse(problems)
    return list(files.values())
