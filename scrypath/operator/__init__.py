"""The operator tools: where a model's sync stands, what failed and why, and how to repair it.

Every tool reports first and changes nothing unless an explicit action is passed. The root
package re-exports the verbs (`scrypath.sync_status`, `scrypath.failed_sync_work`,
`scrypath.retry_sync_work`, `scrypath.reconcile_sync`, `scrypath.index_contract_drift`,
`scrypath.audit_index`).
"""

from scrypath.operator.audit import audit_index
from scrypath.operator.audit_report import AuditProgress, AuditReport, DriftIds, SampleEstimate
from scrypath.operator.contract_drift import DIMENSIONS, ContractDriftReport, index_contract_drift
from scrypath.operator.failed import FailedWork, FailedWorkReport, failed_sync_work
from scrypath.operator.reconcile import DRIFT_SIGNALS, ReconcileReport, reconcile_sync
from scrypath.operator.retry import RetryResult, retry_sync_work
from scrypath.operator.status import SyncStatusReport, sync_status

__all__ = [
    "DIMENSIONS",
    "DRIFT_SIGNALS",
    "AuditProgress",
    "AuditReport",
    "ContractDriftReport",
    "DriftIds",
    "FailedWork",
    "FailedWorkReport",
    "ReconcileReport",
    "RetryResult",
    "SampleEstimate",
    "SyncStatusReport",
    "audit_index",
    "failed_sync_work",
    "index_contract_drift",
    "reconcile_sync",
    "retry_sync_work",
    "sync_status",
]
