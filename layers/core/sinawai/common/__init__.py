"""Pure helpers every feature uses: Indonesian formatting, working hours, numbers, Telegram's limits."""
