"""check() inside a real IPython shell with jupysql: the same answers as the grader reads."""

import pytest
from IPython.testing.globalipapp import start_ipython


@pytest.fixture(scope="module")
def ip():
    shell = start_ipython()
    result = shell.run_cell("from grader.workbook import check, con")
    assert result.success, result.error_in_exec
    yield shell
    # jupysql's own exit hook would announce the closing to a shell that is gone by then
    from sql.connection import ConnectionManager

    ConnectionManager.close_all()


def run(ip, source):
    result = ip.run_cell(source, store_history=True)
    return result


def test_sql_cells_query_the_seeded_course_tables(ip):
    r = run(ip, "%%sql\nSELECT count(*) AS n FROM events")
    assert r.success
    from grader.course import load_seed

    assert list(r.result.dict()["n"]) == [len(load_seed().rows("events"))]


def test_a_sql_error_raises_instead_of_printing(ip):
    r = run(ip, "%%sql\nSELECT no_such_column FROM events")
    assert not r.success


def test_check_reports_a_wrong_saved_answer_with_a_counterexample(ip):
    run(ip, "%%sql --save ex06 --no-execute\n"
            "SELECT user_id, item_id, TIMESTAMP '2025-12-02 23:59:59' AS as_of_ts, 0 AS clicks_7d, 0 AS views_7d, count(*) AS impressions_7d\n"
            "FROM events GROUP BY ALL")
    report = run(ip, "check('ex06')").result
    assert not report.passed
    html = report._repr_html_()
    assert "matches_reference_on_sample" in html and "fewest rows" in html
    assert "hidden checks" in html


def test_check_never_raises_on_an_unknown_exercise(ip):
    r = run(ip, "check('ex99')")
    assert r.success and "could not run the checks" in repr(r.result)


def test_structured_answer_is_read_from_the_cell_not_the_live_object(ip):
    # A value computed by code is not gradable at grading time, so check() must not accept it.
    run(ip, "import math\nex09 = {'a_gb': math.prod([1])}")
    from grader.kernel import _kernel_answers

    answer = _kernel_answers(["ex09"])["ex09"]
    assert answer.error and "function call" in answer.error
