"""What a deploy does inside the stack: CloudFormation custom resources (schema migrations and the
application database user; Telegram's webhook, command menus and description; the content)."""
