"""The classifier's classes, held in one place with the PACP codes they stand for."""

from __future__ import annotations

import enum


class CrackClass(enum.StrEnum):
    ND = "ND"  # no crack: plain wall, joints, water, stains, roots, taps, deposits
    CC = "CC"
    CL = "CL"
    CS = "CS"
    CM = "CM"
    CH = "CH"


CLASS_NAMES: tuple[str, ...] = tuple(c.value for c in CrackClass)

DESCRIPTIONS = {
    CrackClass.ND: "No crack",
    CrackClass.CC: "Crack, circumferential",
    CrackClass.CL: "Crack, longitudinal",
    CrackClass.CS: "Crack, spiral",
    CrackClass.CM: "Crack, multiple",
    CrackClass.CH: "Crack, hinge",
}

# The PACP code a suggestion proposes, and its fracture twin the coder can switch to.
SUGGESTED_CODE = {CrackClass.CC: "CC", CrackClass.CL: "CL", CrackClass.CS: "CS",
                  CrackClass.CM: "CM", CrackClass.CH: "CH3"}
FRACTURE_TWIN = {"CC": "FC", "CL": "FL", "CS": "FS", "CM": "FM", "CH2": "FH2", "CH3": "FH3",
                 "CH4": "FH4"}
FRACTURE_TWIN.update({v: k for k, v in list(FRACTURE_TWIN.items())})

# Folder names a user's dataset may use, mapped onto our classes (PACP codes and fracture twins).
FOLDER_ALIASES: dict[str, CrackClass] = {c.value: c for c in CrackClass}
FOLDER_ALIASES.update({
    "FC": CrackClass.CC, "FL": CrackClass.CL, "FS": CrackClass.CS, "FM": CrackClass.CM,
    "CH2": CrackClass.CH, "CH3": CrackClass.CH, "CH4": CrackClass.CH, "FH2": CrackClass.CH,
    "FH3": CrackClass.CH, "FH4": CrackClass.CH, "NONE": CrackClass.ND, "NOCRACK": CrackClass.ND,
    "NO_CRACK": CrackClass.ND,
})


def class_for_label(label: str) -> CrackClass | None:
    return FOLDER_ALIASES.get(label.strip().upper())
