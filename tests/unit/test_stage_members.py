"""The heat overlay counts a stage (call activity or embedded subprocess) by the elements that run inside it,
nested stages included (``engine.dashboard.stage_members``)."""

from __future__ import annotations

from engine.dashboard import stage_members

NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
TOP = f"""<bpmn:definitions {NS}><bpmn:process id="top">
  <bpmn:callActivity id="stage_a" calledElement="a"/>
  <bpmn:userTask id="at_top"/>
</bpmn:process></bpmn:definitions>""".encode()
A = f"""<bpmn:definitions {NS}><bpmn:process id="a">
  <bpmn:userTask id="task_a"/>
  <bpmn:subProcess id="waiting"><bpmn:intermediateCatchEvent id="timer_a"/></bpmn:subProcess>
  <bpmn:callActivity id="stage_b" calledElement="b"/>
</bpmn:process></bpmn:definitions>""".encode()
B = f"""<bpmn:definitions {NS}><bpmn:process id="b">
  <bpmn:userTask id="task_b"/><bpmn:callActivity id="back" calledElement="a"/>
</bpmn:process></bpmn:definitions>""".encode()


def test_a_stage_holds_its_called_process_and_nested_stages() -> None:
    members = stage_members([TOP, A, B])
    assert {"task_a", "timer_a", "task_b"} <= members["stage_a"]
    assert "at_top" not in members["stage_a"]
    assert members["waiting"] == {"timer_a"}
    assert "task_a" in members["stage_b"]  # b calls a again: the cycle ends, nothing is lost


def test_the_monitor_keeps_a_bounded_cache_of_stages_keyed_by_file_hashes() -> None:
    """web.views.monitor computes a version's stages once per set of diagram files, in a bounded cache: the
    same files (by hash) read again from the database give the cached stages without parsing."""
    from web.views.monitor import _Diagrams, _stage_members

    first = _stage_members(_Diagrams(("h-top", "h-a", "h-b"), (TOP, A, B)))
    again = _stage_members(_Diagrams(("h-top", "h-a", "h-b"), (bytes(TOP), bytes(A), bytes(B))))
    assert again is first
    assert _stage_members(_Diagrams(("h-a",), (A,))) is not first
    assert _stage_members.cache_info().maxsize == 32
