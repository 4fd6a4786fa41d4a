"""Flex Template entry for the Python launcher (FLEX_TEMPLATE_PYTHON_PY_FILE).

Google's Flex Template launchers exist for Java, Python and Go only. The pipeline is written with
the Beam TypeScript SDK, so this file does nothing but hand the launcher's arguments
(--input_subscription, --output_table, --dlq_table, --project, --region, --temp_location, ...)
to the Node entry point, which submits the job through the SDK's Dataflow runner. The exit code
is Node's. See docs/dataflow.md.
"""
import os
import sys

ENTRY = os.path.join(os.environ.get("PMP_APP_DIR", "/template/app"), "beam", "dataflow", "dataflow-main.ts")

os.execvp("node", ["node", "--import", "tsx", ENTRY, *sys.argv[1:]])
