"""Release checks: metadata, agreement, workflows, dist contents and the clean-consumer smoke.

Each check collects every problem it finds and reports them together, one line each. Run one
with `python -m verify.release CHECK`; phase11 runs them as steps.
"""
