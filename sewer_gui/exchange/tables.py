"""Column layout of the PACP 7 exchange tables that this application reads and writes."""

from __future__ import annotations

from sewer_gui.pacp.model import InspectionHeader

INSPECTIONS = "PACP_Inspections"
CONDITIONS = "PACP_Conditions"
MEDIA_INSPECTIONS = "PACP_Media_Inspections"
MEDIA_CONDITIONS = "PACP_Media_Conditions"
RATINGS = "PACP_Ratings"

INSPECTION_COLUMNS = ["InspectionID",
                      *(column for _n, column, _l, _r in InspectionHeader.columns()),
                      "IsImperial"]
CONDITION_COLUMNS = ["ConditionID", "InspectionID", "Distance", "Counter", "PACP_Code",
                     "Continuous", "Value_1st_Dimension", "Value_2nd_Dimension", "Value_Percent",
                     "Joint", "Clock_At_From", "Clock_To", "Remarks", "VCR_Time"]
MEDIA_INSPECTION_COLUMNS = ["MediaID", "InspectionID", "Video_Name", "Video_Location"]
MEDIA_CONDITION_COLUMNS = ["MediaID", "ConditionID", "Image_Name", "Image_Location"]
RATING_COLUMNS = ["InspectionID",
                  *(f"STGradeScore{g}" for g in range(1, 6)),
                  *(f"OMGradeScore{g}" for g in range(1, 6)),
                  "STPipeRating", "OMPipeRating", "OverallPipeRating", "STQuickRating",
                  "OMQuickRating", "PACPQuickRating", "STPipeRatingsIndex", "OMPipeRatingsIndex",
                  "OverallPipeRatingsIndex"]

TABLES: dict[str, list[str]] = {
    INSPECTIONS: INSPECTION_COLUMNS,
    CONDITIONS: CONDITION_COLUMNS,
    MEDIA_INSPECTIONS: MEDIA_INSPECTION_COLUMNS,
    MEDIA_CONDITIONS: MEDIA_CONDITION_COLUMNS,
    RATINGS: RATING_COLUMNS,
}
