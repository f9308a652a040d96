from pathlib import Path

import pytest

from sewer_gui.pacp.codes import CodeTable, CodeTableError, Family, GradeRule


def test_shipped_table_has_every_crack_target_and_common_codes(code_table):
    for code in ("CC", "CL", "CS", "CM", "CH2", "CH3", "CH4", "FC", "FL", "FS", "FM", "FH2",
                 "FH3", "FH4", "B", "BSV", "BVV", "H", "HSV", "HVV", "X", "DR", "JOM", "JOL",
                 "JSM", "JSL", "JAM", "JAL", "AMH", "ATC", "MWL", "MWLS", "MSA", "MGO", "TFA",
                 "TBI", "ISB", "RFJ", "DAE", "DSGV", "OBR", "SAV"):
        assert code in code_table, code
    assert code_table["CM"].grade_rule.fixed == 3
    assert code_table["CL"].clock_positions == 1
    assert code_table["CC"].clock_positions == 2
    assert not code_table["X"].continuous
    assert code_table["MGO"].remarks_required
    assert code_table["AMH"].is_access_point
    assert code_table["CL"].rated_family is Family.STRUCTURAL
    assert code_table["DAE"].rated_family is Family.OM
    assert code_table["TFA"].rated_family is None


@pytest.mark.parametrize(("percent", "grade"), [(5, 2), (10, 2), (15, 3), (30, 4), (35, 5)])
def test_percent_grade_rule_uses_upper_inclusive_thresholds(percent, grade):
    rule = GradeRule.parse("percent:10=2|20=3|30=4|*=5")
    assert rule.grade(percent, None) == grade


def test_percent_rule_without_percent_gives_no_grade():
    assert GradeRule.parse("percent:5=4|*=5").grade(None, None) is None


@pytest.mark.parametrize("bad", ["7", "percent:10=2", "speed:1=2|*=3", "percent:x=|*=2"])
def test_bad_grade_rules_are_rejected(bad):
    with pytest.raises(ValueError):
        GradeRule.parse(bad)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "codes.csv"
    path.write_text(text, encoding="utf-8")
    return path


HEAD = "code,description,family,grade_rule,clock_positions,values,percent,continuous,joint,remarks_required\n"


def test_malformed_table_names_file_and_line(tmp_path):
    path = _write(tmp_path, HEAD + "CC,Crack,structural,1,2,0,0,1,1,0\nZZ,Bad,alien,1,0,0,0,0,0,0\n")
    with pytest.raises(CodeTableError, match=r"codes\.csv, line 3: 'alien'"):
        CodeTable.load(path)


def test_table_missing_columns_is_an_error(tmp_path):
    path = _write(tmp_path, "code,description\nCC,Crack\n")
    with pytest.raises(CodeTableError, match="missing column"):
        CodeTable.load(path)


def test_duplicate_codes_are_an_error(tmp_path):
    row = "CC,Crack,structural,1,2,0,0,1,1,0\n"
    with pytest.raises(CodeTableError, match="duplicate code"):
        CodeTable.load(_write(tmp_path, HEAD + row + row))


def test_missing_table_file_is_an_error(tmp_path):
    with pytest.raises(CodeTableError, match="cannot read"):
        CodeTable.load(tmp_path / "nope.csv")


def test_licensee_table_replaces_the_shipped_one(tmp_path):
    table = CodeTable.load(_write(tmp_path, HEAD + "CC,Crack circ,structural,2,2,0,0,1,1,0\n"))
    assert len(table) == 1 and table["CC"].grade_rule.fixed == 2


def test_value_labels_say_what_a_code_measures_and_stay_optional(code_table, tmp_path):
    assert code_table["TBI"].value_labels == ("Tap diameter (in / mm)", "Intrusion (in / mm)")
    assert code_table["TFA"].value_labels == ("Tap diameter (in / mm)", "")
    assert code_table["CL"].value_labels == ("", "")
    older = CodeTable.load(_write(tmp_path, HEAD + "TFA,Tap,om,3,1,1,0,0,1,0\n"))
    assert older["TFA"].value_labels == ("", "")  # a table without the column still loads
    three = HEAD.rstrip("\n") + ",value_labels\nTFA,Tap,om,3,1,1,0,0,1,0,a|b|c\n"
    with pytest.raises(CodeTableError, match="line 2: value_labels holds at most two"):
        CodeTable.load(_write(tmp_path, three))


def test_the_editor_names_the_values_of_the_selected_code(qtbot, code_table):
    from sewer_gui.pacp.model import Observation
    from sewer_gui.ui.observation_editor import ObservationEditor

    editor = ObservationEditor(code_table)
    qtbot.addWidget(editor)
    def hint(spin):
        return editor.value_hints[spin].text()

    editor.set_observation(Observation(12.0, "TBI"))
    assert hint(editor.value_1) == "Tap diameter (in / mm)"
    assert hint(editor.value_2) == "Intrusion (in / mm)"
    assert editor.value_1.accessibleName() == "Tap diameter (in / mm)"
    editor.set_observation(Observation(3.0, "H"))
    assert hint(editor.value_1) == "" and editor.value_1.accessibleName() == "Value 1"
    editor.set_observation(None)
    assert hint(editor.value_2) == ""
    # Beside the field, not in the label column: the form keeps its width (a trial).
    plain = editor.minimumSizeHint().width()
    editor.set_observation(Observation(12.0, "TBI"))
    assert editor.minimumSizeHint().width() <= plain
