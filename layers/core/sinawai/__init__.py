"""Sinawai: the staffing helpdesk of Biro OSDM on Telegram.

Shared code of every Lambda function (deployed as the core layer). Domain modules here import neither
boto3, pymysql nor telegram; the adapters (``db``, ``store``, ``lambda_invoke``, ``telegram_runtime``) do.
"""
