"""The python-telegram-bot side shared by the command-group functions: the runtime and UI helpers."""
