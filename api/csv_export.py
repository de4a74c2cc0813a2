"""CSV exports: UTF-8 with a BOM so that spreadsheet programs read the Chinese text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import Response

CSV = "text/csv"


def wants_csv(accept: str | None) -> bool:
    return accept is not None and CSV in accept.lower()


def csv_response(header: Sequence[str], rows: Iterable[Sequence[Any]], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return Response(
        ("\ufeff" + out.getvalue()).encode("utf-8"),
        media_type=f"{CSV}; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


def csv_openapi(example: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI entry that says a route also answers in CSV."""
    return {
        200: {
            "content": {CSV: {"schema": {"type": "string"}, "example": "\ufeff" + example}},
            "description": "JSON, or with `Accept: text/csv` a CSV file (UTF-8 with BOM)",
        }
    }
