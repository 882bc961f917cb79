"""The control API: tests, the demo and people drive the emulator as Telegram users and inspect it."""
