"""What every function stands on: configuration, MySQL, errors, the update inbox, the message log,
conversations and secrets. Imports neither python-telegram-bot nor boto3 (boto3 only lazily, for
Secrets Manager)."""
