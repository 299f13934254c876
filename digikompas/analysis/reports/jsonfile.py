"""The report as JSON, for machines (named jsonfile so that it does not shadow the json module).

The JSON structure (`"schema": "digikompas.gap-report/1"`; numbers are numbers, shares are
fractions 0–1, dates ISO 8601):

    {"schema", "kind": "national" | "library", "title", "language", "generated_at",
     "round": {"id", "title", "survey", "opens_at", "closes_at"},
     "library": null | {"id", "code", "name", "municipality"},
     "group_by": null | "municipality" | "library" | "region" | "role",
     "library_hidden": bool,  # library reports: every figure of the library is hidden
     "method": {"invited", "answered", "response_rate", "responses",  # null when not shown
                "anonymity_minimum", "framework", "notes": [text],
                "scale": [{"value", "label", "description"}],
                "suppression": [{"grouping", "cells", "suppressed", "need_suppressed"}]},
     "competencies": [{"code", "title"}],
     "tables": {grouping: [{"key", "name", "competency", "n", "mean", "sd", "ci_low",
                            "ci_high", "n_need", "share_below", "mean_gap",
                            "suppressed", "need_suppressed"}]},
     "largest_gaps": [{"competency", "title", "role", "need_level", "mean", "mean_gap",
                       "share_below", "n_need", "descriptor"}],
     "barriers": {"units": [name], "items": [{"code", "statement", "category",
                  "values": [{"unit", "n", "share_agreeing", "suppressed"}]}]}}
"""

from __future__ import annotations

import json

from ..models import ReportKind
from .content import ReportContent, in_language

SCHEMA = "digikompas.gap-report/1"


@in_language
def render_json(content: ReportContent) -> bytes:
    return json.dumps(as_json(content), ensure_ascii=False, indent=2, allow_nan=False).encode()


def as_json(content: ReportContent) -> dict:
    spec, method = content.spec, content.method
    library = spec.library
    return {
        "schema": SCHEMA,
        "kind": spec.kind,
        "title": content.title,
        "language": spec.language,
        "generated_at": content.generated_at.isoformat(),
        "round": {
            "id": spec.round.pk,
            "title": spec.round.title,
            "survey": spec.round.survey.title,
            "opens_at": spec.round.opens_at.isoformat(),
            "closes_at": spec.round.closes_at.isoformat(),
        },
        "library": None
        if library is None
        else {
            "id": library.pk,
            "code": library.code,
            "name": library.name,
            "municipality": library.municipality.name,
        },
        "group_by": spec.group_by if spec.kind == ReportKind.NATIONAL else None,
        "library_hidden": content.library_hidden,
        "method": {
            "invited": method.invited,
            "answered": method.answered,
            "response_rate": method.response_rate,
            "responses": method.responses,
            "anonymity_minimum": method.minimum,
            "framework": method.framework,
            "notes": method.notes,
            "scale": [vars(level) for level in method.scale],
            "suppression": [
                {
                    "grouping": count.grouping,
                    "cells": count.cells,
                    "suppressed": count.hidden,
                    "need_suppressed": count.need_hidden,
                }
                for count in method.suppression
            ],
        },
        "competencies": [vars(competency) for competency in content.competencies],
        "tables": {
            grouping: [
                {
                    "key": group.key,
                    "name": group.name,
                    "competency": competency.code,
                    "n": cell.n.value,
                    "mean": cell.mean.value,
                    "sd": cell.sd.value,
                    "ci_low": cell.ci_low.value,
                    "ci_high": cell.ci_high.value,
                    "n_need": cell.n_need.value,
                    "share_below": cell.share_below.value,
                    "mean_gap": cell.mean_gap.value,
                    "suppressed": cell.suppressed,
                    "need_suppressed": cell.need_suppressed,
                }
                for group in groups
                for competency, cell in zip(content.competencies, group.cells, strict=True)
            ]
            for grouping, groups in content.tables.items()
        },
        "largest_gaps": [
            {
                "competency": gap.competency.code,
                "title": gap.competency.title,
                "role": gap.role or None,
                "need_level": gap.need_level or None,
                "mean": gap.mean.value,
                "mean_gap": gap.mean_gap.value,
                "share_below": gap.share_below.value,
                "n_need": gap.n_need.value,
                "descriptor": gap.descriptor or None,
            }
            for gap in content.gaps
        ],
        "barriers": {
            "units": content.barrier_units,
            "items": [
                {
                    "code": line.code,
                    "statement": line.statement,
                    "category": line.category,
                    "values": [
                        {
                            "unit": value.unit,
                            "n": value.n.value,
                            "share_agreeing": value.share.value,
                            "suppressed": value.share.hidden,
                        }
                        for value in line.values
                    ],
                }
                for line in content.barriers
            ],
        },
    }
