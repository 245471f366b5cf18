"""Redacted reports keep their shape and lose every index name, host and record id."""

from __future__ import annotations

import json
import re
from types import MappingProxyType

from hypothesis import assume, given
from hypothesis import strategies as st

from scrypath.operator.failed import FailedWork, FailedWorkReport
from scrypath.operator.redaction import Redactor, redact
from scrypath.operator.status import BackendStatus, IndexView, QueueStatus, SyncStatusReport


def failed_row(index: str, reason: str, **metadata: object) -> FailedWork:
    return FailedWork(
        id="job:812",
        source="queue",
        operation="upsert",
        state="failed",
        retryable=True,
        reason=reason,
        reason_class="backend_rejected",
        failed_at="2026-12-03T10:00:00.000000Z",
        attempt=5,
        max_attempts=5,
        index=index,
        recovery=f"Fix the cause of the error in {index}, then retry job:812.",
        metadata=MappingProxyType(dict(metadata)),
    )


def failed_report(index: str, reason: str, **metadata: object) -> FailedWorkReport:
    row = failed_row(index, reason, **metadata)
    return FailedWorkReport("app.models:Product", index, (row,), MappingProxyType({"unknown": 1}))


def dumped(report: FailedWorkReport | SyncStatusReport) -> str:
    return json.dumps(report.to_json())


def survives(value: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", text) is not None


def test_index_names_hosts_and_record_ids_become_numbered_placeholders() -> None:
    report = failed_report(
        "prod_products",
        "task 9 failed: Document identifier `sku-77` is invalid; index `prod_products` at "
        "https://admin:hunter2@search.internal.example:7700/indexes",
        document_ids=["sku-88", "sku-99"],
    )
    text = dumped(redact(report))
    for original in ("prod_products", "sku-77", "sku-88", "sku-99", "search.internal.example"):
        assert original not in text
    assert "hunter2" not in text and "admin" not in text
    document = json.loads(text)
    row = document["rows"][0]
    assert document["index"] == row["index"] == "index-1"
    assert row["metadata"]["document_ids"] == ["record-1", "record-2"]
    assert "Document identifier `record-3` is invalid" in row["reason"]
    assert "index `index-1` at https://host-1:7700/indexes" in row["reason"]
    assert row["recovery"] == "Fix the cause of the error in index-1, then retry job:812."


def test_what_is_not_sensitive_is_kept() -> None:
    report = failed_report("prod_products", "task 9 failed: Attribute `price` is not filterable")
    row = json.loads(dumped(redact(report)))["rows"][0]
    assert row["id"] == "job:812"
    assert row["reason_class"] == "backend_rejected"
    assert row["attempt"] == 5
    assert "`price`" in row["reason"]


def test_one_redactor_keeps_placeholders_stable_across_reports() -> None:
    redactor = Redactor()
    first = redactor.report(failed_report("orders", "x"))
    status = SyncStatusReport(
        "app.models:Product",
        "catalog",
        BackendStatus(0, 0, 0, None, None),
        QueueStatus(False, 0, 0, 0, None, None),
        IndexView(True, 3, False),
    )
    second = redactor.report(status)
    again = redactor.report(failed_report("orders", "y"))
    assert (first.index, second.index, again.index) == ("index-1", "index-2", "index-1")


def test_a_redacted_report_is_a_report_of_the_same_type() -> None:
    report = failed_report("products", "boom")
    redacted = redact(report)
    assert type(redacted) is FailedWorkReport
    assert type(redacted.rows[0]) is FailedWork
    assert report.index == "products"  # the original is untouched


BASELINE = dumped(redact(failed_report("zz_index", "x", document_ids=["zz_record"])))
"""A redacted report's fixed text: keys, states, `true`, the recovery's words."""

_value = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=3, max_size=12).filter(
    lambda value: not re.fullmatch(r"(index|record|host)(_\d*)?|\d+", value)
)


@given(
    index=_value,
    records=st.lists(_value, min_size=1, max_size=4, unique=True),
    host=st.from_regex(r"[a-z]{3,8}\.[a-z]{2,5}\.example", fullmatch=True),
)
def test_no_original_value_survives(index: str, records: list[str], host: str) -> None:
    for value in (index, *records):  # a value that is also the report's own wording
        assume(not survives(value, BASELINE))
    reason = f"index {index} on http://{host}/ rejected document `{records[0]}`"
    report = failed_report(index, reason, document_ids=records)
    text = dumped(redact(report))
    for original in (index, host, *records):
        assert not survives(original, text), original


def test_a_numeric_record_id_is_replaced_where_it_is_mentioned_not_in_every_number() -> None:
    report = failed_report(
        "products",
        "task 40 failed at 12:40: Document `40` is invalid; document 40 again",
        document_ids=[40],
    )
    row = json.loads(dumped(redact(report)))["rows"][0]
    assert row["metadata"]["document_ids"] == ["record-1"]
    assert row["reason"] == (
        "task 40 failed at 12:40: Document `record-1` is invalid; document record-1 again"
    )
    assert row["failed_at"] == "2026-12-03T10:00:00.000000Z"
