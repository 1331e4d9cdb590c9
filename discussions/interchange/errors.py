"""The error of the interchange format: the first problem found in a bundle, named by its place in the file."""
from __future__ import annotations

import json
from typing import Any


class InterchangeError(Exception):
    """The first problem found in a bundle: where it is (`comments[3].parent`) and what is wrong."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}" if where else problem)


def show(value: Any) -> str:
    """A value as the error message quotes it: strings in single quotes, short, everything else as JSON."""
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def at(path: str, key: str | int) -> str:
    """The place of a field or item in the file as errors name it: `comments[3].parent`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key
