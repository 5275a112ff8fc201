"""The row loop kept by ``territoires bench`` as the baseline of large imports reads the
same file into the same rows as the import: the ratio compares the same work."""

from __future__ import annotations

import pandas as pd

from dashboard.bench.imports import naive_check, operations_csv
from dashboard.intake.imports import check_file


def test_the_row_loop_reads_the_same_rows_as_the_import(isere):
    for width in (7, 13):
        data = operations_csv(400, width, isere.departement)
        report = check_file("operations", data, "operations.csv", isere)
        frame, errors = naive_check(data, isere)
        assert report.valid
        assert errors == []
        assert len(report.frame) == 400
        columns = [c for c in report.frame.columns if report.frame[c].notna().any()]
        assert len(columns) == (7 if width == 7 else 11)  # 13: two columns are not ours
        pd.testing.assert_frame_equal(frame[columns], report.frame[columns], check_dtype=False)
