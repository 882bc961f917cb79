"""ImportFunction: an HR file uploaded to S3 under imports/<kind>/ → MySQL (all or nothing) → the staff group.

The work is ``sinawai.hr_import.uploads.ImportFunction``: one per container (database, S3 client, bot).
"""

from sinawai.hr_import.uploads import ImportFunction

function = ImportFunction()
lambda_handler = function.lambda_handler
