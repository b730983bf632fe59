"""Reading scenario and reference files: CSV and YAML rows validated into pydantic models.

Every problem is reported as ``file:line: column: reason`` and a file with any problem loads
nothing (the caller's transaction is rolled back).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from cases.kernel.errors import Invalid

Row = TypeVar("Row", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.reason}"


class ScenarioFileError(Invalid):
    """One file of a scenario failed validation; ``problems`` lists every bad row."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{more}")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _reason(error: Any) -> str:
    message = str(error["msg"])
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def validate_row(
    model: type[Row], values: dict[str, Any], *, file: str, line: int, problems: list[Problem]
) -> Row | None:
    """``values`` as a ``model``; on failure, one problem per bad column and None."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        for error in exc.errors():
            column = ".".join(str(p) for p in error["loc"]) or "-"
            problems.append(Problem(file, line, column, _reason(error)))
        return None


def read_csv(
    path: Path,
    model: type[Row],
    *,
    optional_columns: Iterable[str] = (),
    name: str | None = None,
) -> list[tuple[int, Row]]:
    """Rows of a CSV file as ``(line, row)``; raises ScenarioFileError listing every problem.

    The header must hold every field of ``model`` that is not in ``optional_columns``, and no
    column the model does not know. Blank lines are skipped; empty cells become missing values.
    """
    name = name or path.name
    required = [f for f in model.model_fields if f not in set(optional_columns)]
    problems: list[Problem] = []
    rows: list[tuple[int, Row]] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, strict=True)
            header = next(reader, None)
            if header is None:
                raise ScenarioFileError(
                    [Problem(name, 1, "-", "the file is empty (a header row is required)")]
                )
            header = [h.strip() for h in header]
            for column in required:
                if column not in header:
                    problems.append(Problem(name, 1, column, "missing column"))
            for column in header:
                if column not in model.model_fields:
                    expected = ",".join(model.model_fields)
                    problems.append(
                        Problem(name, 1, column or "-", f"unknown column (expected {expected})")
                    )
            if problems:
                raise ScenarioFileError(problems)
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    problems.append(Problem(name, reader.line_num, "-", f"malformed CSV: {exc}"))
                    break
                line = reader.line_num
                if not cells or all(not c.strip() for c in cells):
                    continue
                if len(cells) != len(header):
                    reason = (
                        f"malformed CSV: {len(cells)} fields where the header has {len(header)}"
                    )
                    problems.append(Problem(name, line, "-", reason))
                    continue
                values = {
                    h: c.strip() for h, c in zip(header, cells, strict=True) if c.strip() != ""
                }
                row = validate_row(model, values, file=name, line=line, problems=problems)
                if row is not None:
                    rows.append((line, row))
    except UnicodeDecodeError as exc:
        raise ScenarioFileError([Problem(name, 1, "-", f"not UTF-8 text: {exc.reason}")]) from exc
    if problems:
        raise ScenarioFileError(problems)
    return rows


def reject_duplicates(
    rows: Sequence[tuple[int, Row]], key: Callable[[Row], Hashable], column: str, *, name: str
) -> None:
    """ScenarioFileError for every row whose key repeats an earlier row's."""
    first_line: dict[Hashable, int] = {}
    problems = []
    for line, row in rows:
        k = key(row)
        if k in first_line:
            problems.append(
                Problem(name, line, column, f"duplicate {k!r} (first on line {first_line[k]})")
            )
        else:
            first_line[k] = line
    if problems:
        raise ScenarioFileError(problems)


def read_yaml_mapping(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """A YAML file holding one mapping, and the line of each top-level key (for error messages)."""
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise ScenarioFileError(
            [Problem(path.name, line, "-", f"malformed YAML: {exc}".splitlines()[0])]
        ) from exc
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise ScenarioFileError([Problem(path.name, 1, "-", "expected a mapping of settings")])
    lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
    return data, lines
