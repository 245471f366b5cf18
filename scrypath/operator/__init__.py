"""The operator tools: where a model's sync stands, what failed and why, and how to repair it.

Every tool reports first and changes nothing unless an explicit action is passed. The root
package re-exports the verbs (`scrypath.sync_status`, `scrypath.failed_sync_work`,
`scrypath.retry_sync_work`, `scrypath.reconcile_sync`, `scrypath.index_contract_drift`).
"""
