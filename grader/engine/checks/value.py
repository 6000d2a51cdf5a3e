"""ValueCheck and ManualCheck: structured and written answers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, ClassVar

from grader.engine.notebook import SubmittedAnswer
from grader.engine.results import CheckResult
from grader.engine.sandbox import Limits
from grader.engine.structured import is_unanswered
from grader.engine.judges import Unreadable
from grader.engine.checks.base import Check, Verdict, form_lead


Judge = Callable[[Any], "tuple[bool, str]"]


@dataclass
class ValueCheck(Check):
    """A structured answer (or one key of it) judged without running learner code.

    A value whose form cannot be read (the judge raises judges.Unreadable, or the answer is not
    a dict) is reported once per answer: the first check reading it (or the answer's `gate`, a
    check of the answer's form alone) says what form to write and fails; the other checks
    reading it report `error` with a pointer to that check."""

    key: str | None = None
    judge: Judge = None  # type: ignore[assignment]
    gate: bool = False  # checks the answer's form only; form problems are reported here
    reads_value: ClassVar[bool] = True  # a candidate to lead on its answer's form (base.form_lead)

    def where(self) -> str:
        return f"expected a cell assigning `{self.answer} = ...`"

    def label(self) -> str:
        return f"{self.answer}[{self.key!r}]" if self.key else self.answer

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        if answer.kind != "structured":
            return self.unreadable(f"{self.answer} should be a Python literal (`{self.answer} = ...`), not SQL", whole=True)
        value = answer.value
        if is_unanswered(value):
            return Verdict("missing", f"{self.answer} is not answered yet")
        if self.key is not None:
            if not isinstance(value, dict):
                return self.unreadable(
                    f"{self.answer} should be a dict with key {self.key!r} (as in the notebook's template); "
                    f"got {type(value).__name__} {_short(value)}", whole=True)
            key = find_key(value, self.key)
            if key is None:
                has = ", ".join(repr(k) for k in list(value)[:8]) or "none"
                return Verdict("missing", f"{self.answer} has no key {self.key!r} (its keys: {has})")
            value = value[key]
            if is_unanswered(value):
                return Verdict("missing", f"{self.label()} is not answered yet")
        try:
            ok, message = self.judge(value)
        except Unreadable as exc:
            return self.unreadable(f"{self.label()}: {exc}")
        return Verdict("pass" if ok else "fail", message or (self.passed if ok else self.fail))

    def unreadable(self, message: str, whole: bool = False) -> Verdict:
        """A form problem: said in full by the check that leads this answer, pointed at elsewhere."""
        lead = form_lead(self, whole)
        if lead == self.name:
            return Verdict("fail", message)
        what = self.answer if whole else self.label()
        return Verdict("error", f"{what} could not be read: see {lead}")


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def find_key(value: dict, key: str) -> Any:
    """The dict's key for `key`: exact, else the one written with other case, spaces or hyphens."""
    if key in value:
        return key
    wanted = _norm_key(key)
    return next((k for k in value if isinstance(k, str) and _norm_key(k) == wanted), None)


def _norm_key(k: str) -> str:
    return re.sub(r"[\s\-]+", "_", k.strip().lower())


@dataclass
class ManualCheck(Check):
    """A written answer an instructor reads and scores, worth `points`.

    Until the instructor's score is merged (`grader check --manual answers.csv`) it is reported
    as `manual`: neither awarded nor lost, its points left out of the automatic maximum and
    shown beside it as "to be scored" (results.ExerciseResult.manual_pending). An answer that is
    absent or still the placeholder is `missing` and counts 0, like any missing answer. A short
    answer is not failed unread: it goes to the instructor with a note.
    The answer is a string, or a list of strings read as bullets (Exercise 10's `how`), or a dict
    of strings read the same way, each bullet after its key ({"a": ..., "b": ...}: "a: ...")."""

    key: str | None = None
    min_words: int = 5
    rubric: str = ""  # what earns the points, for the person scoring (grader manual export)

    def where(self) -> str:
        return f"expected a cell assigning `{self.answer} = ...`"

    def label(self) -> str:
        return f"{self.answer}[{self.key!r}]" if self.key else self.answer

    def text(self, answers: dict[str, SubmittedAnswer]) -> str | None:
        """What the student wrote, as text (bullets one per line), or None when nothing is."""
        answer = answers.get(self.answer)
        return None if answer is None or answer.kind != "structured" else self._text(answer.value)

    def _text(self, value) -> str | None:
        if self.key is not None:  # found as ValueCheck finds it: 'Why' is the key 'why'
            key = find_key(value, self.key) if isinstance(value, dict) else None
            value = None if key is None else value[key]
        if isinstance(value, str):
            return None if is_unanswered(value) else value.strip()
        bullets = _bullets(value)
        return "\n".join(f"• {b}" for b in bullets) if bullets else None  # not "- ": no spreadsheet formula

    def run(self, answers: dict[str, SubmittedAnswer], limits: Limits = Limits()) -> CheckResult:
        result = super().run(answers, limits)
        result.max_points = self.points  # its worth is known even while it waits to be scored
        return result

    def evaluate(self, answer: SubmittedAnswer, limits: Limits) -> Verdict:
        text = self._text(answer.value) if answer.kind == "structured" else None
        if text is None:
            return Verdict("missing", f"{self.label()}: write your answer in words (a string, or a list of strings as bullets)")
        words = len(re.findall(r"\w+", text))
        worth = f"worth {self.points:g} point(s), " if self.points else ""
        if words < self.min_words:
            return Verdict("manual", f"{self.label()}: only {words} word(s); about {self.min_words} or more are expected "
                                     f"({worth}read and scored by your instructor)")
        return Verdict("manual", f"{self.label()}: {words} words, {worth}read and scored by your instructor")


def _bullets(value) -> list[str] | None:
    """The text a list or dict of strings holds, one bullet per string (a dict's key before its
    text), None when it holds something else; a string still the placeholder is left out."""
    if isinstance(value, dict):
        items = [(k, v) for k, v in value.items()]
    elif isinstance(value, (list, tuple)):
        items = [(None, v) for v in value]
    else:
        return None
    items = [(k, v) for k, v in items if not is_unanswered(v)]
    if not items or not all(isinstance(v, str) for _, v in items):
        return None
    return [f"{k}: {v.strip()}" if k is not None else v.strip() for k, v in items]
