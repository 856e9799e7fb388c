"""XXE-safe XML loading for diagrams. SpiffWorkflow parses with lxml's defaults; we parse first, refuse
any DOCTYPE/DTD, and hand SpiffWorkflow the tree (notes/SPIFFWORKFLOW.md §1, "lxml and XML security")."""

from __future__ import annotations

from lxml import etree

_SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False
)


class UnsafeXml(ValueError):
    """The document is not well-formed or declares a DTD; ``line`` is the offending line when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def parse_xml(content: bytes) -> etree._ElementTree:
    """Parse bytes into a tree; refuses DOCTYPE declarations (XXE, entity expansion) and malformed XML."""
    try:
        root = etree.fromstring(content, _SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise UnsafeXml(f"not well-formed XML: {exc.msg}", line) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeXml("DOCTYPE/DTD declarations are not allowed (XML external entity protection)")
    return tree


def element_line(tree: etree._ElementTree, element_id: str | None) -> int | None:
    """Source line of the element with this id (SpiffWorkflow's semantic errors carry no line)."""
    if not element_id:
        return None
    found = tree.xpath("//*[@id=$i]", i=element_id)
    return found[0].sourceline if found else None
