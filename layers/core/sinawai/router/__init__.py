"""The webhook router: the command registry, routing by meaning, and the handler. Imports neither
python-telegram-bot nor boto3, so its cold start stays small."""
