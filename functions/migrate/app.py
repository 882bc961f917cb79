"""MigrateFunction: the schema migrations and the application's DML-only MySQL user, as a CloudFormation
custom resource run with the master secret (``sinawai.deploy.migration``). Delete leaves the data alone.
``{"action": "migrate"}`` invoked by an operator runs the same steps (a new application password).
"""

import logging

from sinawai.deploy.migration import handler, migration_resource

# Lambda's log handler sits on the root logger: let the migration's INFO lines (what was applied) through.
logging.getLogger("sinawai").setLevel(logging.INFO)

resource = migration_resource()
lambda_handler = handler(resource)
