"""What a check says about one field: a problem (the submission is refused) or a requirement (shown as help
before typing). Both name the field, say it in Chinese and English and cite the rule's source — usually a
``*_source`` string of the jurisdiction's policy table (DMN), so the citation follows the policy edition."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from forms.convert import format_money_fen


@dataclass(frozen=True)
class Note:
    """One statement about ``field`` (a form field name; rows as ``milestones.2.due_date``)."""

    field: str
    zh: str
    en: str
    source: str | None = None
    #: a hint that the policy requires the field here: the form marks it required (red asterisk)
    required: bool = False

    @property
    def citation(self) -> str:
        """The source's bare reference (``citation``), the same in both languages."""
        return citation(self.source)

    def text(self, lang: str) -> str:
        """The message with its citation, in ``lang`` (``zh`` or ``en``)."""
        if lang == "zh":
            return f"{self.zh}（依据：{self.citation}）" if self.citation else self.zh
        return f"{self.en} (source: {self.citation})" if self.citation else self.en

    def bilingual(self) -> str:
        """One line for a diagram variable: ``中文 / English (source)``."""
        cited = f" ({self.source})" if self.source else ""  # the diagram keeps the full source
        return f"{self.zh} / {self.en}{cited}"


_CITED = re.compile(r"^(?P<en>.*?)\s*\((?P<source>[^()]*(?:\([^()]*\)[^()]*)*)\)\s*$", re.S)


def from_bilingual(line: str, field: str = "") -> Note:
    """A diagram's ``中文 / English (source)`` line (``Note.bilingual``, the scripts' refusal lists such as
    ``need_refusals``) read back, so each language shows its own half with the rule's source."""
    text = str(line)
    zh, sep, en = text.partition(" / ")
    if not sep:
        return Note(field, text, text)
    found = _CITED.match(en)
    if found is None:
        return Note(field, zh.strip(), en.strip())
    return Note(field, zh.strip(), found.group("en").strip(), found.group("source").strip())


#: A reference to a policy document (``001 八(八)``, ``000 §12(6)–(7)``, ``002 五(二)1``, ``003 §9(3)``) or to a
#: national standard (``GB 32100-2015``).
_REFERENCE = re.compile(
    r"(?<!\d)\d{3}(?!\d)(?:\s*(?:§\d+(?:[-–]\d+)?(?:\(\d+\)(?:[-–]\(\d+\))?)?\d*"
    r"|[一二三四五六七八九十]+(?:\([一二三四五六七八九十\d]+\))?\d*(?:\(\d+\))?))?"
    r"|GB(?:/T)?\s*\d+(?:\.\d+)*(?:-\d{4})?"
)
#: Only references: documents, articles, standards and the separators between them (no prose).
_ONLY_REFERENCES = re.compile(r"^(?:GB/T|GB|[\d\s§().（）一二三四五六七八九十,，、;；–-])+$")


def citation(source: str | None) -> str:
    """The bare reference of a policy table's ``*_source`` text, shown in both languages. The tables write
    ``001 十(二)：阶段评审后发榜方向揭榜方支付30%`` (the reference, then a Chinese explanation for the
    process owners); users see ``001 十(二)``. A text without a leading reference yields the references it
    names (``2025年管理办法（征求意见稿，000）`` → ``000``), or ``''`` when it names none."""
    text = (source or "").strip()
    head = re.split(r"：|:\s", text, maxsplit=1)[0].strip()
    if head and _ONLY_REFERENCES.match(head):
        return head
    return "、".join(dict.fromkeys(m.group(0).strip() for m in _REFERENCE.finditer(text)))


#: A refusal: the submission breaks a rule.
Problem = Note
#: A requirement shown beside the field before the user types.
Hint = Note


def yuan(fen: int) -> str:
    """Money as shown to users: ``200000000`` → ``2,000,000.00``."""
    return format_money_fen(int(fen), grouping=True)


def by_field(notes: Iterable[Note], lang: str) -> dict[str, list[str]]:
    """Messages grouped by field, in ``lang``."""
    out: dict[str, list[str]] = {}
    for note in notes:
        out.setdefault(note.field, []).append(note.text(lang))
    return out


def diagram_note(notes: Iterable[Note]) -> str:
    """The problems as the diagram stores them (``''`` when there are none): the diagram's guard loops back
    on a non-empty note."""
    return "；".join(n.bilingual() for n in notes)
