"""The general group: greeting, main menu, help, about, cancel, and answers to what nobody else takes."""
