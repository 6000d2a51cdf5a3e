"""`grader release prairielearn OUT/`: the workbook as PrairieLearn questions, one per exercise,
which is how PrairieLearn courses are built. OUT/ is laid out like a course repository:

  questions/week12/exNN/info.json     uuid (uuid5 of the exercise: the same on every release, so
                                      a re-release updates the question), title, topic, type v3,
                                      gradingMethod External, singleVariant, externalGradingOptions
  questions/week12/exNN/question.html the prompt, <pl-file-upload file-names="exNN.ipynb">, and
                                      <pl-external-grader-results> in the submission panel
  serverFilesCourse/week12/           what the entrypoint needs: grade.sh, the grader package (hidden
                                      checks included: serverFilesCourse never reaches students) and
                                      the seeded sample tables (data/)
  courseInstances/INSTANCE/assessments/week12/infoAssessment.json
                                      the homework: each question's autoPoints (the automatic checks)
                                      and manualPoints (its written answers, scored by course staff)
  image/Dockerfile, image/requirements.txt
                                      the grading image: Python and the exact pins grading imports,
                                      nothing of the course (so the image may be public)

Formats, as PrairieLearn documents them (docs.prairielearn.com):
- externalGradingOptions (External Grading, "Configuring and enabling external grader support";
  schema infoQuestion.json): `image` (required), `entrypoint` (a string may carry arguments; a file
  under /grade is made executable by the grader), `serverFilesCourse` (copied to
  /grade/serverFilesCourse), `timeout` (integer seconds, default 30, at most 600),
  `enableNetworking` (off by default: grading needs no network). `enabled` is kept for older
  servers, which disable external grading without it; newer schemas mark it deprecated.
- the student's files are in /grade/student; results go to /grade/results/results.json, a folder
  the job must create (grader/grading/platforms/prairielearn.py writes it).
- pl-file-upload `file-names`: the files that must be submitted (5 MB per answer).
- infoAssessment zones[].questions[]: `id`, `autoPoints`, `manualPoints` (Manual Grading:
  "combinedManualAndAutoGrading": autoPoints and manualPoints on one question); an external
  grader's `score` in [0, 1] scales autoPoints, course staff award manualPoints.
"""

from __future__ import annotations

import json
import math
import shutil
import sys
import uuid
from dataclasses import dataclass
from html import escape
from pathlib import Path

from grader.course import exercises
from grader.grading.platforms import points_by_exercise

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = "week12"  # questions/week12/exNN: question ids week12/exNN
SERVER = "week12"  # serverFilesCourse/week12
ASSESSMENT = "week12"
NAMESPACE = uuid.UUID("6f1d6c2e-3b1a-5a8e-9a44-0c2f5d7e1b12")  # fixed: uuids stay the same on every release
TIMEOUT_MARGIN_S = 30  # Python start, loading the checks, writing results, on top of the grading budget
PL_MAX_TIMEOUT_S = 600  # PrairieLearn: "This value cannot exceed 600 seconds"
DEFAULT_IMAGE = "week12-workbook-grader:latest"


def question_uuid(key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"week12-workbook/{key}"))


def job_timeout(budget_s: float) -> int:
    """PrairieLearn's timeout for one grading job: the grader's own budget plus its start-up,
    so PrairieLearn never kills a job the grader would have finished and explained."""
    timeout = math.ceil(budget_s + TIMEOUT_MARGIN_S)
    if timeout > PL_MAX_TIMEOUT_S:
        raise ValueError(f"--budget {budget_s:g} s leaves no room under PrairieLearn's {PL_MAX_TIMEOUT_S} s limit "
                         f"(the job needs {TIMEOUT_MARGIN_S} s more to start and report)")
    return timeout


def entrypoint(exercise_id: str, budget_s: float, hide_hidden_details: bool) -> str:
    args = f"--exercises {exercise_id} --budget {budget_s:g}" + (" --hide-hidden-details" if hide_hidden_details else "")
    return f"/grade/serverFilesCourse/{SERVER}/grade.sh {args}"


def info_json(exercise_id: str, image: str, budget_s: float, hide_hidden_details: bool) -> dict:
    ex = exercises.get(exercise_id)
    return {
        "uuid": question_uuid(exercise_id),
        "title": f"Week 12, {ex.id}: {ex.title}",
        "topic": "Feature pipelines",
        "tags": ["week12", ex.id],
        "type": "v3",
        "singleVariant": True,  # one notebook, no randomisation: manual grading reads the last submission
        "gradingMethod": "External",
        "externalGradingOptions": {
            "enabled": True,
            "image": image,
            "entrypoint": entrypoint(exercise_id, budget_s, hide_hidden_details),
            "serverFilesCourse": [f"{SERVER}/"],
            "timeout": job_timeout(budget_s),
        },
    }


def question_html(exercise_id: str, auto: float, written: float, hide_hidden_details: bool) -> str:
    ex = exercises.get(exercise_id)
    name = f"{ex.id}.ipynb"
    worth = f"{auto:g} points from automatic checks" + (
        f", and {written:g} points of written answers, read and scored by course staff after the deadline" if written else "")
    hidden = ("Hidden checks show only how many of them passed." if hide_hidden_details
              else "Hidden checks show their names, points and message, never their data.")
    return f"""<pl-question-panel>
  <p><strong>{escape(ex.title)}</strong></p>
  <p>Work in the workbook notebook <code>{escape(name)}</code>, save it, and upload it here under that name.
  Each submission is graded on this exercise only: the public checks you can run with
  <code>check("{escape(ex.id)}")</code>, and hidden checks on other data. {escape(hidden)}</p>
  <p>Worth {escape(worth)}.</p>
  <pl-file-upload file-names="{escape(name)}"></pl-file-upload>
</pl-question-panel>

<pl-submission-panel>
  <pl-external-grader-results></pl-external-grader-results>
  <pl-file-preview></pl-file-preview>
</pl-submission-panel>
"""


def info_assessment(points: list[tuple[str, float, float]]) -> dict:
    questions = []
    for exercise_id, auto, written in points:
        q: dict = {"id": f"{QUESTIONS}/{exercise_id}", "autoPoints": auto}
        if written:
            q["manualPoints"] = written
        questions.append(q)
    return {
        "uuid": question_uuid("assessment"),
        "type": "Homework",
        "title": "Week 12: point-in-time, idempotent feature pipelines",
        "set": "Homework",
        "number": "12",
        "zones": [{"title": "The notebooks", "questions": questions}],
    }


GRADE_SH = r"""#!/bin/sh
# PrairieLearn runs this in the grading container (externalGradingOptions.entrypoint): the grader
# package and the sample tables are beside it (serverFilesCourse/week12), the pinned dependencies
# are in the image; nothing is fetched. Arguments: --exercises exNN [--budget S] [--hide-hidden-details].
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="${PRAIRIELEARN_GRADE_ROOT:-/grade}"
PY="${WEEK12_PYTHON:-python3}"
export PRAIRIELEARN_GRADE_ROOT="$ROOT" PYTHONPATH="$HERE" PYTHONDONTWRITEBYTECODE=1
# glibc's per-thread arenas reserve address space a memory-capped container may not have.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
mkdir -p "$ROOT/results"
cd "$HERE" || exit 1  # `python -m` puts the working folder first on the path: make it this grader's
"$PY" -m grader.grading.platforms.prairielearn "$@"
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then  # Python never got as far as writing results
  printf '%s\n' '{"gradable": false, "format_errors": ["The grader could not start (exit status '"$status"'); this attempt does not count. Course staff can see the log."]}' > "$ROOT/results/results.json"
fi
exit 0
"""

DOCKERFILE = """# The image PrairieLearn grades Week 12 notebooks in (externalGradingOptions.image).
# Python and the exact pins grading imports (requirements.txt, from pyproject.toml's pins), nothing
# of the course: the grader, its hidden checks and the sample tables come from the course's
# serverFilesCourse/week12 at grading time, so this image may be public on Docker Hub.
# Grading needs no network (PrairieLearn's default): everything is installed here.
FROM python:{python}-slim
COPY requirements.txt /opt/week12/requirements.txt
RUN pip install --no-cache-dir --no-compile -r /opt/week12/requirements.txt \\
 && python -c "import duckdb, sqlglot, sqlparse, nbformat, rich"
ENV PYTHONDONTWRITEBYTECODE=1 PLOOMBER_STATS_ENABLED=false
"""


@dataclass
class Release:
    out: Path
    points: list[tuple[str, float, float]]
    timeout: int

    def summary(self) -> list[str]:
        auto = sum(a for _, a, _ in self.points)
        written = sum(w for *_, w in self.points)
        lines = [f"wrote {len(self.points)} question(s) to {self.out / 'questions' / QUESTIONS} "
                 f"(timeout {self.timeout} s each), serverFilesCourse/{SERVER}, the assessment and image/Dockerfile"]
        lines += [f"  {i}: autoPoints {a:g}" + (f", manualPoints {w:g}" if w else "") for i, a, w in self.points]
        lines.append(f"  total: {auto:g} automatic + {written:g} written (manual) = {auto + written:g} points")
        return lines


def _copy_grader(dest: Path) -> None:
    shutil.copytree(ROOT / "grader", dest / "grader", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.jar"))


def build(out: Path, image: str = DEFAULT_IMAGE, budget_s: float = 60.0, hide_hidden_details: bool = False,
          only: list[str] | None = None, course_instance: str = "Week12") -> Release:
    """Write the course pieces into `out` (created; files this release writes are replaced)."""
    from grader.domain.tables import DATA_DIR, SEEDED
    from grader.grading.platforms.gradescope import _requirements

    unknown = [i for i in only or [] if i not in exercises.IDS]
    if unknown:
        raise ValueError(f"no exercise {', '.join(unknown)}; known: {', '.join(exercises.IDS)}")
    out = Path(out)
    points = points_by_exercise(only)
    timeout = job_timeout(budget_s)
    for exercise_id, auto, written in points:
        q = out / "questions" / QUESTIONS / exercise_id
        q.mkdir(parents=True, exist_ok=True)
        (q / "info.json").write_text(json.dumps(info_json(exercise_id, image, budget_s, hide_hidden_details), indent=2) + "\n",
                                     encoding="utf-8")
        (q / "question.html").write_text(question_html(exercise_id, auto, written, hide_hidden_details), encoding="utf-8")
    server = out / "serverFilesCourse" / SERVER
    if server.exists():
        shutil.rmtree(server)
    server.mkdir(parents=True)
    _copy_grader(server)
    (server / "data").mkdir()
    for table in SEEDED:
        shutil.copy2(DATA_DIR / f"{table}.csv", server / "data" / f"{table}.csv")
    (server / "grade.sh").write_text(GRADE_SH, encoding="utf-8")
    (server / "grade.sh").chmod(0o755)
    assessment = out / "courseInstances" / course_instance / "assessments" / ASSESSMENT
    assessment.mkdir(parents=True, exist_ok=True)
    (assessment / "infoAssessment.json").write_text(json.dumps(info_assessment(points), indent=2) + "\n", encoding="utf-8")
    img = out / "image"
    img.mkdir(exist_ok=True)
    (img / "requirements.txt").write_text("\n".join(_requirements()) + "\n", encoding="utf-8")
    (img / "Dockerfile").write_text(DOCKERFILE.format(python=f"{sys.version_info[0]}.{sys.version_info[1]}"),
                                    encoding="utf-8")
    return Release(out, points, timeout)
